/** Small builders for the hand-written conformance diagrams (all on top of `bpmn()`). */
import { bpmn } from '../support/bpmn';

/** A user task offered to servicedesk (alice and bob), optionally with loop characteristics or other children. */
export const task = (id: string, inner = '', attrs = '') =>
  `<bpmn:userTask id="${id}" name="${id}" camunda:candidateGroups="servicedesk" ${attrs}>${inner}</bpmn:userTask>`;

export const start = (id = 'start', inner = '', attrs = '') => `<bpmn:startEvent id="${id}" ${attrs}>${inner}</bpmn:startEvent>`;
export const end = (id = 'end', inner = '') => `<bpmn:endEvent id="${id}">${inner}</bpmn:endEvent>`;
export const gateway = (kind: 'exclusive' | 'parallel' | 'inclusive' | 'eventBased' | 'complex', id: string, defaultFlow?: string) =>
  `<bpmn:${kind}Gateway id="${id}"${defaultFlow ? ` default="${defaultFlow}"` : ''}/>`;
export const catchEvent = (id: string, definition: string) => `<bpmn:intermediateCatchEvent id="${id}">${definition}</bpmn:intermediateCatchEvent>`;
export const throwEvent = (id: string, definition: string) => `<bpmn:intermediateThrowEvent id="${id}">${definition}</bpmn:intermediateThrowEvent>`;
export const boundary = (id: string, attachedTo: string, definition: string, interrupting = true) =>
  `<bpmn:boundaryEvent id="${id}" attachedToRef="${attachedTo}"${interrupting ? '' : ' cancelActivity="false"'}>${definition}</bpmn:boundaryEvent>`;

export const timer = (duration: string) => `<bpmn:timerEventDefinition><bpmn:timeDuration>${duration}</bpmn:timeDuration></bpmn:timerEventDefinition>`;
export const cycle = (spec: string) => `<bpmn:timerEventDefinition><bpmn:timeCycle>${spec}</bpmn:timeCycle></bpmn:timerEventDefinition>`;
export const messageDef = (ref: string) => `<bpmn:messageEventDefinition messageRef="${ref}"/>`;
export const signalDef = (ref: string) => `<bpmn:signalEventDefinition signalRef="${ref}"/>`;
export const errorDef = (ref?: string) => (ref ? `<bpmn:errorEventDefinition errorRef="${ref}"/>` : '<bpmn:errorEventDefinition/>');
export const escalationDef = (ref: string) => `<bpmn:escalationEventDefinition escalationRef="${ref}"/>`;
export const conditionalDef = (expr: string) =>
  `<bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">${expr}</bpmn:condition></bpmn:conditionalEventDefinition>`;
export const terminateDef = '<bpmn:terminateEventDefinition/>';
export const linkDef = (name: string) => `<bpmn:linkEventDefinition name="${name}"/>`;

/** Root elements (placed after the process). */
export const message = (id: string, name: string, correlationKey?: string) =>
  correlationKey
    ? `<bpmn:message id="${id}" name="${name}"><bpmn:extensionElements><zeebe:subscription correlationKey="${correlationKey}"/></bpmn:extensionElements></bpmn:message>`
    : `<bpmn:message id="${id}" name="${name}"/>`;
export const signal = (id: string, name: string) => `<bpmn:signal id="${id}" name="${name}"/>`;
export const error = (id: string, code: string) => `<bpmn:error id="${id}" name="${code}" errorCode="${code}"/>`;
export const escalation = (id: string, code: string) => `<bpmn:escalation id="${id}" name="${code}" escalationCode="${code}"/>`;

/** The id `flows()` gives the flow from `a` to `b`. */
export const fid = (a: string, b: string) => `f_${a}_${b}`;

/**
 * Sequence flows from `a->b` specs; `a->b ? ${expr}` adds a condition. Ids are `f_a_b`.
 */
export function flows(...specs: string[]): string {
  return specs
    .map((spec) => {
      const [path, condition] = spec.split(' ? ');
      const [a, b] = path!.split('->').map((s) => s.trim());
      const cond = condition ? `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${condition.trim()}</bpmn:conditionExpression>` : '';
      return `<bpmn:sequenceFlow id="${fid(a!, b!)}" sourceRef="${a}" targetRef="${b}">${cond}</bpmn:sequenceFlow>`;
    })
    .join('\n');
}

/** An embedded sub-process (`triggeredByEvent` for an event sub-process). */
export const subProcess = (id: string, body: string, attrs = '', inner = '') => `<bpmn:subProcess id="${id}" ${attrs}>${inner}${body}</bpmn:subProcess>`;

export const parallelMI = (cardinality: string, extra = '') =>
  `<bpmn:multiInstanceLoopCharacteristics isSequential="false"${extra}><bpmn:loopCardinality>${cardinality}</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>`;

/** A whole definitions document: the process `id` with `body`, and root elements after it. */
export function diagram(id: string, body: string, roots = ''): string {
  const xml = bpmn(id, body).replace('xmlns:camunda=', 'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:camunda=');
  return roots ? xml.replace('</bpmn:definitions>', `${roots}\n</bpmn:definitions>`) : xml;
}
