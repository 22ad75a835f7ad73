/**
 * The attack diagrams of issue 10 ("Out-of-memory crash", "Permanent hangs", "Resource
 * blow-ups") that the execution budget must stop at run time (engine/runtime/budget.ts).
 */
import { bpmn } from '../support/bpmn';

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** start → A (user task) → gw: `condition` → yes, else → no. */
export function conditionAfterTask(id: string, condition: string): string {
  return bpmn(id, [
    '<bpmn:startEvent id="start"/>',
    '<bpmn:userTask id="A" name="A" camunda:candidateGroups="servicedesk"/>',
    '<bpmn:exclusiveGateway id="gw" default="no_flow"/>',
    '<bpmn:endEvent id="yes"/>',
    '<bpmn:endEvent id="no"/>',
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="A"/>',
    '<bpmn:sequenceFlow id="f2" sourceRef="A" targetRef="gw"/>',
    `<bpmn:sequenceFlow id="yes_flow" sourceRef="gw" targetRef="yes"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${xml(condition)}</bpmn:conditionExpression></bpmn:sequenceFlow>`,
    '<bpmn:sequenceFlow id="no_flow" sourceRef="gw" targetRef="no"/>',
  ].join('\n'));
}

/** start → gw: `condition` → T (user task), else → end: the condition runs at start. */
export function conditionAtStart(id: string, condition: string): string {
  return bpmn(id, [
    '<bpmn:startEvent id="start"/>',
    '<bpmn:exclusiveGateway id="gw" default="no_flow"/>',
    '<bpmn:userTask id="T" name="T" camunda:candidateGroups="servicedesk"/>',
    '<bpmn:endEvent id="no"/>',
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw"/>',
    `<bpmn:sequenceFlow id="yes_flow" sourceRef="gw" targetRef="T"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${xml(condition)}</bpmn:conditionExpression></bpmn:sequenceFlow>`,
    '<bpmn:sequenceFlow id="no_flow" sourceRef="gw" targetRef="no"/>',
  ].join('\n'));
}

/** start → A (user task) → wait (timer `duration`) → gw: `condition` → ...: the condition runs when the timer fires. */
export function conditionAfterTimer(id: string, duration: string, condition: string): string {
  return bpmn(id, [
    '<bpmn:startEvent id="start"/>',
    `<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${duration}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`,
    '<bpmn:exclusiveGateway id="gw" default="no_flow"/>',
    '<bpmn:userTask id="T" name="T" camunda:candidateGroups="servicedesk"/>',
    '<bpmn:endEvent id="no"/>',
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>',
    '<bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="gw"/>',
    `<bpmn:sequenceFlow id="yes_flow" sourceRef="gw" targetRef="T"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${xml(condition)}</bpmn:conditionExpression></bpmn:sequenceFlow>`,
    '<bpmn:sequenceFlow id="no_flow" sourceRef="gw" targetRef="no"/>',
  ].join('\n'));
}

/** start → T (user task whose formKey is `formKey`) → end. */
export function formKeyTask(id: string, formKey: string): string {
  return bpmn(id, [
    '<bpmn:startEvent id="start"/>',
    `<bpmn:userTask id="T" name="T" camunda:candidateGroups="servicedesk" camunda:formKey="${xml(formKey)}"/>`,
    '<bpmn:endEvent id="end"/>',
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="T"/>',
    '<bpmn:sequenceFlow id="f2" sourceRef="T" targetRef="end"/>',
  ].join('\n'));
}

/** start → T (parallel multi-instance user task, `loopCardinality`) → end. */
export function multiInstance(id: string, loopCardinality: string): string {
  return bpmn(id, [
    '<bpmn:startEvent id="start"/>',
    `<bpmn:userTask id="T" name="T" camunda:candidateGroups="servicedesk"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">${xml(loopCardinality)}</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>`,
    '<bpmn:endEvent id="end"/>',
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="T"/>',
    '<bpmn:sequenceFlow id="f2" sourceRef="T" targetRef="end"/>',
  ].join('\n'));
}

/** start → fork (parallel gateway) → `count` user tasks, each to its own end event. */
export function fanOut(id: string, count: number): string {
  const parts = ['<bpmn:startEvent id="start"/>', '<bpmn:parallelGateway id="fork"/>', '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork"/>'];
  for (let i = 0; i < count; i++) {
    parts.push(`<bpmn:userTask id="t${i}" camunda:candidateGroups="servicedesk"/><bpmn:endEvent id="e${i}"/>`);
    parts.push(`<bpmn:sequenceFlow id="a${i}" sourceRef="fork" targetRef="t${i}"/><bpmn:sequenceFlow id="b${i}" sourceRef="t${i}" targetRef="e${i}"/>`);
  }
  return bpmn(id, parts.join('\n'));
}

/** start → fork (parallel gateway) → `branches` parallel multi-instance user tasks of `each` instances → join → end. */
export function multiInstanceFanOut(id: string, branches: number, each: number): string {
  const parts = ['<bpmn:startEvent id="start"/>', '<bpmn:parallelGateway id="fork"/>', '<bpmn:parallelGateway id="join"/>', '<bpmn:endEvent id="end"/>'];
  parts.push('<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork"/>', '<bpmn:sequenceFlow id="f1" sourceRef="join" targetRef="end"/>');
  for (let i = 0; i < branches; i++) {
    parts.push(`<bpmn:userTask id="t${i}" camunda:candidateGroups="servicedesk"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">${each}</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>`);
    parts.push(`<bpmn:sequenceFlow id="a${i}" sourceRef="fork" targetRef="t${i}"/><bpmn:sequenceFlow id="b${i}" sourceRef="t${i}" targetRef="join"/>`);
  }
  return bpmn(id, parts.join('\n'));
}

/** start → step (`task`) → gw → (`=true`) back to step; an endless loop of automatic steps. */
export function endlessLoop(id: string, task: string): string {
  return bpmn(id, [
    '<bpmn:startEvent id="start"/>',
    task,
    '<bpmn:exclusiveGateway id="again" default="out"/>',
    '<bpmn:endEvent id="end"/>',
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="step"/>',
    '<bpmn:sequenceFlow id="f2" sourceRef="step" targetRef="again"/>',
    '<bpmn:sequenceFlow id="loop" sourceRef="again" targetRef="step"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=true</bpmn:conditionExpression></bpmn:sequenceFlow>',
    '<bpmn:sequenceFlow id="out" sourceRef="again" targetRef="end"/>',
  ].join('\n'));
}

export const PLAIN_TASK = '<bpmn:task id="step"/>';
/** A service task calling the handler `name`. */
export const serviceTask = (name: string) => `<bpmn:serviceTask id="step" camunda:delegateExpression="\${${name}}"/>`;

/** The attack expressions. */
export const SOME_OVER_N = '=some x in 1..n satisfies x < 0';
export const COUNT_FOR_1E8 = '=count(for i in 1..100000000 return i) > 0';
/** About 170 MB of text (5,000,000 × 34 characters). */
export const HUGE_STRING = '=string join(for i in 1..5000000 return "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "")';
