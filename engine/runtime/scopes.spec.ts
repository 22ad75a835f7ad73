import { compileDefinition, loadSourceContext } from '../definitions';
import { checkExpression } from '../expressions';
import { ServiceHandlerRegistry } from '../services/service-handler';
import { InstanceRunner, type EngineHandle, type RunOutcome, type RunnableDefinition } from './instance-runner';
import { bpmn } from '../../test/support/bpmn';

/**
 * Every command recovers the engine from the snapshot (no live engine is kept), as after a
 * restart; with `live`, every command reuses the engine the previous command kept, as the host does.
 */
async function runner(xml: string, live = false) {
  const compiled = await compileDefinition(xml, { knownHandlers: new Set(), checkExpression });
  const definition: RunnableDefinition = { id: 'd1', key: compiled.processId, version: 1, sourceContext: loadSourceContext(compiled.serialized) };
  const engine = new InstanceRunner(new ServiceHandlerRegistry(), undefined, undefined, live ? 8 : 0);
  const ctx = { instanceId: 'i1', businessKey: null };
  let revision = 0;
  const kept = (outcome: RunOutcome) => {
    engine.keep(ctx.instanceId, ++revision, outcome.live);
    return outcome;
  };
  return {
    start: async (variables: Record<string, unknown>) => kept(await engine.start(definition, ctx, variables)),
    act: async (from: RunOutcome, action: (h: EngineHandle) => boolean) => kept(await engine.resume(definition, ctx, from.state!, action, { revision })),
    complete: async (from: RunOutcome, executionId: string, variables: Record<string, unknown> = {}) =>
      kept(
        await engine.resume(
          definition,
          ctx,
          from.state!,
          (h) => {
            if (!h.isWaiting(executionId)) return false;
            h.signal(executionId, variables);
            return true;
          },
          { revision },
        ),
      ),
  };
}

/** The element facts of a run: `type element#loopCounter` (flows left out). */
const facts = (outcome: RunOutcome, elementId?: string) =>
  outcome.events
    .filter((e) => e.type !== 'flow.taken' && (!elementId || e.elementId === elementId))
    .map((e) => `${e.type} ${e.elementId}${typeof e.payload?.loopCounter === 'number' ? `#${e.payload.loopCounter}` : ''}`);

const cab = bpmn(
  'cab',
  `<bpmn:startEvent id="start"/>
   <bpmn:userTask id="vote" camunda:assignee="\${approver}">
     <bpmn:multiInstanceLoopCharacteristics camunda:collection="\${cab}" camunda:elementVariable="approver" itsm:outputCollection="votes" itsm:outputElement="\${approver}:\${approved}">
       <bpmn:completionCondition>\${nrOfCompletedInstances >= 2 &amp;&amp; nrOfInstances == 4 &amp;&amp; nrOfActiveInstances == 2}</bpmn:completionCondition>
     </bpmn:multiInstanceLoopCharacteristics>
   </bpmn:userTask>
   <bpmn:userTask id="after" camunda:assignee="x"/>
   <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="vote"/><bpmn:sequenceFlow id="f2" sourceRef="vote" targetRef="after"/>`,
);

describe('loops and data mapping, recovering the engine from its snapshot on every command', () => {
  it('counts completed instances and collects outputs when every completion recovers the engine from its snapshot', async () => {
    const r = await runner(cab);
    const started = await r.start({ cab: ['ann', 'ben', 'cid', 'dee'], votes: ['stale'] });
    expect(started.createdTasks.map((t) => t.assignee)).toEqual(['ann', 'ben', 'cid', 'dee']);
    expect(started.waitingTaskExecutionIds).toEqual(started.createdTasks.map((t) => t.executionId));
    expect(started.variables.votes).toEqual([]);

    const first = await r.complete(started, started.createdTasks[2]!.executionId, { approved: true });
    expect(first.waitingTaskExecutionIds).toHaveLength(3);
    expect(first.variables.votes).toEqual(['cid:true']);

    const second = await r.complete(first, started.createdTasks[0]!.executionId, { approved: false });
    expect(second.variables.votes).toEqual(['cid:true', 'ann:false']);
    expect(second.activeElementIds).toEqual(['after']);
    expect(second.waitingTaskExecutionIds).toEqual([second.createdTasks[0]!.executionId]);
  });

  it('keeps a standard loop going across recoveries with its loopCounter', async () => {
    const r = await runner(
      bpmn(
        'loop',
        `<bpmn:startEvent id="start"/>
         <bpmn:userTask id="try" name="Try \${loopCounter}" camunda:assignee="x">
           <bpmn:standardLoopCharacteristics loopMaximum="2"/>
         </bpmn:userTask>
         <bpmn:endEvent id="end"/>
         <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="try"/><bpmn:sequenceFlow id="f2" sourceRef="try" targetRef="end"/>`,
      ),
    );
    const started = await r.start({});
    expect(started.createdTasks.map((t) => t.name)).toEqual(['Try 0']);
    const next = await r.complete(started, started.createdTasks[0]!.executionId);
    expect(next.createdTasks.map((t) => t.name)).toEqual(['Try 1']);
    const done = await r.complete(next, next.createdTasks[0]!.executionId);
    expect(done.status).toBe('completed');
  });

  it('runs sub-process instances sequentially and in parallel up to a completion condition, across recoveries', async () => {
    const definition = (sequential: boolean) =>
      bpmn(
        'sites',
        `<bpmn:startEvent id="start"/>
         <bpmn:subProcess id="perSite">
           <bpmn:multiInstanceLoopCharacteristics isSequential="${sequential}" camunda:collection="\${sites}" camunda:elementVariable="site">
             <bpmn:completionCondition>\${nrOfCompletedInstances == 2}</bpmn:completionCondition>
           </bpmn:multiInstanceLoopCharacteristics>
           <bpmn:startEvent id="s0"/>
           <bpmn:userTask id="check" name="Check \${site} \${loopCounter}" camunda:assignee="x"/>
           <bpmn:endEvent id="s9"/>
           <bpmn:sequenceFlow id="g1" sourceRef="s0" targetRef="check"/><bpmn:sequenceFlow id="g2" sourceRef="check" targetRef="s9"/>
         </bpmn:subProcess>
         <bpmn:endEvent id="end"/>
         <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="perSite"/><bpmn:sequenceFlow id="f2" sourceRef="perSite" targetRef="end"/>`,
      );
    const seq = await runner(definition(true));
    let run = await seq.start({ sites: ['a', 'b', 'c'] });
    expect(run.createdTasks.map((t) => t.name)).toEqual(['Check a 0']);
    run = await seq.complete(run, run.createdTasks[0]!.executionId);
    expect(run.createdTasks.map((t) => t.name)).toEqual(['Check b 1']);
    run = await seq.complete(run, run.createdTasks[0]!.executionId);
    expect(run.status).toBe('completed');

    const par = await runner(definition(false));
    const started = await par.start({ sites: ['a', 'b', 'c'] });
    expect(started.createdTasks.map((t) => t.name)).toEqual(['Check a 0', 'Check b 1', 'Check c 2']);
    run = await par.complete(started, started.createdTasks[1]!.executionId);
    expect(run.waitingTaskExecutionIds).toHaveLength(2);
    run = await par.complete(run, started.createdTasks[2]!.executionId);
    expect(run.status).toBe('completed');
  });

  it('stops a loop whose condition always holds at the iteration limit, failing the command with an error naming the element', async () => {
    const r = await runner(
      bpmn(
        'spinner',
        `<bpmn:startEvent id="start"/>
         <bpmn:task id="spin"><bpmn:standardLoopCharacteristics><bpmn:loopCondition>\${true}</bpmn:loopCondition></bpmn:standardLoopCharacteristics></bpmn:task>
         <bpmn:endEvent id="end"/>
         <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="spin"/><bpmn:sequenceFlow id="f2" sourceRef="spin" targetRef="end"/>`,
      ),
    );
    await expect(r.start({})).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED', message: expect.stringMatching(/"spin".*1000 iterations/) });
  });

  it('evaluates the input parameters of a multi-instance user task per instance, and maps its output parameters per instance', async () => {
    const r = await runner(
      bpmn(
        'io-mi',
        `<bpmn:startEvent id="start"/>
         <bpmn:userTask id="ask" name="Ask \${who}" camunda:assignee="\${who}">
           <bpmn:extensionElements><camunda:inputOutput>
             <camunda:inputParameter name="who">\${member}</camunda:inputParameter>
             <camunda:outputParameter name="answers">=append(answers, who + ":" + answer)</camunda:outputParameter>
           </camunda:inputOutput></bpmn:extensionElements>
           <bpmn:multiInstanceLoopCharacteristics camunda:collection="\${team}" camunda:elementVariable="member"/>
         </bpmn:userTask>
         <bpmn:endEvent id="end"/>
         <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask"/><bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="end"/>`,
      ),
    );
    const started = await r.start({ team: ['ann', 'ben'], answers: [] });
    expect(started.createdTasks.map((t) => [t.name, t.assignee])).toEqual([
      ['Ask ann', 'ann'],
      ['Ask ben', 'ben'],
    ]);
    const first = await r.complete(started, started.createdTasks[1]!.executionId, { answer: 'no' });
    expect(first.variables).toEqual({ team: ['ann', 'ben'], answers: ['ben:no'] });
    const done = await r.complete(first, started.createdTasks[0]!.executionId, { answer: 'yes' });
    expect(done.status).toBe('completed');
    expect(done.variables).toEqual({ team: ['ann', 'ben'], answers: ['ben:no', 'ann:yes'] });
  });
  describe('standard loops loop AS LONG AS loopCondition holds (BPMN 2.0 §13.2.7), across recoveries', () => {
    const loop = (attributes: string, condition = '${more}') =>
      bpmn(
        'loop',
        `<bpmn:startEvent id="start"/>
         <bpmn:userTask id="item" name="Item \${loopCounter}" camunda:assignee="x">
           <bpmn:standardLoopCharacteristics ${attributes}><bpmn:loopCondition>${condition}</bpmn:loopCondition></bpmn:standardLoopCharacteristics>
         </bpmn:userTask>
         <bpmn:endEvent id="end"/>
         <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="item"/><bpmn:sequenceFlow id="f2" sourceRef="item" targetRef="end"/>`,
      );
    /** Completes the open loop task with each of `rounds` in turn; the names of the tasks offered. */
    const drive = async (xml: string, start: Record<string, unknown>, rounds: Record<string, unknown>[]) => {
      const r = await runner(xml);
      let run = await r.start(start);
      const offered = [run.createdTasks.map((t) => t.name)];
      for (const variables of rounds) {
        run = await r.complete(run, run.waitingTaskExecutionIds[0]!, variables);
        offered.push(run.createdTasks.map((t) => t.name));
      }
      return { offered, run };
    };

    it('testBefore=false: runs, then goes on while the condition is true and stops when it is false', async () => {
      const { offered, run } = await drive(loop('testBefore="false"'), {}, [{ more: true }, { more: true }, { more: false }]);
      expect(offered).toEqual([['Item 0'], ['Item 1'], ['Item 2'], []]);
      expect(run.status).toBe('completed');
    });

    it('testBefore=true: a condition false at the start means no run at all; otherwise it is evaluated before each round', async () => {
      const none = await (await runner(loop('testBefore="true"'))).start({ more: false });
      expect(none.createdTasks).toEqual([]);
      expect(none.status).toBe('completed');
      expect(facts(none, 'item')).toEqual(['element.started item', 'element.completed item']);

      const { offered, run } = await drive(loop('testBefore="true"'), { more: true }, [{ more: true }, { more: false }]);
      expect(offered).toEqual([['Item 0'], ['Item 1'], []]);
      expect(run.status).toBe('completed');
    });

    it('loopMaximum caps a condition that still holds', async () => {
      const { offered, run } = await drive(loop('loopMaximum="2"', '${true}'), {}, [{}, {}]);
      expect(offered).toEqual([['Item 0'], ['Item 1'], []]);
      expect(run.status).toBe('completed');
    });
  });

  describe('history: each multi-instance instance and loop iteration is an activity instance of its own', () => {
    const vote = bpmn(
      'cab3',
      `<bpmn:startEvent id="start"/>
       <bpmn:userTask id="vote" camunda:assignee="x">
         <bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>4</bpmn:loopCardinality>
           <bpmn:completionCondition>\${nrOfCompletedInstances >= 2}</bpmn:completionCondition>
         </bpmn:multiInstanceLoopCharacteristics>
       </bpmn:userTask>
       <bpmn:endEvent id="end"/>
       <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="vote"/><bpmn:sequenceFlow id="f2" sourceRef="vote" targetRef="end"/>`,
    );
    const interrupted = bpmn(
      'cut',
      `<bpmn:startEvent id="start"/>
       <bpmn:userTask id="vote" camunda:assignee="x">
         <bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>
       </bpmn:userTask>
       <bpmn:boundaryEvent id="stop" attachedToRef="vote"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
       <bpmn:endEvent id="end"/><bpmn:endEvent id="stopped"/>
       <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="vote"/><bpmn:sequenceFlow id="f2" sourceRef="vote" targetRef="end"/>
       <bpmn:sequenceFlow id="f3" sourceRef="stop" targetRef="stopped"/>`,
    );

    it.each([
      ['recovered from the snapshot', false],
      ['kept live between commands', true],
    ])('records started/completed per instance with its loopCounter, the cut-off instances as cancelled, then the body once (engine %s)', async (_how, live) => {
      const r = await runner(vote, live);
      const started = await r.start({});
      expect(facts(started, 'vote')).toEqual([
        'element.started vote',
        ...[0, 1, 2, 3].flatMap((i) => [`element.started vote#${i}`, 'element.waiting vote']),
      ]);
      const first = await r.complete(started, started.createdTasks[2]!.executionId);
      expect(facts(first, 'vote')).toEqual(['element.completed vote#2']);
      const second = await r.complete(first, started.createdTasks[0]!.executionId);
      expect(facts(second)).toEqual([
        'element.completed vote#0',
        'element.cancelled vote#1',
        'element.cancelled vote#3',
        'element.completed vote',
        'element.started end',
        'element.completed end',
      ]);
      expect(second.events.filter((e) => e.type === 'element.cancelled').map((e) => e.executionId)).toEqual([
        started.createdTasks[1]!.executionId,
        started.createdTasks[3]!.executionId,
      ]);
    });

    it.each([
      ['recovered from the snapshot', false],
      ['kept live between commands', true],
    ])('records each round of a standard loop, and an interrupted body after its running instance (engine %s)', async (_how, live) => {
      const r = await runner(
        bpmn(
          'rounds',
          `<bpmn:startEvent id="start"/>
           <bpmn:userTask id="item" camunda:assignee="x"><bpmn:standardLoopCharacteristics loopMaximum="2"/></bpmn:userTask>
           <bpmn:endEvent id="end"/>
           <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="item"/><bpmn:sequenceFlow id="f2" sourceRef="item" targetRef="end"/>`,
        ),
        live,
      );
      let run = await r.start({});
      run = await r.complete(run, run.waitingTaskExecutionIds[0]!);
      expect(facts(run, 'item')).toEqual(['element.completed item#0', 'element.started item#1', 'element.waiting item']);
      run = await r.complete(run, run.waitingTaskExecutionIds[0]!);
      expect(facts(run, 'item')).toEqual(['element.completed item#1', 'element.completed item']);

      const cut = await runner(interrupted, live);
      const first = await cut.start({});
      const second = await cut.complete(first, first.waitingTaskExecutionIds[0]!);
      expect(facts(second, 'vote')).toEqual(['element.completed vote#0', 'element.started vote#1', 'element.waiting vote']);
      const stopped = await cut.act(second, (h) => h.fireTimer(h.timers()[0]!.executionId));
      expect(facts(stopped)).toEqual(['timer.fired stop', 'element.cancelled vote#1', 'element.cancelled vote', 'element.completed stop', 'element.started stopped', 'element.completed stopped']);
      expect(stopped.status).toBe('completed');
    });
      it.each([
      ['recovered from the snapshot', false],
      ['kept live between commands', true],
    ])('records each cancelled instance once when an interrupting event sub-process cuts the activity off (engine %s)', async (_how, live) => {
      const r = await runner(
        bpmn(
          'esp',
          `<bpmn:startEvent id="start"/>
           <bpmn:userTask id="vote" camunda:assignee="x"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>
           <bpmn:endEvent id="end"/>
           <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="vote"/><bpmn:sequenceFlow id="f2" sourceRef="vote" targetRef="end"/>
           <bpmn:subProcess id="late" triggeredByEvent="true">
             <bpmn:startEvent id="lateStart"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>
             <bpmn:endEvent id="lateEnd"/>
             <bpmn:sequenceFlow id="g1" sourceRef="lateStart" targetRef="lateEnd"/>
           </bpmn:subProcess>`,
        ),
        live,
      );
      const started = await r.start({});
      const cut = await r.act(started, (h) => h.fireTimer(h.timers()[0]!.executionId));
      const cancelled = cut.events.filter((e) => e.type === 'element.cancelled');
      expect(cancelled.map((e) => [e.executionId, e.payload?.loopCounter ?? e.payload?.multiInstanceBody])).toEqual([
        [started.waitingTaskExecutionIds[0], 0],
        [started.waitingTaskExecutionIds[1], 1],
        [started.waitingTaskExecutionIds[0]!.replace(/_0$/, ''), true],
      ]);
      expect(cut.status).toBe('completed');
    });
});
});
