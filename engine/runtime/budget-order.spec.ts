import { ProcessHarness } from './testing/harness';
import { budgetLimits, CommandBudget, runWithBudget } from './budget';
import { bpmn, sequenceFlow as flow, userTask as task } from '../../test/support/bpmn';

/**
 * A command whose engine work yields the event loop (runtime/budget.ts: an element entered by a
 * sequence flow waits for the next turn once the slice is used up) ends as the same command that
 * never yields: same open tasks, same completed elements, same status. With a slice of 0 ms every
 * element entered by a flow waits (as on a saturated machine); event sub-processes, boundary
 * events and their start events never wait, so an event thrown while a token waits is still
 * caught.
 */

const ERRORS = '<bpmn:error id="Rejected" name="Rejected" errorCode="REJECTED"/><bpmn:escalation id="Late" name="Late" escalationCode="LATE"/>';
const withErrors = (id: string, body: string) => bpmn(id, body).replace('<bpmn:process ', `${ERRORS}\n<bpmn:process `);

/** An error end event after a user task, caught by a catch-all error event sub-process. */
const catchAll = withErrors(
  'order-catch-all',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'review')}${task('review')}${flow('f2', 'review', 'failed')}
   <bpmn:endEvent id="failed"><bpmn:errorEventDefinition errorRef="Rejected"/></bpmn:endEvent>
   <bpmn:subProcess id="onAnyError" triggeredByEvent="true">
     <bpmn:startEvent id="anyError"><bpmn:errorEventDefinition/></bpmn:startEvent>
     ${flow('e1', 'anyError', 'handle')}${task('handle')}${flow('e2', 'handle', 'eEnd')}<bpmn:endEvent id="eEnd"/>
   </bpmn:subProcess>`,
);

/** Two tokens; one reaches an error end event through automatic steps: the error event sub-process interrupts the other. */
const interrupting = withErrors(
  'order-interrupting',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'split')}<bpmn:parallelGateway id="split"/>
   ${flow('f2', 'split', 'other')}${task('other')}${flow('f3', 'other', 'end')}<bpmn:endEvent id="end"/>
   ${flow('f4', 'split', 'triage')}${task('triage')}${flow('f5', 'triage', 'step1')}<bpmn:task id="step1"/>${flow('f6', 'step1', 'step2')}<bpmn:task id="step2"/>
   ${flow('f7', 'step2', 'failed')}<bpmn:endEvent id="failed"><bpmn:errorEventDefinition errorRef="Rejected"/></bpmn:endEvent>
   <bpmn:subProcess id="onRejected" triggeredByEvent="true">
     <bpmn:startEvent id="rejectedStart"><bpmn:errorEventDefinition errorRef="Rejected"/></bpmn:startEvent>
     ${flow('e1', 'rejectedStart', 'complete')}${task('complete')}${flow('e2', 'complete', 'eEnd')}<bpmn:endEvent id="eEnd"/>
   </bpmn:subProcess>`,
);

/** An error end event inside a sub-process, after a user task there, caught by the error boundary event on the sub-process. */
const boundary = withErrors(
  'order-boundary',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'handling')}
   <bpmn:subProcess id="handling">
     <bpmn:startEvent id="hStart"/>${flow('h1', 'hStart', 'diagnose')}${task('diagnose')}${flow('h2', 'diagnose', 'check')}<bpmn:task id="check"/>
     ${flow('h3', 'check', 'failed')}<bpmn:endEvent id="failed"><bpmn:errorEventDefinition errorRef="Rejected"/></bpmn:endEvent>
   </bpmn:subProcess>
   ${flow('f2', 'handling', 'end')}<bpmn:endEvent id="end"/>
   <bpmn:boundaryEvent id="onRejected" attachedToRef="handling"><bpmn:errorEventDefinition errorRef="Rejected"/></bpmn:boundaryEvent>
   ${flow('f3', 'onRejected', 'rework')}${task('rework')}${flow('f4', 'rework', 'end2')}<bpmn:endEvent id="end2"/>`,
);

/** An escalation thrown by an intermediate event starts a non-interrupting escalation event sub-process; the token goes on. */
const escalation = withErrors(
  'order-escalation',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'diagnose')}${task('diagnose')}${flow('f2', 'diagnose', 'late')}
   <bpmn:intermediateThrowEvent id="late"><bpmn:escalationEventDefinition escalationRef="Late"/></bpmn:intermediateThrowEvent>
   ${flow('f3', 'late', 'fix')}${task('fix')}${flow('f4', 'fix', 'end')}<bpmn:endEvent id="end"/>
   <bpmn:subProcess id="onLate" triggeredByEvent="true">
     <bpmn:startEvent id="lateStart" isInterrupting="false"><bpmn:escalationEventDefinition escalationRef="Late"/></bpmn:startEvent>
     ${flow('e1', 'lateStart', 'inform')}${task('inform')}${flow('e2', 'inform', 'eEnd')}<bpmn:endEvent id="eEnd"/>
   </bpmn:subProcess>`,
);

/** A parallel multi-instance of automatic steps whose completion condition is met before all instances ran. */
const completion = bpmn(
  'order-completion',
  `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'first')}${task('first')}${flow('f2', 'first', 'each')}
   <bpmn:task id="each"><bpmn:multiInstanceLoopCharacteristics>
     <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">6</bpmn:loopCardinality>
     <bpmn:completionCondition>\${nrOfCompletedInstances >= 2}</bpmn:completionCondition>
   </bpmn:multiInstanceLoopCharacteristics></bpmn:task>
   ${flow('f3', 'each', 'after')}${task('after')}${flow('f4', 'after', 'end')}<bpmn:endEvent id="end"/>`,
);

/** Every token through ten automatic steps and a join, next to a user task. */
const parallelSteps = bpmn(
  'order-parallel',
  [
    '<bpmn:startEvent id="start"/><bpmn:parallelGateway id="split"/><bpmn:parallelGateway id="join"/>',
    flow('f0', 'start', 'split'),
    ...['a', 'b', 'c'].flatMap((branch) => [
      flow(`${branch}0`, 'split', `${branch}1`),
      ...Array.from({ length: 10 }, (_, i) => `<bpmn:task id="${branch}${i + 1}"/>${i < 9 ? flow(`${branch}${i + 1}f`, `${branch}${i + 1}`, `${branch}${i + 2}`) : ''}`),
      flow(`${branch}j`, `${branch}10`, 'join'),
    ]),
    flow('fj', 'join', 'done'),
    task('done'),
  ].join('\n'),
);

interface Ending {
  status: string;
  open: string[];
  completed: string[];
  yields: number;
}

/** Starts `xml`, then completes the user tasks `steps` one command each, every command under a budget with `sliceMs`. */
async function run(xml: string, steps: string[], sliceMs: number): Promise<Ending> {
  const p = await ProcessHarness.deploy(xml);
  let yields = 0;
  const command = async (work: () => Promise<unknown>) => {
    const budget = new CommandBudget({ ...budgetLimits(), sliceMs });
    const defer = budget.defer.bind(budget);
    budget.defer = (resume) => {
      yields++;
      defer(resume);
    };
    await runWithBudget(budget, work);
  };
  await command(() => p.start());
  for (const step of steps) await command(() => p.complete(step));
  return { status: p.status, open: [...p.tasks.keys()].sort(), completed: [...p.completed].sort(), yields };
}

describe('a command that yields the event loop ends as one that does not (execution budget)', () => {
  it.each([
    ['an error end event caught by a catch-all error event sub-process', catchAll, ['review'], ['handle']],
    ['an error event sub-process interrupting the other token of its scope', interrupting, ['triage'], ['complete']],
    ['an error end event inside a sub-process caught by the error boundary event on it', boundary, ['diagnose'], ['rework']],
    ['a non-interrupting escalation event sub-process started by an intermediate throw', escalation, ['diagnose'], ['fix', 'inform']],
    ['a multi-instance activity whose completion condition is met early', completion, ['first'], ['after']],
    ['three branches of ten automatic steps joined', parallelSteps, [], ['done']],
  ])('%s', async (_name, xml, steps, open) => {
    const unbroken = await run(xml, steps, 60_000);
    const sliced = await run(xml, steps, 0);
    expect(unbroken.open).toEqual(open);
    expect(unbroken.yields).toBe(0);
    expect(sliced.yields).toBeGreaterThan(0);
    expect({ status: sliced.status, open: sliced.open, completed: sliced.completed }).toEqual({ status: unbroken.status, open: unbroken.open, completed: unbroken.completed });
  });
});
