import { describeDiagramChecks } from '../../test/support/diagram-checks';

/** The nonconformity and corrective action diagram opens cleanly in bpmn-js and Camunda Modeler (see describeDiagramChecks). */
describeDiagramChecks(__dirname, ['nonconformity_capa.bpmn']);
