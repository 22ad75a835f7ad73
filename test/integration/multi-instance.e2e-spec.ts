import type { ServiceHandler } from '../../engine';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn } from '../support/bpmn';

interface Task {
  id: string;
  elementId: string;
  executionId: string;
  name: string | null;
  assignee: string | null;
  status: string;
}

const flows = (...ids: string[]) => ids.slice(1).map((target, i) => `<bpmn:sequenceFlow id="f${i}" sourceRef="${ids[i]}" targetRef="${target}"/>`).join('\n');

/** Reviewers review in parallel, each the task assigned to them; a closing task follows. */
const parallelReview = bpmn(
  'mi-parallel',
  `<bpmn:startEvent id="start"/>
   <bpmn:userTask id="review" name="Review #\${loopCounter} by \${reviewer}" camunda:assignee="\${reviewer}">
     <bpmn:multiInstanceLoopCharacteristics camunda:collection="\${reviewers}" camunda:elementVariable="reviewer"/>
   </bpmn:userTask>
   <bpmn:userTask id="close" camunda:candidateGroups="servicedesk"/>
   <bpmn:endEvent id="end"/>${flows('start', 'review', 'close', 'end')}`,
);

/** The CAB: five approvers vote in parallel; three votes are a quorum. */
const cab = bpmn(
  'mi-cab',
  `<bpmn:startEvent id="start"/>
   <bpmn:userTask id="vote" name="CAB vote" camunda:assignee="\${approver}">
     <bpmn:multiInstanceLoopCharacteristics camunda:collection="\${cab}" camunda:elementVariable="approver"
         itsm:outputCollection="votes" itsm:outputElement="\${approved}">
       <bpmn:completionCondition>\${nrOfCompletedInstances >= 3}</bpmn:completionCondition>
     </bpmn:multiInstanceLoopCharacteristics>
   </bpmn:userTask>
   <bpmn:userTask id="implement" camunda:candidateGroups="servicedesk"/>
   <bpmn:endEvent id="end"/>${flows('start', 'vote', 'implement', 'end')}`,
);

const sequential = bpmn(
  'mi-sequential',
  `<bpmn:startEvent id="start"/>
   <bpmn:userTask id="sign" name="Sign \${loopCounter}" camunda:assignee="\${signer}">
     <bpmn:multiInstanceLoopCharacteristics isSequential="true" camunda:collection="\${signers}" camunda:elementVariable="signer"/>
   </bpmn:userTask>
   <bpmn:endEvent id="end"/>${flows('start', 'sign', 'end')}`,
);

const calls: { loopCounter: unknown; inputs: unknown }[] = [];
const notify: ServiceHandler = {
  name: 'notify',
  description: 'test handler: records each call',
  run(ctx) {
    calls.push({ loopCounter: ctx.variables.loopCounter, inputs: ctx.inputs });
    return { notified: calls.length };
  },
};

const serviceLoop = bpmn(
  'mi-service',
  `<bpmn:startEvent id="start"/>
   <bpmn:serviceTask id="send" camunda:delegateExpression="\${notify}">
     <bpmn:extensionElements><camunda:inputOutput>
       <camunda:inputParameter name="copy">\${loopCounter}</camunda:inputParameter>
       <camunda:outputParameter name="lastCall">\${notified}</camunda:outputParameter>
     </camunda:inputOutput></bpmn:extensionElements>
     <bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>\${count}</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>
   </bpmn:serviceTask>
   <bpmn:endEvent id="end"/>${flows('start', 'send', 'end')}`,
);

/** Each site is checked in its own sub-process instance; its task sees the site. */
const subProcessLoop = bpmn(
  'mi-subprocess',
  `<bpmn:startEvent id="start"/>
   <bpmn:subProcess id="perSite">
     <bpmn:multiInstanceLoopCharacteristics camunda:collection="\${sites}" camunda:elementVariable="site"
         itsm:outputCollection="checked" itsm:outputElement="\${site}"/>
     <bpmn:startEvent id="s0"/>
     <bpmn:userTask id="check" name="Check \${site} (\${loopCounter})" camunda:candidateGroups="servicedesk"/>
     <bpmn:endEvent id="s9"/>
     <bpmn:sequenceFlow id="g1" sourceRef="s0" targetRef="check"/><bpmn:sequenceFlow id="g2" sourceRef="check" targetRef="s9"/>
   </bpmn:subProcess>
   <bpmn:userTask id="after" camunda:candidateGroups="servicedesk"/>
   <bpmn:endEvent id="end"/>${flows('start', 'perSite', 'after', 'end')}`,
);

/** Loops AS LONG AS the condition holds (BPMN 2.0): another attempt while the problem is not fixed. */
const standardLoop = bpmn(
  'std-loop',
  `<bpmn:startEvent id="start"/>
   <bpmn:userTask id="attempt" name="Attempt \${loopCounter}" camunda:candidateGroups="servicedesk">
     <bpmn:standardLoopCharacteristics loopMaximum="3"><bpmn:loopCondition>\${fixed == false}</bpmn:loopCondition></bpmn:standardLoopCharacteristics>
   </bpmn:userTask>
   <bpmn:endEvent id="end"/>${flows('start', 'attempt', 'end')}`,
);

/** testBefore: the condition is evaluated before each round; false at the start means no round at all. */
const standardLoopTestBefore = bpmn(
  'std-loop-before',
  `<bpmn:startEvent id="start"/>
   <bpmn:userTask id="chase" name="Chase \${loopCounter}" camunda:candidateGroups="servicedesk">
     <bpmn:standardLoopCharacteristics testBefore="true"><bpmn:loopCondition>\${open == true}</bpmn:loopCondition></bpmn:standardLoopCharacteristics>
   </bpmn:userTask>
   <bpmn:userTask id="close" camunda:candidateGroups="servicedesk"/>
   <bpmn:endEvent id="end"/>${flows('start', 'chase', 'close', 'end')}`,
);

/** Output parameters on a user task and a sub-process; input parameters stay local. */
const io = bpmn(
  'io-mapping',
  `<bpmn:startEvent id="start"/>
   <bpmn:userTask id="assess" name="Assess for \${requester}" camunda:assignee="\${owner}">
     <bpmn:extensionElements><camunda:inputOutput>
       <camunda:inputParameter name="owner">\${requester}</camunda:inputParameter>
       <camunda:outputParameter name="risk">=if score > 5 then "high" else "low"</camunda:outputParameter>
     </camunda:inputOutput></bpmn:extensionElements>
   </bpmn:userTask>
   <bpmn:subProcess id="review">
     <bpmn:extensionElements><camunda:inputOutput>
       <camunda:inputParameter name="reviewGroup">cab</camunda:inputParameter>
       <camunda:outputParameter name="reviewed">\${verdict == 'ok'}</camunda:outputParameter>
     </camunda:inputOutput></bpmn:extensionElements>
     <bpmn:startEvent id="r0"/>
     <bpmn:userTask id="inspect" name="Inspect (\${reviewGroup}, \${risk})" camunda:candidateGroups="servicedesk"/>
     <bpmn:endEvent id="r9"/>
     <bpmn:sequenceFlow id="g1" sourceRef="r0" targetRef="inspect"/><bpmn:sequenceFlow id="g2" sourceRef="inspect" targetRef="r9"/>
   </bpmn:subProcess>
   <bpmn:endEvent id="end"/>${flows('start', 'assess', 'review', 'end')}`,
);

/** A parallel branch changes a variable after the sub-process started; the sub-process reads it later. */
const liveVariables = bpmn(
  'sub-live',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork"/>
   <bpmn:parallelGateway id="fork"/>
   <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="inner"/>
   <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="setPriority"/>
   <bpmn:subProcess id="inner">
     <bpmn:startEvent id="i0"/>
     <bpmn:userTask id="first" camunda:candidateGroups="servicedesk"/>
     <bpmn:userTask id="second" name="Handle \${priority}" camunda:assignee="\${handler}"/>
     <bpmn:endEvent id="i9"/>
     <bpmn:sequenceFlow id="g1" sourceRef="i0" targetRef="first"/><bpmn:sequenceFlow id="g2" sourceRef="first" targetRef="second"/>
     <bpmn:sequenceFlow id="g3" sourceRef="second" targetRef="i9"/>
   </bpmn:subProcess>
   <bpmn:userTask id="setPriority" camunda:candidateGroups="servicedesk"/>
   <bpmn:parallelGateway id="join"/>
   <bpmn:sequenceFlow id="f3" sourceRef="inner" targetRef="join"/>
   <bpmn:sequenceFlow id="f4" sourceRef="setPriority" targetRef="join"/>
   <bpmn:sequenceFlow id="f5" sourceRef="join" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

const oversized = bpmn(
  'mi-oversized',
  `<bpmn:startEvent id="start"/>
   <bpmn:userTask id="huge" camunda:assignee="\${item}">
     <bpmn:multiInstanceLoopCharacteristics camunda:collection="\${items}"/>
   </bpmn:userTask>
   <bpmn:endEvent id="end"/>${flows('start', 'huge', 'end')}`,
);

/** Multi-instance task rows in instance order (their execution ids end in _<loopCounter>). */
const byLoopCounter = (tasks: Task[]) => [...tasks].sort((a, b) => Number(/_(\d+)$/.exec(a.executionId)![1]) - Number(/_(\d+)$/.exec(b.executionId)![1]));

describe('multi-instance, loops and data mapping', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const people = ['ann', 'ben', 'cid', 'dee', 'eve'];
  const deploy = (xml: string) => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml);
  const definitions: Record<string, string> = {
    'mi-parallel': parallelReview, 'mi-cab': cab, 'mi-sequential': sequential, 'mi-service': serviceLoop, 'mi-subprocess': subProcessLoop,
    'std-loop': standardLoop, 'std-loop-before': standardLoopTestBefore, 'io-mapping': io, 'sub-live': liveVariables, 'mi-oversized': oversized,
  };
  const deployed = new Set<string>();
  /** Deploys the definition of `key` on first use (each test fails on its own if it is refused) and starts it. */
  const start = async (key: string, variables: Record<string, unknown> = {}) => {
    if (!deployed.has(key)) {
      await deploy(definitions[key]!).expect(201);
      deployed.add(key);
    }
    return (await t.as('alice').post('/api/instances').send({ definitionKey: key, variables }).expect(201)).body;
  };
  const tasksOf = async (id: string, status = 'open') => (await t.as('auditor').get(`/api/tasks?instanceId=${id}&status=${status}`)).body.items as Task[];
  const instance = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}`)).body;
  const history = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}/history`)).body as { type: string; elementId: string; payload: any }[];
  const complete = (task: Task, as: string, variables: Record<string, unknown> = {}) => t.as(as).post(`/api/tasks/${task.id}/complete`).send({ variables });

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { handlers: [notify] });
    for (const username of people) await t.user({ username, roles: ['staff'], groups: ['servicedesk'] });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('opens one task per element of the collection, assigned per element, each completable; the process goes on after all', async () => {
    const started = await start('mi-parallel', { reviewers: ['ann', 'ben', 'cid'] });
    const id = started.instance.id;
    const open = byLoopCounter(await tasksOf(id));
    expect(open.map((x) => [x.name, x.assignee])).toEqual([
      ['Review #0 by ann', 'ann'],
      ['Review #1 by ben', 'ben'],
      ['Review #2 by cid', 'cid'],
    ]);
    expect(new Set(open.map((x) => x.executionId)).size).toBe(3);
    await complete(open[1]!, 'ben').expect(200);
    await complete(open[0]!, 'ann').expect(200);
    expect((await tasksOf(id)).map((x) => x.elementId)).toEqual(['review']);
    await complete(open[2]!, 'cid').expect(200);
    expect((await tasksOf(id)).map((x) => x.elementId)).toEqual(['close']);
    expect((await tasksOf(id, 'completed')).map((x) => x.assignee).sort()).toEqual(['ann', 'ben', 'cid']);
  });

  it('ends a CAB vote at a quorum of three: the two remaining tasks are cancelled and the votes list holds three entries', async () => {
    const started = await start('mi-cab', { cab: people });
    const id = started.instance.id;
    const open = byLoopCounter(await tasksOf(id));
    expect(open.map((x) => x.assignee)).toEqual(people);
    await complete(open[0]!, 'ann', { approved: true }).expect(200);
    await complete(open[3]!, 'dee', { approved: false }).expect(200);
    expect((await tasksOf(id)).length).toBe(3);
    await complete(open[4]!, 'eve', { approved: true }).expect(200);

    expect((await tasksOf(id)).map((x) => x.elementId)).toEqual(['implement']);
    const cancelled = await tasksOf(id, 'cancelled');
    expect(cancelled.map((x) => x.assignee).sort()).toEqual(['ben', 'cid']);
    expect((await instance(id)).variables.votes).toEqual([true, false, true]);
    const events = await history(id);
    expect(events.filter((e) => e.type === 'task.cancelled').length).toBe(2);
    expect(events.filter((e) => e.type === 'task.completed').length).toBe(3);
    // each vote is an activity instance of its own in the history (as in Camunda), then the body once
    const ofVote = (type: string) => events.filter((e) => e.type === type && e.elementId === 'vote');
    const counter = (e: { payload: any }) => (typeof e.payload?.loopCounter === 'number' ? e.payload.loopCounter : 'body');
    expect(ofVote('element.completed').map(counter)).toEqual([0, 3, 4, 'body']);
    expect(ofVote('element.completed').at(-1)!.payload).toEqual({ multiInstanceBody: true });
    expect(ofVote('element.cancelled').map(counter).sort()).toEqual([1, 2]);
    expect(ofVote('element.started').map(counter)).toEqual(['body', 0, 1, 2, 3, 4]);
    // the instances cut off by the quorum are cancelled before the body completes
    const bodyEnd = events.findIndex((e) => e.type === 'element.completed' && e.elementId === 'vote' && counter(e) === 'body');
    expect(events.findIndex((e) => e.type === 'element.cancelled' && e.elementId === 'vote')).toBeLessThan(bodyEnd);
    // a cancelled vote can no longer be cast
    expect((await complete(open[1]!, 'ben', { approved: true })).status).toBe(409);
  });

  it('runs a sequential multi-instance one task at a time, in order', async () => {
    const started = await start('mi-sequential', { signers: ['cid', 'ann', 'ben'] });
    const id = started.instance.id;
    for (const [index, signer] of ['cid', 'ann', 'ben'].entries()) {
      const open = await tasksOf(id);
      expect(open.map((x) => [x.name, x.assignee])).toEqual([[`Sign ${index}`, signer]]);
      await complete(open[0]!, signer).expect(200);
    }
    expect((await instance(id)).status).toBe('completed');
  });

  it('calls a handler once per loopCardinality instance, with its loopCounter; its output parameter maps the result', async () => {
    calls.length = 0;
    const started = await start('mi-service', { count: 3 });
    expect(started.instance.status).toBe('completed');
    expect(calls).toEqual([
      { loopCounter: 0, inputs: { copy: 0 } },
      { loopCounter: 1, inputs: { copy: 1 } },
      { loopCounter: 2, inputs: { copy: 2 } },
    ]);
    // output parameters: only the mapped value reaches the process, not the handler's own result
    expect(started.instance.variables.lastCall).toBe(3);
    expect(started.instance.variables).not.toHaveProperty('notified');
    expect(started.instance.variables).not.toHaveProperty('copy');
  });

  it('runs a multi-instance embedded sub-process: each instance has its own task that sees its element', async () => {
    const started = await start('mi-subprocess', { sites: ['paris', 'oslo'] });
    const id = started.instance.id;
    const open = await tasksOf(id);
    expect(open.map((x) => x.name).sort()).toEqual(['Check oslo (1)', 'Check paris (0)']);
    await complete(open.find((x) => x.name === 'Check oslo (1)')!, 'alice').expect(200);
    await complete(open.find((x) => x.name === 'Check paris (0)')!, 'alice').expect(200);
    expect((await tasksOf(id)).map((x) => x.elementId)).toEqual(['after']);
    expect((await instance(id)).variables.checked).toEqual(['oslo', 'paris']);
  });

  it('completes a standard loop user task each round, with the loopCounter in its name, as long as the loop condition holds', async () => {
    const started = await start('std-loop', { fixed: false });
    const id = started.instance.id;
    let [task] = await tasksOf(id);
    await complete(task!, 'alice', { fixed: false }).expect(200); // was 409: the loop's task was never seen as waiting
    expect(task!.name).toBe('Attempt 0');
    [task] = await tasksOf(id);
    expect(task!.name).toBe('Attempt 1');
    await complete(task!, 'alice', { fixed: true }).expect(200);
    expect((await instance(id)).status).toBe('completed');
    const rounds = (await history(id)).filter((e) => e.elementId === 'attempt' && e.type === 'element.completed');
    expect(rounds.map((e) => e.payload?.loopCounter ?? 'body')).toEqual([0, 1, 'body']);
  });

  it('tests a testBefore standard loop before each round: no round when false at the start, rounds while it holds', async () => {
    const none = (await start('std-loop-before', { open: false })).instance.id;
    expect((await tasksOf(none)).map((x) => x.elementId)).toEqual(['close']);
    expect((await history(none)).filter((e) => e.elementId === 'chase').map((e) => e.type)).toEqual(['element.started', 'element.completed']);

    const id = (await start('std-loop-before', { open: true })).instance.id;
    let [task] = await tasksOf(id);
    expect(task!.name).toBe('Chase 0');
    await complete(task!, 'alice', { open: true }).expect(200);
    [task] = await tasksOf(id);
    expect(task!.name).toBe('Chase 1');
    await complete(task!, 'alice', { open: false }).expect(200);
    expect((await tasksOf(id)).map((x) => x.elementId)).toEqual(['close']);
  });

  it('refuses a collection above the limit with a 422 naming the element, and a literal cardinality above it at deploy', async () => {
    await start('mi-oversized', { items: ['ann'] });
    const before = (await t.as('auditor').get('/api/instances?key=mi-oversized')).body.total;
    const res = await t.as('alice').post('/api/instances').send({ definitionKey: 'mi-oversized', variables: { items: Array.from({ length: 1001 }, (_, i) => `u${i}`) } });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.detail).toMatch(/huge/);
    expect((await t.as('auditor').get('/api/instances?key=mi-oversized')).body.total).toBe(before);

    const literal = await deploy(
      bpmn('mi-literal', `<bpmn:startEvent id="start"/><bpmn:userTask id="many" camunda:candidateGroups="servicedesk">
        <bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>5000</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>
      </bpmn:userTask><bpmn:endEvent id="end"/>${flows('start', 'many', 'end')}`),
    );
    expect(literal.status).toBe(422);
    expect(JSON.stringify(literal.body)).toMatch(/many/);
  });

  it('maps output parameters of a user task and a sub-process into the process; input parameters stay local', async () => {
    const started = await start('io-mapping', { requester: 'dee' });
    const id = started.instance.id;
    const [assess] = await tasksOf(id);
    expect([assess!.name, assess!.assignee]).toEqual(['Assess for dee', 'dee']);
    await complete(assess!, 'dee', { score: 7 }).expect(200);
    let vars = (await instance(id)).variables;
    expect(vars.risk).toBe('high');
    expect(vars).not.toHaveProperty('score'); // with output parameters only mapped values reach the process
    expect(vars).not.toHaveProperty('owner'); // an input parameter is local

    const [inspect] = await tasksOf(id);
    expect(inspect!.name).toBe('Inspect (cab, high)');
    await complete(inspect!, 'alice', { verdict: 'ok' }).expect(200);
    vars = (await instance(id)).variables;
    expect((await instance(id)).status).toBe('completed');
    expect(vars.reviewed).toBe(true);
    expect(vars).not.toHaveProperty('reviewGroup');
  });

  it('lets a sub-process see a process variable that a parallel branch changed after it started', async () => {
    const started = await start('sub-live', { priority: 'low', handler: 'ann' });
    const id = started.instance.id;
    const open = await tasksOf(id);
    await complete(open.find((x) => x.elementId === 'setPriority')!, 'alice', { priority: 'high', handler: 'ben' }).expect(200);
    await complete(open.find((x) => x.elementId === 'first')!, 'alice').expect(200);
    const [second] = await tasksOf(id);
    expect([second!.elementId, second!.name, second!.assignee]).toEqual(['second', 'Handle high', 'ben']);
  });
});
