import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { linearTasks } from '../support/bpmn';

describe('durability: races, restarts and tamper-evident history', () => {
  let db: TestDatabase;
  let t: ApiTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('two-step', ['first', 'second'])).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('lets exactly one of 10 concurrent completions of one task win; the rest get 409', async () => {
    // given: ten members of the service desk
    const desk = await Promise.all(Array.from({ length: 10 }, (_, i) => t.user({ username: `user${i}`, password: null, roles: ['staff'], groups: ['servicedesk'] })));
    const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'two-step' }).expect(201);
    const taskId = started.body.tasks[0].id;

    // when: all of them complete the group task at once
    const answers = await Promise.all(desk.map((user, i) => user.post(`/api/tasks/${taskId}/complete`).send({ variables: { n: i } })));

    // then
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    for (const loser of answers.filter((a) => a.status === 409)) {
      expect(loser.headers['content-type']).toContain('application/problem+json');
      expect(loser.body).toMatchObject({ status: 409, code: 'TASK_NOT_OPEN' });
    }
    const history = await t.as('alice').get(`/api/instances/${started.body.instance.id}/history`);
    const completions = history.body.filter((e: { type: string }) => e.type === 'task.completed');
    expect(completions).toHaveLength(1);
    const winner = answers.find((a) => a.status === 200)!;
    expect(completions[0].actor).toBe(`user${winner.body.instance.variables.n}`);
    const open = await t.as('alice').get(`/api/tasks?instanceId=${started.body.instance.id}`);
    expect(open.body.items.map((x: { elementId: string }) => x.elementId)).toEqual(['second']);
  });

  it('continues an instance after the application is closed and a new one is created on the same database', async () => {
    // given: an instance waiting at its first task
    const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'two-step', variables: { ticket: 'INC-7' } }).expect(201);
    const instanceId = started.body.instance.id;

    // when: the server goes away and a new one starts on the same database
    await t.close();
    t = await createTestApp(db);
    const first = await t.as('bob').get(`/api/tasks?instanceId=${instanceId}`);
    const a = await t.as('bob').post(`/api/tasks/${first.body.items[0].id}/complete`).send({ variables: { step: 1 } });
    const b = await t.as('bob').post(`/api/tasks/${a.body.tasks[0].id}/complete`).send({ variables: { step: 2 } });

    // then
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.instance).toMatchObject({ status: 'completed', variables: { ticket: 'INC-7', step: 2 } });
    const verify = await t.as('bob').get(`/api/instances/${instanceId}/history/verify`);
    expect(verify.body.valid).toBe(true);
  });

  it('names the history event that was changed or removed directly in SQL', async () => {
    // given
    const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'two-step' }).expect(201);
    const id = started.body.instance.id;
    await t.as('bob').post(`/api/tasks/${started.body.tasks[0].id}/complete`).send({ variables: { approved: true } }).expect(200);
    const auditor = t.as('auditor');
    const history = await auditor.get(`/api/instances/${id}/history`);
    const completed = history.body.find((e: { type: string }) => e.type === 'task.completed');
    expect((await auditor.get(`/api/instances/${id}/history/verify`)).body.valid).toBe(true);

    // when: somebody edits the completion's actor
    await t.sql.query(`UPDATE history_event SET actor = 'mallory' WHERE instance_id = $1 AND seq = $2`, [id, completed.seq]);

    // then
    const changed = await auditor.get(`/api/instances/${id}/history/verify`);
    expect(changed.body).toMatchObject({ valid: false, firstInvalid: { seq: completed.seq } });
    expect(changed.body.firstInvalid.reason).toMatch(/changed/);
    expect(changed.body.firstInvalidEvent).toMatchObject({ seq: completed.seq, actor: 'mallory' });

    // when: the edit is undone but an earlier row is deleted
    await t.sql.query(`UPDATE history_event SET actor = 'bob' WHERE instance_id = $1 AND seq = $2`, [id, completed.seq]);
    expect((await auditor.get(`/api/instances/${id}/history/verify`)).body.valid).toBe(true);
    await t.sql.query(`DELETE FROM history_event WHERE instance_id = $1 AND seq = 3`, [id]);

    // then
    const removed = await auditor.get(`/api/instances/${id}/history/verify`);
    expect(removed.body).toMatchObject({ valid: false, firstInvalid: { seq: 4 } });
    expect(removed.body.firstInvalid.reason).toMatch(/missing/);

    // when: the newest row is deleted (nothing after it to break)
    const last = history.body[history.body.length - 1];
    await t.sql.query(`DELETE FROM history_event WHERE instance_id = $1 AND seq = $2`, [id, last.seq]);
    const tail = await auditor.get(`/api/instances/${id}/history/verify`);
    expect(tail.body.valid).toBe(false);
  });
});
