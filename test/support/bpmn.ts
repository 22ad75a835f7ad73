import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads a BPMN fixture from test/fixtures/bpmn. */
export function fixture(name: string): string {
  return readFileSync(join(__dirname, '..', 'fixtures', 'bpmn', name), 'utf8');
}

const HEADER = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:itsm="http://itsm-orchestrator.dev/schema/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_test" targetNamespace="http://bpmn.io/schema/bpmn">`;

/** Wraps process content in a definitions document. */
export function bpmn(processId: string, body: string, attrs = ''): string {
  return `${HEADER}\n<bpmn:process id="${processId}" isExecutable="true" ${attrs}>\n${body}\n</bpmn:process>\n</bpmn:definitions>\n`;
}

/** start → user task(s) → end, each task offered to `group`. */
export function linearTasks(processId: string, taskIds: string[], group = 'servicedesk'): string {
  const nodes = ['start', ...taskIds, 'end'];
  const flows = nodes.slice(1).map((target, i) => `<bpmn:sequenceFlow id="f${i}" sourceRef="${nodes[i]}" targetRef="${target}"/>`);
  const tasks = taskIds.map((id) => `<bpmn:userTask id="${id}" name="${id}" camunda:candidateGroups="${group}"/>`);
  return bpmn(processId, [`<bpmn:startEvent id="start"/>`, ...tasks, `<bpmn:endEvent id="end"/>`, ...flows].join('\n'));
}

/** A service task that starts the SLA clock `sla.<name>` (built-in `startSla` handler). */
export function startSlaTask(id: string, name: string, target: string, calendar: string): string {
  return `<bpmn:serviceTask id="${id}" camunda:delegateExpression="\${startSla}">
     <bpmn:extensionElements><camunda:inputOutput>
       <camunda:inputParameter name="name">${name}</camunda:inputParameter>
       <camunda:inputParameter name="target">${target}</camunda:inputParameter>
       <camunda:inputParameter name="calendar">${calendar}</camunda:inputParameter>
     </camunda:inputOutput></bpmn:extensionElements>
   </bpmn:serviceTask>`;
}

/** A user task for the given candidate group (named after its id). */
export function userTask(id: string, group = 'servicedesk'): string {
  return `<bpmn:userTask id="${id}" name="${id}" camunda:candidateGroups="${group}"/>`;
}

/** A sequence flow, with a condition expression when `condition` is given. */
export function sequenceFlow(id: string, from: string, to: string, condition?: string): string {
  return condition === undefined
    ? `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"/>`
    : `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${condition}</bpmn:conditionExpression></bpmn:sequenceFlow>`;
}
