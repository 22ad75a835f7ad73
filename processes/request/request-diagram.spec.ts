import { describeDiagramChecks } from '../../test/support/diagram-checks';

/** The service request diagrams open cleanly in bpmn-js and Camunda Modeler (see describeDiagramChecks). */
describeDiagramChecks(__dirname, ['service_request.bpmn']);
