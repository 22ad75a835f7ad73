/**
 * A read-only diagram for the work pages: bpmn-js NavigatedViewer only (never the Modeler, so the
 * pages that show a diagram stay free of the editing code), with the execution markers module.
 */
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import type Canvas from 'diagram-js/lib/core/Canvas';
import type ElementRegistry from 'diagram-js/lib/core/ElementRegistry';
import itsmModdle from '../../../../processes/moddle/itsm.json';
import executionMarkers from '../../bpmn/features/execution-markers';
import type ExecutionMarkers from '../../bpmn/features/execution-markers/ExecutionMarkers';

export interface Diagram {
  /** Imports the XML, marks the progress and fits the view; `focus` zooms in on the first active element when the fitted diagram is too small to read. */
  show(xml: string, progress: { completed: Iterable<string>; active: Iterable<string> }, focus?: boolean): Promise<void>;
  /** The name of an element (its id when it has none or is not on the diagram). */
  nameOf(id: string): string;
  destroy(): void;
}

export function createDiagram(container: HTMLElement): Diagram {
  const viewer = new NavigatedViewer({ container, moddleExtensions: { camunda: camundaModdle, itsm: itsmModdle }, additionalModules: [executionMarkers] });
  return {
    async show(xml, progress, focus = false) {
      await viewer.importXML(xml);
      const canvas = viewer.get<Canvas>('canvas');
      canvas.zoom('fit-viewport');
      viewer.get<ExecutionMarkers>('executionMarkers').mark(progress);
      const [first] = [...progress.active];
      const registry = viewer.get<ElementRegistry>('elementRegistry');
      const element = first ? registry.get(first) : undefined;
      // A large diagram fitted into a small box is unreadable: zoom in on the current step instead.
      if (focus && element && canvas.zoom() < 0.6) {
        canvas.zoom(0.8);
        canvas.scrollToElement(element);
      }
    },
    nameOf(id) {
      try {
        const element = viewer.get<ElementRegistry>('elementRegistry').get(id) as { businessObject?: { name?: string } } | undefined;
        return element?.businessObject?.name || id;
      } catch {
        return id;
      }
    },
    destroy() {
      viewer.destroy();
    },
  };
}
