import type { ServiceHandler } from '../../engine';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn, linearTasks } from '../support/bpmn';

/** `${gate}`: waits until the test opens it, so a command's engine run can be held mid-way. */
class Gate {
  private opened: (() => void) | null = null;
  private arrived: (() => void) | null = null;
  /** Resolves once a run waits at the gate (since {@link arm}). */
  reached!: Promise<void>;
  constructor() {
    this.arm();
  }
  /** Makes {@link reached} wait for the next run arriving. */
  arm(): void {
    this.reached = new Promise<void>((r) => (this.arrived = r));
  }
  readonly handler: ServiceHandler = {
    name: 'gate',
    description: 'test handler: waits until the test opens the gate',
    run: () => new Promise<void>((resolve) => {
      this.opened = resolve;
      this.arrived?.();
    }),
  };
  open(): void {
    this.opened?.();
  }
}

/** start → A (user task) → gate (service task) → B (user task) → end */
const gated = bpmn(
  'gated',
  [
    '<bpmn:startEvent id="start"/>',
    '<bpmn:userTask id="A" name="A" camunda:candidateGroups="servicedesk"/>',
    '<bpmn:serviceTask id="gate" camunda:delegateExpression="${gate}"/>',
    '<bpmn:userTask id="B" name="B" camunda:candidateGroups="servicedesk"/>',
    '<bpmn:endEvent id="end"/>',
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="A"/>',
    '<bpmn:sequenceFlow id="f2" sourceRef="A" targetRef="gate"/>',
    '<bpmn:sequenceFlow id="f3" sourceRef="gate" targetRef="B"/>',
    '<bpmn:sequenceFlow id="f4" sourceRef="B" targetRef="end"/>',
  ].join('\n'),
);

/** `${latch}`: a run whose variables say `hold` waits until the test releases the latch; every run after that passes. */
class Latch {
  private release!: () => void;
  private readonly released = new Promise<void>((r) => (this.release = r));
  private arrived!: () => void;
  /** Resolves once a holding run waits at the latch. */
  readonly reached = new Promise<void>((r) => (this.arrived = r));
  readonly handler: ServiceHandler = {
    name: 'latch',
    description: 'test handler: holds a run that asks for it until the test releases the latch',
    run: ({ variables }) => {
      if (!variables.hold) return;
      this.arrived();
      return this.released;
    },
  };
  open(): void {
    this.release();
  }
}

/** start → latch (service task) → A (user task) → end; no record */
const latched = bpmn(
  'latched',
  [
    '<bpmn:startEvent id="start"/>',
    '<bpmn:serviceTask id="latch" camunda:delegateExpression="${latch}"/>',
    '<bpmn:userTask id="A" name="A" camunda:candidateGroups="servicedesk"/>',
    '<bpmn:endEvent id="end"/>',
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="latch"/>',
    '<bpmn:sequenceFlow id="f2" sourceRef="latch" targetRef="A"/>',
    '<bpmn:sequenceFlow id="f3" sourceRef="A" targetRef="end"/>',
  ].join('\n'),
);

/**
 * On PGlite (one session for every connection) a command reads outside any transaction, runs
 * bpmn-engine, then writes in one short transaction whose revision check decides a race; on
 * PostgreSQL it holds the instance row locked. Both must give the same answers.
 */
describe('commands while another command runs its engine', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const gate = new Gate();
  const latch = new Latch();

  const start = async (key: string) => (await t.as('alice').post('/api/instances').send({ definitionKey: key }).expect(201)).body;
  const history = async (id: string) => (await t.as('auditor').get(`/api/instances/${id}/history`).expect(200)).body as { type: string; elementId: string | null }[];

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { handlers: [gate.handler, latch.handler] });
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('two_steps', ['first', 'second'])).expect(201);
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(gated).expect(201);
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(latched).expect(201);
  }, 180_000);
  afterAll(async () => {
    gate.open();
    latch.open();
    await t?.close();
    await db?.drop();
  });

  it('two concurrent completions of the same task: one is answered 200, the other 409, and the task is completed once', async () => {
    // given
    const started = await start('two_steps');
    const task = started.tasks[0];

    // when
    const answers = await Promise.all(['alice', 'bob'].map((user) => t.as(user).post(`/api/tasks/${task.id}/complete`).send({ variables: { by: user } })));

    // then
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const loser = answers.find((a) => a.status === 409)!;
    expect(loser.headers['content-type']).toMatch(/application\/problem\+json/);
    const events = await history(started.instance.id);
    expect(events.filter((e) => e.type === 'task.completed')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'task.created' && e.elementId === 'second')).toHaveLength(1);
    const open = (await t.as('alice').get(`/api/tasks?instanceId=${started.instance.id}&status=open`).expect(200)).body.items;
    expect(open.map((x: { elementId: string }) => x.elementId)).toEqual(['second']);
    expect((await t.as('auditor').get(`/api/instances/${started.instance.id}/history/verify`).expect(200)).body).toMatchObject({ valid: true });
  });

  it('answers a task list and completes a command on another instance while a command waits inside its engine run', async () => {
    // given: a command held at the gate (its engine is running)
    const held = await start('gated');
    const other = await start('two_steps');
    const holding = t.as('alice').post(`/api/tasks/${held.tasks[0].id}/complete`).send({ variables: {} }).then((res) => res);
    await gate.reached;

    // when
    const listedAt = Date.now();
    const list = await t.as('alice').get('/api/tasks?status=open').expect(200);
    const listMs = Date.now() - listedAt;
    const completed = await t.as('alice').post(`/api/tasks/${other.tasks[0].id}/complete`).send({ variables: {} });
    const overlapMs = Date.now() - listedAt;
    gate.open();
    const res = await holding;

    // then: both answered while the held command was still running, and it completed afterwards
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(completed.status).toBe(200);
    expect(res.status).toBe(200);
    expect(res.body.tasks.map((x: { elementId: string }) => x.elementId)).toEqual(['B']);
    console.log(`${db.kind}: task list answered in ${listMs} ms, another instance's completion in ${overlapMs - listMs} ms, while a command's engine run waited`);
  });

  it('a completion whose task another transaction closed while its engine ran commits nothing and answers 409 (the check of the write sent with COMMIT)', async () => {
    // given: a command held at the gate (its engine is running; on PostgreSQL it holds the instance row, not the task row)
    gate.arm();
    const held = await start('gated');
    const task = held.tasks[0];
    const holding = t.as('alice').post(`/api/tasks/${task.id}/complete`).send({ variables: {} }).then((res) => res);
    await gate.reached;

    // when: another transaction closes the task meanwhile, then the command goes on
    await t.sql.query(`UPDATE user_task SET status = 'cancelled', completed_at = now() WHERE id = $1`, [task.id]);
    gate.open();
    const res = await holding;

    // then: the loser's answer, and nothing of its run was written
    expect(res.status).toBe(409);
    const instance = (await t.as('auditor').get(`/api/instances/${held.instance.id}`).expect(200)).body;
    expect(instance).toMatchObject({ status: 'running', revision: held.instance.revision, activeElementIds: ['A'] });
    const events = await history(held.instance.id);
    expect(events.filter((e) => e.type === 'task.completed' || e.elementId === 'B')).toEqual([]);
    const [row] = await t.sql.query(`SELECT count(*)::int AS n FROM user_task WHERE instance_id = $1 AND element_id = 'B'`, [held.instance.id]);
    expect(row.n).toBe(0);
    expect((await t.as('auditor').get(`/api/instances/${held.instance.id}/history/verify`).expect(200)).body).toMatchObject({ valid: true });
  });

  it('answers a task list and starts another instance while a start waits inside its engine run (on PGlite its read-ahead ran outside the transaction)', async () => {
    // given: a start held inside its engine run, after its read-ahead (the server knows the key's version from an earlier start)
    await start('latched');
    const holding = t.as('alice').post('/api/instances').send({ definitionKey: 'latched', variables: { hold: true } }).then((res) => res);
    await latch.reached;

    // when
    const list = await t.as('alice').get('/api/tasks?status=open').expect(200);
    const other = await start('latched');
    latch.open();
    const res = await holding;

    // then: both committed, and the history anchor counts every instance
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(other.tasks.map((x: { elementId: string }) => x.elementId)).toEqual(['A']);
    expect(res.status).toBe(201);
    expect(res.body.tasks.map((x: { elementId: string }) => x.elementId)).toEqual(['A']);
    const [{ n }] = await t.sql.query(`SELECT count(*)::int AS n FROM process_instance`);
    expect((await t.as('auditor').get('/api/history/verify').expect(200)).body).toMatchObject({ valid: true, anchor: { instances: n, sealed: true } });
  });

  it('concurrent completions on different instances all succeed', async () => {
    // given
    const instances = await Promise.all(Array.from({ length: 8 }, () => start('two_steps')));

    // when
    const answers = await Promise.all(instances.map((i) => t.as('alice').post(`/api/tasks/${i.tasks[0].id}/complete`).send({ variables: { n: 1 } })));

    // then
    expect(answers.map((a) => a.status)).toEqual(instances.map(() => 200));
    for (const a of answers) expect(a.body.tasks.map((x: { elementId: string }) => x.elementId)).toEqual(['second']);
  });
});
