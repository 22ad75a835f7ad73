import { ManualClock, Orchestrator, type ServiceHandler } from '../../engine';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn, sequenceFlow as flow, userTask as task } from '../support/bpmn';

const HOUR = 3_600_000;

const conditional = (expression: string) =>
  `<bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">${expression}</bpmn:condition></bpmn:conditionalEventDefinition>`;

/** start → OR split (conditions a, b, c) → A/B/C → OR join → end */
const orJoin = bpmn(
  'or-join',
  [
    '<bpmn:startEvent id="start"/>',
    '<bpmn:inclusiveGateway id="split"/>',
    task('A'),
    task('B'),
    task('C'),
    '<bpmn:inclusiveGateway id="join"/>',
    '<bpmn:endEvent id="end"/>',
    flow('f0', 'start', 'split'),
    flow('fa', 'split', 'A', '${a}'),
    flow('fb', 'split', 'B', '${b}'),
    flow('fc', 'split', 'C', '${c}'),
    flow('ja', 'A', 'join'),
    flow('jb', 'B', 'join'),
    flow('jc', 'C', 'join'),
    flow('f1', 'join', 'end'),
  ].join('\n'),
);

/** `${setVars}`: copies its input parameters into the process variables. */
const setVars: ServiceHandler = { name: 'setVars', description: 'test handler: sets its inputs as variables', run: ({ inputs }) => ({ ...inputs }) };

interface Event {
  type: string;
  elementId: string;
  payload: any;
}

describe('gateways, conditional and link events (HTTP, PostgreSQL)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  const fire = () => t.app.get(Orchestrator).fireDueTimers('test-worker');
  const deploy = (xml: string) => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(201);
  const start = async (key: string, variables: Record<string, unknown> = {}) =>
    (await t.as('alice').post('/api/instances').send({ definitionKey: key, variables }).expect(201)).body.instance as { id: string; activeElementIds: string[] };
  const openTasks = async (id: string) =>
    (await t.as('auditor').get(`/api/tasks?instanceId=${id}&status=open`)).body.items as { id: string; elementId: string }[];
  const openTaskIds = async (id: string) => (await openTasks(id)).map((x) => x.elementId).sort();
  const history = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}/history`)).body as Event[];
  const completedCount = async (id: string, elementId: string) =>
    (await history(id)).filter((e) => e.type === 'element.completed' && e.elementId === elementId).length;
  const instance = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}`)).body;
  const timersOf = async (id: string) => (await t.as('auditor').get(`/api/timers?instanceId=${id}`)).body.items as { elementId: string }[];
  /** Completes the open task of `elementId` with `variables`. */
  const complete = async (instanceId: string, elementId: string, variables: Record<string, unknown> = {}) => {
    const found = (await openTasks(instanceId)).find((x) => x.elementId === elementId);
    if (!found) throw new Error(`no open task ${elementId}`);
    await t.as('alice').post(`/api/tasks/${found.id}/complete`).send({ variables }).expect(200);
    return found.id;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock, handlers: [setVars] });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  describe('inclusive gateway join', () => {
    beforeAll(() => deploy(orJoin));

    it('after a 2-of-3 split, waits for both taken branches and fires once; the end is reached once', async () => {
      const { id } = await start('or-join', { a: true, b: false, c: true });
      expect(await openTaskIds(id)).toEqual(['A', 'C']);
      await complete(id, 'A');
      expect(await completedCount(id, 'join')).toBe(0);
      const waiting = await instance(id);
      expect(waiting.status).toBe('running');
      expect(waiting.activeElementIds.sort()).toEqual(['C', 'join']);
      await complete(id, 'C');
      expect((await instance(id)).status).toBe('completed');
      expect(await completedCount(id, 'join')).toBe(1);
      expect(await completedCount(id, 'end')).toBe(1);
      expect((await t.as('auditor').get(`/api/instances/${id}/history/verify`)).body.valid).toBe(true);
    });

    it('keeps waiting while a branch still holds a token at a user task upstream', async () => {
      await deploy(
        bpmn(
          'or-join-chain',
          [
            '<bpmn:startEvent id="start"/>',
            '<bpmn:inclusiveGateway id="split"/>',
            task('A'),
            task('B1'),
            task('B2'),
            '<bpmn:inclusiveGateway id="join"/>',
            '<bpmn:endEvent id="end"/>',
            flow('f0', 'start', 'split'),
            flow('fa', 'split', 'A', '${true}'),
            flow('fb', 'split', 'B1', '${true}'),
            flow('fb2', 'B1', 'B2'),
            flow('ja', 'A', 'join'),
            flow('jb', 'B2', 'join'),
            flow('f1', 'join', 'end'),
          ].join('\n'),
        ),
      );
      const { id } = await start('or-join-chain');
      await complete(id, 'A');
      await complete(id, 'B1');
      expect(await openTaskIds(id)).toEqual(['B2']);
      expect(await completedCount(id, 'join')).toBe(0);
      expect((await instance(id)).status).toBe('running');
      await complete(id, 'B2');
      expect(await completedCount(id, 'join')).toBe(1);
      expect((await instance(id)).status).toBe('completed');
    });

    it('synchronises again after a loop back before the split, without waiting for an untaken branch', async () => {
      await deploy(
        bpmn(
          'or-join-loop',
          [
            '<bpmn:startEvent id="start"/>',
            '<bpmn:exclusiveGateway id="merge"/>',
            '<bpmn:inclusiveGateway id="split"/>',
            task('A'),
            task('B'),
            '<bpmn:inclusiveGateway id="join"/>',
            task('review'),
            '<bpmn:exclusiveGateway id="again" default="done"/>',
            '<bpmn:endEvent id="end"/>',
            flow('f0', 'start', 'merge'),
            flow('f1', 'merge', 'split'),
            flow('fa', 'split', 'A', '${true}'),
            flow('fb', 'split', 'B', '${round == 1}'),
            flow('ja', 'A', 'join'),
            flow('jb', 'B', 'join'),
            flow('f2', 'join', 'review'),
            flow('f3', 'review', 'again'),
            flow('back', 'again', 'merge', '${loop}'),
            flow('done', 'again', 'end'),
          ].join('\n'),
        ),
      );
      const { id } = await start('or-join-loop', { round: 1 });
      await complete(id, 'A');
      expect(await openTaskIds(id)).toEqual(['B']);
      await complete(id, 'B');
      await complete(id, 'review', { round: 2, loop: true });
      expect(await openTaskIds(id)).toEqual(['A']);
      await complete(id, 'A');
      expect(await openTaskIds(id)).toEqual(['review']);
      expect(await completedCount(id, 'join')).toBe(2);
      await complete(id, 'review', { loop: false });
      expect((await instance(id)).status).toBe('completed');
    });

    it('synchronises inside an embedded sub-process', async () => {
      await deploy(
        bpmn(
          'or-join-sub',
          [
            '<bpmn:startEvent id="start"/>',
            '<bpmn:subProcess id="sub">',
            '<bpmn:startEvent id="subStart"/>',
            '<bpmn:inclusiveGateway id="split"/>',
            task('A'),
            task('B'),
            '<bpmn:inclusiveGateway id="join"/>',
            '<bpmn:endEvent id="subEnd"/>',
            flow('s0', 'subStart', 'split'),
            flow('fa', 'split', 'A', '${true}'),
            flow('fb', 'split', 'B', '${true}'),
            flow('ja', 'A', 'join'),
            flow('jb', 'B', 'join'),
            flow('s1', 'join', 'subEnd'),
            '</bpmn:subProcess>',
            task('after'),
            '<bpmn:endEvent id="end"/>',
            flow('f0', 'start', 'sub'),
            flow('f1', 'sub', 'after'),
            flow('f2', 'after', 'end'),
          ].join('\n'),
        ),
      );
      const { id } = await start('or-join-sub');
      await complete(id, 'B');
      expect(await openTaskIds(id)).toEqual(['A']);
      expect(await completedCount(id, 'join')).toBe(0);
      await complete(id, 'A');
      expect(await openTaskIds(id)).toEqual(['after']);
      expect(await completedCount(id, 'join')).toBe(1);
      expect(await completedCount(id, 'sub')).toBe(1);
    });
  });

  describe('parallel gateway', () => {
    it('after an exclusive merge, the join waits for every real token (bpmn-engine#200)', async () => {
      await deploy(
        bpmn(
          'xor-merge-join',
          [
            '<bpmn:startEvent id="start"/>',
            '<bpmn:parallelGateway id="fork"/>',
            task('A'),
            '<bpmn:exclusiveGateway id="xs" default="skip"/>',
            task('B'),
            '<bpmn:exclusiveGateway id="xj"/>',
            '<bpmn:parallelGateway id="join"/>',
            '<bpmn:endEvent id="end"/>',
            flow('f0', 'start', 'fork'),
            flow('fa', 'fork', 'A'),
            flow('fx', 'fork', 'xs'),
            flow('toB', 'xs', 'B', '${needB}'),
            flow('skip', 'xs', 'xj'),
            flow('fromB', 'B', 'xj'),
            flow('ja', 'A', 'join'),
            flow('jx', 'xj', 'join'),
            flow('f1', 'join', 'end'),
          ].join('\n'),
        ),
      );
      const { id } = await start('xor-merge-join', { needB: true });
      await complete(id, 'A');
      expect((await instance(id)).status).toBe('running');
      expect(await openTaskIds(id)).toEqual(['B']);
      expect(await completedCount(id, 'end')).toBe(0);
      await complete(id, 'B');
      expect((await instance(id)).status).toBe('completed');
      expect(await completedCount(id, 'join')).toBe(1);
      expect(await completedCount(id, 'end')).toBe(1);
    });

    it('ignores conditions on its outgoing flows and warns about them at deploy', async () => {
      const res = await deploy(
        bpmn(
          'parallel-conditions',
          [
            '<bpmn:startEvent id="start"/>',
            '<bpmn:parallelGateway id="fork"/>',
            task('A'),
            task('B'),
            '<bpmn:parallelGateway id="join"/>',
            '<bpmn:endEvent id="end"/>',
            flow('f0', 'start', 'fork'),
            flow('fa', 'fork', 'A', '${false}'),
            flow('fb', 'fork', 'B', '${true}'),
            flow('ja', 'A', 'join'),
            flow('jb', 'B', 'join'),
            flow('f1', 'join', 'end'),
          ].join('\n'),
        ),
      );
      expect(JSON.stringify(res.body)).toContain('parallel-gateway-condition');
      const { id } = await start('parallel-conditions');
      expect(await openTaskIds(id)).toEqual(['A', 'B']);
      await complete(id, 'A');
      await complete(id, 'B');
      expect((await instance(id)).status).toBe('completed');
    });
  });

  describe('conditional events', () => {
    it('an intermediate conditional event fires when a later task completion sets the variable', async () => {
      await deploy(
        bpmn(
          'cond-catch',
          [
            '<bpmn:startEvent id="start"/>',
            '<bpmn:parallelGateway id="fork"/>',
            task('prepare'),
            `<bpmn:intermediateCatchEvent id="whenReady">${conditional('${ready}')}</bpmn:intermediateCatchEvent>`,
            task('go'),
            '<bpmn:endEvent id="end1"/>',
            '<bpmn:endEvent id="end2"/>',
            flow('f0', 'start', 'fork'),
            flow('f1', 'fork', 'prepare'),
            flow('f2', 'fork', 'whenReady'),
            flow('f3', 'prepare', 'end1'),
            flow('f4', 'whenReady', 'go'),
            flow('f5', 'go', 'end2'),
          ].join('\n'),
        ),
      );
      const started = await start('cond-catch', { ready: false });
      expect(started.activeElementIds.sort()).toEqual(['prepare', 'whenReady']);
      expect((await history(started.id)).some((e) => e.type === 'element.waiting' && e.elementId === 'whenReady')).toBe(true);
      await complete(started.id, 'prepare', { ready: true });
      expect(await completedCount(started.id, 'whenReady')).toBe(1);
      expect(await openTaskIds(started.id)).toEqual(['go']);
    });

    const boundary = (key: string, interrupting: boolean) =>
      bpmn(
        key,
        [
          '<bpmn:startEvent id="start"/>',
          '<bpmn:parallelGateway id="fork"/>',
          task('work'),
          task('watch'),
          `<bpmn:boundaryEvent id="escalated" attachedToRef="work" cancelActivity="${interrupting}">${conditional('=priority = "high"')}</bpmn:boundaryEvent>`,
          task('escalation'),
          '<bpmn:endEvent id="end1"/>',
          '<bpmn:endEvent id="end2"/>',
          '<bpmn:endEvent id="end3"/>',
          flow('f0', 'start', 'fork'),
          flow('f1', 'fork', 'work'),
          flow('f2', 'fork', 'watch'),
          flow('f3', 'work', 'end1'),
          flow('f4', 'watch', 'end2'),
          flow('f5', 'escalated', 'escalation'),
          flow('f6', 'escalation', 'end3'),
        ].join('\n'),
      );

    it('an interrupting conditional boundary event cancels its task when another task sets the variable', async () => {
      await deploy(boundary('cond-boundary', true));
      const { id } = await start('cond-boundary', { priority: 'low' });
      const work = (await openTasks(id)).find((x) => x.elementId === 'work')!;
      await complete(id, 'watch', { priority: 'high' });
      expect(await openTaskIds(id)).toEqual(['escalation']);
      expect((await t.as('auditor').get(`/api/tasks/${work.id}`)).body.status).toBe('cancelled');
      expect(await completedCount(id, 'escalated')).toBe(1);
    });

    it('a non-interrupting conditional boundary event starts its path and leaves the task open', async () => {
      await deploy(boundary('cond-boundary-ni', false));
      const { id } = await start('cond-boundary-ni', { priority: 'low' });
      await complete(id, 'watch', { priority: 'high' });
      expect(await openTaskIds(id)).toEqual(['escalation', 'work']);
      await complete(id, 'work');
      await complete(id, 'escalation');
      expect((await instance(id)).status).toBe('completed');
    });

    it('a conditional event sub-process start runs when a task completion makes the condition true', async () => {
      await deploy(
        bpmn(
          'cond-esp',
          [
            '<bpmn:startEvent id="start"/>',
            task('first'),
            task('second'),
            '<bpmn:endEvent id="end"/>',
            flow('f0', 'start', 'first'),
            flow('f1', 'first', 'second'),
            flow('f2', 'second', 'end'),
            `<bpmn:subProcess id="onCancel" triggeredByEvent="true">
               <bpmn:startEvent id="cancelRequested">${conditional('${cancelRequested}')}</bpmn:startEvent>
               ${task('handleCancel')}
               <bpmn:endEvent id="cancelEnd"/>
               ${flow('e0', 'cancelRequested', 'handleCancel')}
               ${flow('e1', 'handleCancel', 'cancelEnd')}
             </bpmn:subProcess>`,
          ].join('\n'),
        ),
      );
      const { id } = await start('cond-esp', { cancelRequested: false });
      await complete(id, 'first', { cancelRequested: true });
      expect(await openTaskIds(id)).toEqual(['handleCancel']);
      expect(await completedCount(id, 'cancelRequested')).toBe(1);
      await complete(id, 'handleCancel');
      expect((await instance(id)).status).toBe('completed');
      expect(await completedCount(id, 'end')).toBe(0);
    });
  });

  it('conditions that keep triggering each other fail the command with 422 and change nothing', async () => {
    const flip = (id: string, when: string, value: string) => `<bpmn:subProcess id="${id}" triggeredByEvent="true">
         <bpmn:startEvent id="${id}Start" isInterrupting="false">${conditional(when)}</bpmn:startEvent>
         <bpmn:serviceTask id="${id}Set" camunda:delegateExpression="\${setVars}">
           <bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="x">${value}</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>
         </bpmn:serviceTask>
         <bpmn:endEvent id="${id}End"/>
         ${flow(`${id}0`, `${id}Start`, `${id}Set`)}${flow(`${id}1`, `${id}Set`, `${id}End`)}
       </bpmn:subProcess>`;
    await deploy(
      bpmn(
        'cond-loop',
        [
          '<bpmn:startEvent id="start"/>',
          task('first'),
          task('second'),
          '<bpmn:endEvent id="end"/>',
          flow('f0', 'start', 'first'),
          flow('f1', 'first', 'second'),
          flow('f2', 'second', 'end'),
          flip('flip', '${x == "on"}', 'off'),
          flip('flop', '${x == "off"}', 'on'),
        ].join('\n'),
      ),
    );
    const { id } = await start('cond-loop', { x: 'idle' });
    const [first] = await openTasks(id);
    const before = await instance(id);
    const res = await t.as('alice').post(`/api/tasks/${first!.id}/complete`).send({ variables: { x: 'on' } });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.detail).toMatch(/conditional events kept firing/);
    const after = await instance(id);
    expect(after.revision).toBe(before.revision);
    expect(after.variables).toEqual(before.variables);
    expect(await openTaskIds(id)).toEqual(['first']);
  });

  describe('event-based gateway with timer and conditional branches', () => {
    beforeAll(() =>
      deploy(
        bpmn(
          'ebg-race',
          [
            '<bpmn:startEvent id="start"/>',
            '<bpmn:parallelGateway id="fork"/>',
            task('work'),
            '<bpmn:eventBasedGateway id="race"/>',
            `<bpmn:intermediateCatchEvent id="done">${conditional('${finished}')}</bpmn:intermediateCatchEvent>`,
            '<bpmn:intermediateCatchEvent id="late"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
            task('chase'),
            '<bpmn:endEvent id="end1"/>',
            '<bpmn:endEvent id="end2"/>',
            '<bpmn:endEvent id="end3"/>',
            flow('f0', 'start', 'fork'),
            flow('f1', 'fork', 'work'),
            flow('f2', 'fork', 'race'),
            flow('f3', 'work', 'end1'),
            flow('g1', 'race', 'done'),
            flow('g2', 'race', 'late'),
            flow('f4', 'done', 'end2'),
            flow('f5', 'late', 'chase'),
            flow('f6', 'chase', 'end3'),
          ].join('\n'),
        ),
      ),
    );

    it('the condition becoming true first wins and removes the timer job', async () => {
      const { id } = await start('ebg-race', { finished: false });
      expect((await timersOf(id)).map((x) => x.elementId)).toEqual(['late']);
      await complete(id, 'work', { finished: true });
      expect(await timersOf(id)).toEqual([]);
      expect(await completedCount(id, 'done')).toBe(1);
      expect((await instance(id)).status).toBe('completed');
    });

    it('a condition already true when the gateway is reached wins at once: no timer is left armed', async () => {
      const { id } = await start('ebg-race', { finished: true });
      expect(await completedCount(id, 'done')).toBe(1);
      expect(await timersOf(id)).toEqual([]);
      await complete(id, 'work');
      expect((await instance(id)).status).toBe('completed');
    });

    it('the timer firing first wins and discards the conditional branch', async () => {
      const { id } = await start('ebg-race', { finished: false });
      clock.advance(HOUR + 1000);
      expect((await fire()).fired).toBeGreaterThanOrEqual(1);
      expect(await openTaskIds(id)).toEqual(['chase', 'work']);
      await complete(id, 'work', { finished: true });
      expect(await completedCount(id, 'done')).toBe(0);
      await complete(id, 'chase');
      expect((await instance(id)).status).toBe('completed');
    });
  });

  describe('event-based gateway whose timer date has already passed', () => {
    beforeAll(() =>
      deploy(
        bpmn(
          'ebg-past',
          [
            '<bpmn:message id="cancelMsg" name="cancel-change"/>',
            '<bpmn:startEvent id="start"/>',
            '<bpmn:eventBasedGateway id="window"/>',
            '<bpmn:intermediateCatchEvent id="opens"><bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">${plannedStart}</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
            '<bpmn:intermediateCatchEvent id="cancel"><bpmn:messageEventDefinition messageRef="cancelMsg"/></bpmn:intermediateCatchEvent>',
            task('implement'),
            '<bpmn:endEvent id="done"/>',
            '<bpmn:endEvent id="cancelled"/>',
            flow('f0', 'start', 'window'),
            flow('g1', 'window', 'opens'),
            flow('g2', 'window', 'cancel'),
            flow('f1', 'opens', 'implement'),
            flow('f2', 'implement', 'done'),
            flow('f3', 'cancel', 'cancelled'),
          ].join('\n'),
        ).replace('<bpmn:message id="cancelMsg" name="cancel-change"/>', '').replace('<bpmn:process', '<bpmn:message id="cancelMsg" name="cancel-change"/>\n<bpmn:process'),
      ),
    );

    it('a date in the past fires on arrival, the message branch is discarded and the instance completes', async () => {
      // Past on the test's clock and on the real one (bpmn-elements compares dates with the real clock).
      const past = Math.min(clock.now().getTime(), Date.now()) - HOUR;
      const { id } = await start('ebg-past', { plannedStart: new Date(past).toISOString() });
      expect(await openTaskIds(id)).toEqual(['implement']);
      expect((await t.as('auditor').get(`/api/subscriptions?instanceId=${id}`).expect(200)).body.items).toEqual([]);
      expect(await timersOf(id)).toEqual([]);
      await complete(id, 'implement');
      expect((await instance(id)).status).toBe('completed');
      expect(await completedCount(id, 'cancel')).toBe(0);
    });
  });

  it('link events: an unreached link catch event is not active; the thrown link continues the flow', async () => {
    await deploy(
      bpmn(
        'links',
        [
          '<bpmn:startEvent id="start"/>',
          task('first'),
          '<bpmn:intermediateThrowEvent id="throwL" name="L"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateThrowEvent>',
          '<bpmn:intermediateCatchEvent id="catchL" name="L"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateCatchEvent>',
          task('afterLink'),
          '<bpmn:endEvent id="end"/>',
          flow('f0', 'start', 'first'),
          flow('f1', 'first', 'throwL'),
          flow('c1', 'catchL', 'afterLink'),
          flow('c2', 'afterLink', 'end'),
        ].join('\n'),
      ),
    );
    const started = await start('links');
    expect(started.activeElementIds).toEqual(['first']);
    expect((await history(started.id)).filter((e) => e.elementId === 'catchL')).toEqual([]);
    await complete(started.id, 'first');
    expect((await instance(started.id)).activeElementIds).toEqual(['afterLink']);
    await complete(started.id, 'afterLink');
    expect((await instance(started.id)).status).toBe('completed');
  });
});
