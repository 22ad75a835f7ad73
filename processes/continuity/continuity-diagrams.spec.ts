import { describeDiagramChecks } from '../../test/support/diagram-checks';

/** The service continuity diagrams open cleanly in bpmn-js and Camunda Modeler (see describeDiagramChecks). */
describeDiagramChecks(__dirname, ['continuity_test.bpmn', 'continuity_invocation.bpmn']);
