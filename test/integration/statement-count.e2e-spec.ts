import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { linearTasks } from '../support/bpmn';

/**
 * Every statement the pg driver sends while `work` runs, in order. Each `Client.query` call is
 * one round trip (pg sends a query only after the previous one answered).
 */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const statements: string[] = [];
  const original = Client.prototype.query;
  (Client.prototype as any).query = function (this: Client, ...args: any[]) {
    const config = args[0];
    statements.push((typeof config === 'string' ? config : String(config?.text ?? '')).replace(/\s+/g, ' ').trim());
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
  const commit = statements.findIndex((s) => /^COMMIT\b/i.test(s));
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

  it('completes a user task in at most 4 round trips: begin, lock and read, one write, commit', async () => {
    // given
    const started = await start();
    const task = started.body.tasks[0];

    // when
    let answer: { body: { tasks: { elementId: string }[] } } | undefined;
    const statements = await statementsOf(async () => (answer = await complete(task.id, { step: 1 })));

    // then
    expectAtMost(transactionOf(statements), 4);
    expect(answer!.body.tasks.map((x) => x.elementId)).toEqual(['second']);
    // and everything was written: the task is closed, the next one open, the history chain intact
    const [row] = await t.sql.query(`SELECT status, completed_by FROM user_task WHERE id = $1`, [task.id]);
    expect(row).toEqual({ status: 'completed', completed_by: 'alice' });
    const verdict = await t.as('auditor').get(`/api/instances/${started.body.instance.id}/history/verify`);
    expect(verdict.status).toBe(200);
    expect(verdict.body).toMatchObject({ valid: true });
  });

  it('starts an instance in at most 4 round trips and completes the last task (instance ends) in at most 4', async () => {
    // when
    let started: { body: { instance: { id: string }; tasks: { id: string }[] } } | undefined;
    const startStatements = await statementsOf(async () => (started = await start()));
    await complete(started!.body.tasks[0].id, { step: 1 });
    const second = (await t.as('alice').get(`/api/tasks?instanceId=${started!.body.instance.id}&status=open`).expect(200)).body.items[0];
    const endStatements = await statementsOf(() => complete(second.id, { step: 2 }));

    // then
    expectAtMost(transactionOf(startStatements), 4);
    expectAtMost(transactionOf(endStatements), 4);
    const instance = await t.as('auditor').get(`/api/instances/${started!.body.instance.id}`).expect(200);
    expect(instance.body.status).toBe('completed');
    // and the sealed anchor counted every instance started (3 in this file)
    const verdict = await t.as('auditor').get('/api/history/verify').expect(200);
    expect(verdict.body).toMatchObject({ valid: true, problems: [], anchor: { instances: 3, sealed: true } });
  });
});
