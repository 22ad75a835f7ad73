import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn, linearTasks } from '../support/bpmn';

/**
 * Every statement the pg driver sends while `work` runs, in order. Each `Client.query` call is
 * one round trip (pg sends a query only after the previous one answered).
 */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const statements: string[] = [];
  const original = Client.prototype.query;
  (Client.prototype as any).query = function (this: Client, ...args: any[]) {
    const config = args[0];
    const text = (typeof config === 'string' ? config : String(config?.text ?? '')).replace(/\s+/g, ' ').trim();
    // BEGIN and COMMIT sent in the same round trip as the statement (api/database/pipelined-begin.ts)
    statements.push(`${config?.beginsTransaction === true ? 'START TRANSACTION; ' : ''}${text}${config?.endsTransaction === true ? '; COMMIT' : ''}`);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  try {
    await work();
  } finally {
    Client.prototype.query = original;
  }
  return statements;
}

/** Asserts at most `max` statements, showing them all when there are more. */
function expectAtMost(statements: string[], max: number): void {
  expect({ roundTrips: statements.length, statements }).toEqual({ roundTrips: Math.min(statements.length, max), statements });
}

/** The statements of the command's transaction: from its BEGIN to its COMMIT. */
function transactionOf(statements: string[]): string[] {
  const begin = statements.findIndex((s) => /^(START TRANSACTION|BEGIN)\b/i.test(s));
  const commit = statements.findIndex((s) => /^COMMIT\b|; COMMIT$/i.test(s));
  if (begin < 0 || commit < begin) throw new Error(`no transaction among:\n${statements.join('\n')}`);
  return statements.slice(begin, commit + 1);
}

describe('database round trips per command (through the pg driver)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;

  const start = () => t.as('alice').post('/api/instances').send({ definitionKey: 'two_tasks', variables: { ticket: 'T-1' } }).expect(201);
  const complete = (taskId: string, variables: Record<string, unknown>) => t.as('alice').post(`/api/tasks/${taskId}/complete`).send({ variables }).expect(200);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('two_tasks', ['first', 'second'])).expect(201);
    // given: the server has run the flow once (definitions, forms and the history anchor are known)
    const warm = await start();
    const next = await complete(warm.body.tasks[0].id, { step: 1 });
    await complete(next.body.tasks[0].id, { step: 2 });
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('completes a user task in 3 round trips in its request: the caller\'s identity, then begin with lock and read, one write with the commit', async () => {
    // given
    const started = await start();
    const task = started.body.tasks[0];

    // when
    let answer: { body: { tasks: { elementId: string }[] } } | undefined;
    const statements = await statementsOf(async () => (answer = await complete(task.id, { step: 1 })));

    // then
    expectAtMost(transactionOf(statements), 2);
    expectAtMost(statements, 3);
    expect(transactionOf(statements).at(-1)).toMatch(/^(START TRANSACTION; )?WITH .*; COMMIT$/); // on PGlite the reads run before it, outside
    expect(answer!.body.tasks.map((x) => x.elementId)).toEqual(['second']);
    // and everything was written: the task is closed, the next one open, the history chain intact
    const [row] = await t.sql.query(`SELECT status, completed_by FROM user_task WHERE id = $1`, [task.id]);
    expect(row).toEqual({ status: 'completed', completed_by: 'alice' });
    const verdict = await t.as('auditor').get(`/api/instances/${started.body.instance.id}/history/verify`);
    expect(verdict.status).toBe(200);
    expect(verdict.body).toMatchObject({ valid: true });
  });

  it('starts an instance in 2 round trips in its transaction (the anchor counted in the write that carries the COMMIT) and completes the last task (instance ends) in at most 2', async () => {
    // when
    let started: { body: { instance: { id: string }; tasks: { id: string }[] } } | undefined;
    const startStatements = await statementsOf(async () => (started = await start()));
    await complete(started!.body.tasks[0].id, { step: 1 });
    const second = (await t.as('alice').get(`/api/tasks?instanceId=${started!.body.instance.id}&status=open`).expect(200)).body.items[0];
    const endStatements = await statementsOf(() => complete(second.id, { step: 2 }));

    // then
    expectAtMost(transactionOf(startStatements), 2);
    expect(transactionOf(startStatements).at(-1)).toMatch(/^(START TRANSACTION; )?WITH .*UPDATE history_anchor .*; COMMIT$/);
    expectAtMost(transactionOf(endStatements), 2);
    const instance = await t.as('auditor').get(`/api/instances/${started!.body.instance.id}`).expect(200);
    expect(instance.body.status).toBe('completed');
    // and the sealed anchor counted every instance started (3 in this file)
    const verdict = await t.as('auditor').get('/api/history/verify').expect(200);
    expect(verdict.body).toMatchObject({ valid: true, problems: [], anchor: { instances: 3, sealed: true } });
  });
});

const INCIDENT = join(__dirname, '../../processes/incident');
const incidentFile = (...p: string[]) => readFileSync(join(INCIDENT, ...p));
const incidentForms = (prefix: string) => readdirSync(join(INCIDENT, 'forms')).filter((f) => f.startsWith(prefix)).map((f) => [f, incidentFile('forms', f)] as const);

/**
 * The reference incident flow: its records, SLA timers (boundary timers armed and cancelled),
 * message subscriptions, decision tables and call activity add no round trip to a task completion.
 */
describe('database round trips per command of the incident flow (processes/incident)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;

  const steps: [string, string, Record<string, unknown>][] = [
    ['sam', 'UT_LogClassify', { classification: 'incident', category: 'software', major: false, resolvableAtL1: false }],
    ['sam', 'UT_AssignGroup', { assignmentGroup: 'applications' }],
    ['rita', 'UT_InvestigateDiagnose', { workNotes: 'Disk full', nextStep: 'resolved' }],
    ['rita', 'UT_ApplyResolution', { resolutionCode: 'config_change', resolutionNotes: 'Restarted the mail relay', workaroundUsed: false, problemCandidate: false }],
    ['carl', 'UT_ConfirmResolution', { confirmation: 'accepted', satisfaction: '4' }],
  ];
  const start = () =>
    t.as('sam').post('/api/instances')
      .send({ definitionKey: 'incident_management', variables: { title: 'Mail server down', description: 'Nobody can send mail', caller: 'carl', channel: 'phone', category: 'software', impact: 'medium', urgency: 'low' } })
      .expect(201);
  /** Runs one incident through; answers the statements of each command's request. */
  const run = async () => {
    const commands: { name: string; statements: string[] }[] = [];
    let answer: { body: { instance: { id: string }; tasks: { id: string; elementId: string }[] } } | undefined;
    commands.push({ name: 'start', statements: await statementsOf(async () => (answer = await start())) });
    const id = answer!.body.instance.id;
    for (const [user, elementId, variables] of steps) {
      const task = answer!.body.tasks.find((x) => x.elementId === elementId)!;
      commands.push({ name: elementId, statements: await statementsOf(async () => (answer = await t.as(user).post(`/api/tasks/${task.id}/complete`).send({ variables }).expect(200))) });
    }
    return { id, commands };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
    await t.user({ username: 'sam', roles: ['staff'], groups: ['servicedesk'] });
    await t.user({ username: 'rita', roles: ['staff'], groups: ['resolvers'] });
    await t.user({ username: 'carl', roles: ['staff'] });
    let major = t.as('admin').post('/api/definitions').attach('file', incidentFile('major_incident.bpmn'), 'major_incident.bpmn');
    for (const [name, content] of incidentForms('major-')) major = major.attach('forms', content, name);
    await major.expect(201);
    let incident = t.as('admin').post('/api/definitions').attach('file', incidentFile('incident_management.bpmn'), 'incident_management.bpmn');
    for (const [name, content] of incidentForms('incident-')) incident = incident.attach('forms', content, name);
    for (const dmn of ['incident-priority.dmn', 'incident-sla-targets.dmn']) incident = incident.attach('forms', incidentFile('decisions', dmn), dmn);
    await incident.expect(201);
    // given: the server has run the flow once (definitions, forms, decision tables are parsed)
    await run();
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('completes each user task in at most 2 round trips in its transaction and 3 in its request (with the identity check; the worker check is in the lock statement; COMMIT travels with the write)', async () => {
    // when
    const { id, commands } = await run();

    // then
    for (const { statements } of commands.slice(1)) {
      expectAtMost(transactionOf(statements), 2);
      expectAtMost(statements, 3);
    }
    // and everything was written: the record closed, no timer or subscription left, the history intact
    const [record] = await t.sql.query(`SELECT state, closed_at IS NOT NULL AS closed FROM record WHERE instance_id = $1`, [id]);
    expect(record).toEqual({ state: 'closed', closed: true });
    const [left] = await t.sql.query(`SELECT (SELECT count(*)::int FROM timer_job WHERE instance_id = $1) AS timers, (SELECT count(*)::int FROM event_subscription WHERE instance_id = $1) AS subscriptions`, [id]);
    expect(left).toEqual({ timers: 0, subscriptions: 0 });
    const verdict = await t.as('auditor').get(`/api/instances/${id}/history/verify`).expect(200);
    expect(verdict.body).toMatchObject({ valid: true });
    const scheduled = (await t.as('auditor').get(`/api/instances/${id}/history`).expect(200)).body.filter((e: { type: string }) => e.type === 'timer.scheduled');
    expect(scheduled.length).toBeGreaterThanOrEqual(4); // the response clock and the resolution escalations were armed
  });

  it('starts an incident (record number, two decision tables, SLA clocks) in 2 round trips in its transaction: begin with one read-ahead (latest version, record number, decision versions), one write with the commit', async () => {
    // when
    const { commands } = await run();

    // then
    expectAtMost(transactionOf(commands[0].statements), 2);
    expect(transactionOf(commands[0].statements).at(-1)).toMatch(/^(START TRANSACTION; )?WITH .*INSERT INTO record .*UPDATE history_anchor .*; COMMIT$/);
  });
});

describe('a start read ahead for the version a key last started', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const typed = (type: string) =>
    bpmn('retyped', '<bpmn:startEvent id="start"/><bpmn:userTask id="work" camunda:candidateGroups="servicedesk"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>', `itsm:recordType="${type}"`);
  const deploy = (xml: string) => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(201);
  const start = async () => (await t.as('alice').post('/api/instances').send({ definitionKey: 'retyped' }).expect(201)).body.instance.variables.recordNumber as string;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('starts the new version when one was deployed meanwhile, and its record numbers stay gapless', async () => {
    // given: incidents started from version 1
    await deploy(typed('incident'));
    const first = await start();
    // when: version 2 numbers problems
    await deploy(typed('problem'));
    const second = await start();
    await deploy(typed('incident'));
    const third = await start();

    // then
    expect(first).toMatch(/^INC\d+$/);
    expect(second).toMatch(/^PRB\d+$/);
    expect(Number(third.slice(3))).toBe(Number(first.slice(3)) + 1); // no incident number was lost to the read-ahead
    const counters = await t.sql.query(`SELECT type, last_value::int AS last FROM record_counter ORDER BY type`);
    expect(counters).toEqual([{ type: 'incident', last: Number(third.slice(3)) }, { type: 'problem', last: Number(second.slice(3)) }]);
  });
});
