import { describeDiagramChecks } from '../../test/support/diagram-checks';

/** The generated change diagram opens cleanly in bpmn-js and Camunda Modeler (see describeDiagramChecks). */
describeDiagramChecks(__dirname, ['change_from_problem.bpmn']);
