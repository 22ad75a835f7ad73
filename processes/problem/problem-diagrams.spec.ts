import { describeDiagramChecks } from '../../test/support/diagram-checks';

/** The problem diagrams open cleanly in bpmn-js and Camunda Modeler (see describeDiagramChecks). */
describeDiagramChecks(__dirname, ['problem_management.bpmn']);
