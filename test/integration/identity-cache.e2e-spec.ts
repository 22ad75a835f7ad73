import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bearer, tokenFor } from '../support/auth';
import { linearTasks } from '../support/bpmn';

/**
 * Two server instances on one database (each with its own pool and its own cache of users, as two
 * server processes would have): an identity change made through one counts at once in the other.
 */
describe('cached users across server processes', () => {
  let db: TestDatabase;
  let a: ApiTestApp;
  let b: ApiTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await createTestApp(db);
    b = await createTestApp(db, { users: [] });
    await a.user({ username: 'carol', roles: ['staff'], groups: ['servicedesk'] });
    await a.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('cached_users', ['triage'], 'servicedesk')).expect(201);
  }, 180_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await db?.drop();
  });

  it('refuses a group task in process B at once when process A takes the user out of the group, and any request once A disables the user', async () => {
    // given: carol works in process B, which has her (and her groups) cached
    const token = await tokenFor(a, 'carol');
    const asCarolOnB = () => request(b.app.getHttpServer());
    const started = await a.as('alice').post('/api/instances').send({ definitionKey: 'cached_users' }).expect(201);
    const taskId = started.body.tasks[0].id as string;
    expect((await asCarolOnB().get(`/api/tasks/${taskId}`).set('Authorization', bearer(token))).status).toBe(200);
    expect((await asCarolOnB().get(`/api/tasks/${taskId}`).set('Authorization', bearer(token))).status).toBe(200);

    // when: process A removes her from the group
    await a.as('admin').delete('/api/groups/servicedesk/members/carol').expect(200);

    // then: her next request in B no longer sees the group's task, nor may complete it
    expect((await asCarolOnB().get(`/api/tasks/${taskId}`).set('Authorization', bearer(token))).status).toBe(404);
    const completed = await asCarolOnB().post(`/api/tasks/${taskId}/complete`).set('Authorization', bearer(token)).send({ variables: {} });
    expect(completed.status).toBe(404);
    expect((await asCarolOnB().get('/api/tasks').set('Authorization', bearer(token))).status).toBe(200);

    // when: process A disables her
    const carol = (await a.as('admin').get('/api/users?size=100').expect(200)).body.items.find((u: { username: string }) => u.username === 'carol');
    await a.as('admin').patch(`/api/users/${carol.id}`).send({ disabled: true }).expect(200);

    // then: B refuses her token
    expect((await asCarolOnB().get('/api/tasks').set('Authorization', bearer(token))).status).toBe(401);
  });

  it('gives a user added to a group in process A the group task in process B at once', async () => {
    // given
    await a.user({ username: 'dave', roles: ['staff'], groups: [] });
    const token = await tokenFor(a, 'dave');
    const started = await a.as('alice').post('/api/instances').send({ definitionKey: 'cached_users' }).expect(201);
    const taskId = started.body.tasks[0].id as string;
    expect((await request(b.app.getHttpServer()).get(`/api/tasks/${taskId}`).set('Authorization', bearer(token))).status).toBe(404);

    // when
    await a.as('admin').post('/api/groups/servicedesk/members').send({ username: 'dave' }).expect(200);

    // then
    const completed = await request(b.app.getHttpServer()).post(`/api/tasks/${taskId}/complete`).set('Authorization', bearer(token)).send({ variables: {} });
    expect(completed.status).toBe(200);
  });
});
