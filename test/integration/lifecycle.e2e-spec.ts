import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { fixture, linearTasks } from '../support/bpmn';

describe('deploy → start → task list → complete → history (HTTP, real database)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('versions a key 1, 2, ... and returns the latest version for identical XML', async () => {
    // given
    const v1xml = linearTasks('versioned', ['a']);
    const v2xml = linearTasks('versioned', ['a', 'b']);

    // when
    const first = await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(v1xml);
    const again = await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(v1xml);
    const second = await t.as('admin').post('/api/definitions').attach('file', Buffer.from(v2xml), 'versioned.bpmn').field('versionTag', '2.0');

    // then
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ key: 'versioned', version: 1, created: true });
    expect(first.body.warnings).toEqual(expect.any(Array));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, version: 1, created: false });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ key: 'versioned', version: 2, versionTag: '2.0' });

    const all = await t.as('alice').get('/api/definitions');
    expect(all.status).toBe(200);
    expect(all.body).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'versioned', version: 2 })]));
    const latest = await t.as('alice').get('/api/definitions?key=versioned');
    expect(latest.body).toHaveLength(1);
    expect(latest.body[0]).toMatchObject({ version: 2 });
    const versions = await t.as('alice').get('/api/definitions/key/versioned/versions');
    expect(versions.body.map((d: { version: number }) => d.version)).toEqual([2, 1]);
    const xml = await t.as('alice').get(`/api/definitions/${first.body.id}/xml`);
    expect(xml.headers['content-type']).toContain('application/xml');
    expect(xml.text).toContain('<bpmn:userTask id="a"');
    const one = await t.as('alice').get(`/api/definitions/${second.body.id}`);
    expect(one.body).toMatchObject({ id: second.body.id, key: 'versioned', version: 2 });
  });

  it('runs an incident through user tasks, a service handler and a gateway, and records every step', async () => {
    // given
    const deployed = await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(fixture('incident-triage.bpmn'));
    expect(deployed.status).toBe(201);

    // when: started
    const started = await t
      .as('alice')
      .post('/api/instances')
      .send({ definitionKey: 'incident-triage', businessKey: 'INC-1001', variables: { reporter: 'alice', urgencyScore: 70, reportedAt: '2026-11-21T08:00:00Z' } });

    // then: waiting at the classification task with its resolved attributes
    expect(started.status).toBe(201);
    expect(started.body.instance).toMatchObject({ status: 'running', businessKey: 'INC-1001', definitionVersion: 1, activeElementIds: ['classify'] });
    expect(started.body.tasks).toHaveLength(1);
    const classify = started.body.tasks[0];
    expect(classify).toMatchObject({
      elementId: 'classify',
      name: 'Classify incident',
      candidateGroups: ['servicedesk'],
      priority: 70,
      formKey: 'incident-classify',
      dueAt: '2026-11-21T12:00:00.000Z',
      status: 'open',
    });

    // when: the service desk lists, claims and completes it
    const list = await t.as('bob').get('/api/tasks?candidateGroup=servicedesk');
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(classify.id);
    const claimed = await t.as('bob').post(`/api/tasks/${classify.id}/claim`);
    expect(claimed.status).toBe(200);
    expect(claimed.body.assignee).toBe('bob');
    const mine = await t.as('bob').get('/api/tasks?assignee=bob');
    expect(mine.body.items).toHaveLength(1);
    const done = await t.as('bob').post(`/api/tasks/${classify.id}/complete`).send({ variables: { impact: 'medium', urgency: 'low' } });

    // then: priority P4 was calculated by the handler, the default branch opened "resolve" for the reporter
    expect(done.status).toBe(200);
    expect(done.body.instance.variables).toEqual({
      reporter: 'alice', urgencyScore: 70, reportedAt: '2026-11-21T08:00:00Z', impact: 'medium', urgency: 'low', priority: 'P4', majorIncidentCandidate: false,
    });
    expect(done.body.tasks).toEqual([expect.objectContaining({ elementId: 'resolve', assignee: 'alice', candidateGroups: ['servicedesk', 'resolvers'] })]);

    // when: the last task is completed
    const resolve = done.body.tasks[0];
    const end = await t.as('alice').post(`/api/tasks/${resolve.id}/complete`).send({ variables: { resolution: 'restarted the mail gateway' } });

    // then
    expect(end.status).toBe(200);
    expect(end.body.instance).toMatchObject({ status: 'completed', activeElementIds: [] });
    expect(end.body.instance.endedAt).toEqual(expect.any(String));
    const instance = await t.as('alice').get(`/api/instances/${started.body.instance.id}`);
    expect(instance.body).toMatchObject({ status: 'completed', openTasks: [] });
    const completedTasks = await t.as('auditor').get(`/api/tasks?instanceId=${started.body.instance.id}&status=completed`);
    expect(completedTasks.body.items.map((x: { completedBy: string }) => x.completedBy).sort()).toEqual(['alice', 'bob']);

    const history = await t.as('alice').get(`/api/instances/${started.body.instance.id}/history`);
    const types = history.body.map((e: { type: string; elementId: string }) => `${e.type}:${e.elementId ?? ''}`);
    expect(types[0]).toBe('instance.started:incident-triage');
    expect(types).toEqual(
      expect.arrayContaining([
        'element.started:classify', 'element.waiting:classify', 'task.created:classify', 'task.claimed:classify', 'task.completed:classify',
        'element.completed:prioritise', 'flow.taken:toResolve', 'variables.changed:', 'task.completed:resolve',
      ]),
    );
    expect(types[types.length - 1]).toBe('instance.ended:incident-triage');
    // the untaken branch was never running: nothing about it is "cancelled"
    expect(types.filter((x: string) => x.includes(':coordinate'))).toEqual([]);
    // start variables are in instance.started; variables.changed records only later changes
    expect(history.body.filter((e: { type: string }) => e.type === 'variables.changed').map((e: { payload: unknown }) => e.payload)).toEqual([
      { changes: { impact: 'medium', urgency: 'low', priority: 'P4', majorIncidentCandidate: false } },
      { changes: { resolution: 'restarted the mail gateway' } },
    ]);
    expect(types.indexOf('task.completed:classify')).toBeLessThan(types.indexOf('element.completed:prioritise'));
    const completion = history.body.find((e: { type: string; elementId: string }) => e.type === 'task.completed' && e.elementId === 'classify');
    expect(completion).toMatchObject({ actor: 'bob', payload: { variables: { impact: 'medium', urgency: 'low' } } });
    expect(history.body.map((e: { seq: number }) => e.seq)).toEqual(history.body.map((_: unknown, i: number) => i + 1));
    const verify = await t.as('auditor').get(`/api/instances/${started.body.instance.id}/history/verify`);
    expect(verify.body).toMatchObject({ valid: true, checked: history.body.length, firstInvalid: null });
  });

  it('takes the right FEEL branch for both values', async () => {
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(fixture('feel-gateway.bpmn')).expect(201);

    const p1 = await t.as('alice').post('/api/instances').send({ definitionKey: 'feel-routing', variables: { priority: 'P1', impact: 'high' } });
    const p3 = await t.as('alice').post('/api/instances').send({ definitionKey: 'feel-routing', variables: { priority: 'P3', impact: 'high' } });

    expect(p1.body.tasks.map((x: { elementId: string }) => x.elementId)).toEqual(['majorIncident']);
    expect(p3.body.tasks.map((x: { elementId: string }) => x.elementId)).toEqual(['standardResolution']);
  });

  it('cancels a running instance: open tasks are cancelled and commands on it answer 409', async () => {
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('cancellable', ['work'])).expect(201);
    const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'cancellable' }).expect(201);
    const id = started.body.instance.id;

    const cancelled = await t.as('admin').post(`/api/instances/${id}/cancel`).send({ reason: 'raised in error' });

    expect(cancelled.status).toBe(200);
    expect(cancelled.body.instance).toMatchObject({ status: 'cancelled', endReason: 'raised in error' });
    const task = await t.as('alice').get(`/api/tasks/${started.body.tasks[0].id}`);
    expect(task.body.status).toBe('cancelled');
    const late = await t.as('alice').post(`/api/tasks/${started.body.tasks[0].id}/complete`).send({});
    expect(late.status).toBe(409);
    expect(late.headers['content-type']).toContain('application/problem+json');
    const again = await t.as('admin').post(`/api/instances/${id}/cancel`).send({ reason: 'twice' });
    expect(again.status).toBe(409);
    const history = await t.as('alice').get(`/api/instances/${id}/history`);
    expect(history.body.slice(-1)[0]).toMatchObject({ type: 'instance.cancelled', actor: 'admin', payload: { reason: 'raised in error' } });
  });

  it('lists instances by key, status and business key, paginated', async () => {
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('listed', ['x'])).expect(201);
    for (let i = 0; i < 3; i++) await t.as('alice').post('/api/instances').send({ definitionKey: 'listed', businessKey: `L-${i}` }).expect(201);

    const page1 = await t.as('admin').get('/api/instances?key=listed&status=running&size=2&page=1');
    const page2 = await t.as('admin').get('/api/instances?key=listed&status=running&size=2&page=2');
    const byKey = await t.as('admin').get('/api/instances?businessKey=L-1');

    expect(page1.body).toMatchObject({ total: 3, page: 1, size: 2 });
    expect(page1.body.items).toHaveLength(2);
    expect(page2.body.items).toHaveLength(1);
    expect(byKey.body.items).toEqual([expect.objectContaining({ businessKey: 'L-1', definitionKey: 'listed' })]);
    expect(page1.body.items[0]).not.toHaveProperty('snapshot');
  });

  it('replays the first answer for a repeated Idempotency-Key of the same user and refuses the key for another request', async () => {
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('idem', ['x'])).expect(201);
    const body = { definitionKey: 'idem', businessKey: 'IDEM-1' };

    const first = await t.as('alice').post('/api/instances').set('Idempotency-Key', 'k-1').send(body);
    const second = await t.as('alice').post('/api/instances').set('Idempotency-Key', 'k-1').send(body);
    const other = await t.as('alice').post('/api/instances').set('Idempotency-Key', 'k-1').send({ ...body, businessKey: 'IDEM-2' });
    const bobs = await t.as('bob').post('/api/instances').set('Idempotency-Key', 'k-1').send(body);

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.instance.id).toBe(first.body.instance.id);
    expect(other.status).toBe(422);
    // another user's key is another key: never a replay of somebody else's answer
    expect(bobs.status).toBe(201);
    expect(bobs.body.instance.id).not.toBe(first.body.instance.id);
    const list = await t.as('admin').get('/api/instances?key=idem');
    expect(list.body.total).toBe(2);
  });

  it('starts once for the same Idempotency-Key sent twice at the same moment (both get the one instance)', async () => {
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('idem_race', ['x'])).expect(201);
    await t.as('alice').post('/api/instances').send({ definitionKey: 'idem_race' }).expect(201); // the server now reads the key's version ahead
    const body = { definitionKey: 'idem_race', businessKey: 'RACE-1' };

    const answers = await Promise.all([1, 2].map(() => t.as('alice').post('/api/instances').set('Idempotency-Key', 'race-1').send(body)));

    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    expect(answers[1]!.body.instance.id).toBe(answers[0]!.body.instance.id);
    const [{ n }] = await t.sql.query(`SELECT count(*)::int AS n FROM process_instance WHERE business_key = 'RACE-1'`);
    expect(n).toBe(1);
  });
});
