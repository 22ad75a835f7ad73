import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import itsmModdle from '../../../processes/moddle/itsm.json';
import executionMarkers from './features/execution-markers';
import type ExecutionMarkers from './features/execution-markers/ExecutionMarkers';

/**
 * The read-only diagram of instance, task and replay views. Kept apart from create-modeler.ts so
 * that those views do not load the modeler (properties panel, lint, layout).
 */
export function createViewer(container: HTMLElement): NavigatedViewer {
  return new NavigatedViewer({ container, moddleExtensions: { camunda: camundaModdle, itsm: itsmModdle }, additionalModules: [executionMarkers] });
}

export function executionMarkersOf(viewer: NavigatedViewer): ExecutionMarkers {
  return viewer.get<ExecutionMarkers>('executionMarkers');
}
