import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import Modeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
// The same descriptor the server parses with: segregation of duties (itsm:excludePerformersOf, itsm:excludeUsersIn).
import itsmModdle from '../../../processes/moddle/itsm.json';
import executionMarkers from './features/execution-markers';
import type ExecutionMarkers from './features/execution-markers/ExecutionMarkers';
import problemMarkers from './features/problem-markers';
import type ProblemMarkers from './features/problem-markers/ProblemMarkers';

/** The engine parses with the same descriptor: without it `camunda:*` attributes are dropped. */
const moddleExtensions = { camunda: camundaModdle, itsm: itsmModdle };

/** One modeler per view; the view calls `destroy()` when it is left. */
export function createModeler(container: HTMLElement): Modeler {
  return new Modeler({ container, moddleExtensions, additionalModules: [problemMarkers] });
}

/** A read-only, pannable diagram for instance views. */
export function createViewer(container: HTMLElement): NavigatedViewer {
  return new NavigatedViewer({ container, moddleExtensions, additionalModules: [executionMarkers] });
}

export function problemMarkersOf(modeler: Modeler): ProblemMarkers {
  return modeler.get<ProblemMarkers>('problemMarkers');
}

export function executionMarkersOf(viewer: NavigatedViewer): ExecutionMarkers {
  return viewer.get<ExecutionMarkers>('executionMarkers');
}
