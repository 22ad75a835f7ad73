import { compileDefinition, loadSourceContext } from '../definitions';
import { checkExpression } from '../expressions';
import { ServiceHandlerRegistry } from '../services/service-handler';
import { InstanceRunner, type RunOutcome, type RunnableDefinition } from './instance-runner';
import { bpmn } from '../../test/support/bpmn';

/** Every command recovers the engine from the snapshot (no live engine is kept), as after a restart. */
async function runner(xml: string) {
  const compiled = await compileDefinition(xml, { knownHandlers: new Set(), checkExpression });
  const definition: RunnableDefinition = { id: 'd1', key: compiled.processId, version: 1, sourceContext: loadSourceContext(compiled.serialized) };
  const engine = new InstanceRunner(new ServiceHandlerRegistry(), undefined, undefined, 0);
  const ctx = { instanceId: 'i1', businessKey: null };
  return {
    start: (variables: Record<string, unknown>) => engine.start(definition, ctx, variables),
    complete: (from: RunOutcome, executionId: string, variables: Record<string, unknown> = {}) =>
      engine.resume(definition, ctx, from.state!, (h) => {
        if (!h.isWaiting(executionId)) return false;
        h.signal(executionId, variables);
        return true;
      }),
  };
}

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

  it('stops a loop bounded only by its condition at the iteration limit, failing the command with an error naming the element', async () => {
    const r = await runner(
      bpmn(
        'spinner',
        `<bpmn:startEvent id="start"/>
         <bpmn:task id="spin"><bpmn:standardLoopCharacteristics><bpmn:loopCondition>\${false}</bpmn:loopCondition></bpmn:standardLoopCharacteristics></bpmn:task>
         <bpmn:endEvent id="end"/>
         <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="spin"/><bpmn:sequenceFlow id="f2" sourceRef="spin" targetRef="end"/>`,
      ),
    );
    await expect(r.start({})).rejects.toMatchObject({ code: 'PROCESS_FAILED', message: expect.stringMatching(/"spin".*1000 iterations/) });
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
});
