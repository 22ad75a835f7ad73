import { describeDiagramChecks } from '../../test/support/diagram-checks';

/** The incident diagrams open cleanly in bpmn-js and Camunda Modeler (see describeDiagramChecks). */
describeDiagramChecks(__dirname, ['incident_management.bpmn', 'major_incident.bpmn', 'incident_from_change.bpmn']);
