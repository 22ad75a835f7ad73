import { describeDiagramChecks } from '../../test/support/diagram-checks';

/** The service level review diagrams open cleanly in bpmn-js and Camunda Modeler (see describeDiagramChecks). */
describeDiagramChecks(__dirname, ['sla_review.bpmn', 'sla_breach_review.bpmn']);
