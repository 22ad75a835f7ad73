import { describeDiagramChecks } from '../../test/support/diagram-checks';

/** The internal audit diagrams open cleanly in bpmn-js and Camunda Modeler (see describeDiagramChecks). */
describeDiagramChecks(__dirname, ['audit_programme.bpmn', 'internal_audit.bpmn']);
