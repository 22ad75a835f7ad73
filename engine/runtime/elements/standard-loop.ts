/**
 * Standard loops (`bpmn:standardLoopCharacteristics`) with the BPMN 2.0 meaning (§13.2.7,
 * "Loop Activity"): the activity repeats AS LONG AS `loopCondition` is true. With
 * `testBefore="false"` (the default) an iteration runs, then the condition is evaluated; with
 * `testBefore="true"` it is evaluated before every iteration, so a false condition at the start
 * means the activity completes without running at all. `loopMaximum` caps the iterations.
 *
 * bpmn-elements 17 reads `loopCondition` the other way round (as a completion condition: the loop
 * STOPS when it holds; with testBefore, it stops when it holds before an iteration, and hangs when
 * that happens before the first one). This behaviour hands bpmn-elements' loop a
 * {@link WhileCondition} instead of the condition text: the expression handler of the engine
 * (scopes.ts) evaluates it and answers the negation, i.e. "stop" exactly when the loop condition
 * is false. Everything else (iterations, state, recovery) stays bpmn-elements' own.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- bpmn-elements' internals are untyped; this file is an adapter over them. */
import * as elements from 'bpmn-elements';

const LoopCharacteristics = (elements as any).MultiInstanceLoopCharacteristics;

/** A loop condition (BPMN: loop while true) handed to bpmn-elements where it expects a stop condition. */
export class WhileCondition {
  constructor(readonly expression: string) {}
}

/** True for a loop condition wrapped by {@link StandardLoopCharacteristics}. */
export function isWhileCondition(value: unknown): value is WhileCondition {
  return value instanceof WhileCondition;
}

/** The `StandardLoopCharacteristics` behaviour, by the name bpmn-elements exports it under. */
export function StandardLoopCharacteristics(activity: any, loopCharacteristics: any): any {
  const original = loopCharacteristics?.behaviour ?? {};
  const condition = typeof original.loopCondition === 'string' && original.loopCondition.trim() !== '' ? new WhileCondition(original.loopCondition) : undefined;
  const behaviour = { ...original, isSequential: true, loopCondition: condition };
  const loop = new LoopCharacteristics(activity, { ...loopCharacteristics, behaviour });
  if (!condition || !original.testBefore) return loop;
  // testBefore: bpmn-elements checks the condition before each iteration, including the first,
  // but when it stops the loop before the first iteration it never completes the activity.
  const execute = loop.execute;
  loop.execute = function executeStandardLoop(executeMessage: any) {
    const started = execute.call(this, executeMessage);
    const chr = this.characteristics;
    if (started === undefined && !executeMessage?.fields?.redelivered && chr && chr.cardinality !== 0 && !iterationStarted(this)) {
      return chr.complete({ ...executeMessage.content });
    }
    return started;
  };
  return loop;
}

/** True when an iteration of the loop is running (its execution is postponed beside the root). */
function iterationStarted(loop: any): boolean {
  const postponed: any[] = loop.activity?.execution?.getPostponed?.() ?? [];
  return postponed.some((api) => api?.content?.isMultiInstance && !api.content.isRootScope);
}
