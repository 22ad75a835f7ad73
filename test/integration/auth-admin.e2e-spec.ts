import { Logger } from '@nestjs/common';
import { bearer, login, tokenFor, testAuthConfig } from '../support/auth';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startTestApp, type TestApp } from '../support/test-app';

describe('user and group administration (HTTP, real database)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db, { config: { auth: testAuthConfig({ seedDemoUsers: true }) } });
    admin = bearer(await tokenFor(t, 'admin'));
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const asAdmin = {
    get: (path: string) => t.http.get(path).set('Authorization', admin),
    post: (path: string, body?: object) => t.http.post(path).set('Authorization', admin).send(body),
    patch: (path: string, body: object) => t.http.patch(path).set('Authorization', admin).send(body),
    delete: (path: string) => t.http.delete(path).set('Authorization', admin),
  };

  async function userId(username: string): Promise<string> {
    const [row] = await t.sql.query(`SELECT id FROM app_user WHERE username = $1`, [username]);
    return row.id;
  }

  it('answers 401 without a token and 403 to staff, process owners and auditors on every admin endpoint, and logs the denial', async () => {
    // given
    const staffId = await userId('staff');
    const endpoints: [string, string, object?][] = [
      ['get', '/api/users'],
      ['post', '/api/users', { username: 'x1' }],
      ['get', `/api/users/${staffId}`],
      ['patch', `/api/users/${staffId}`, { roles: ['admin'] }],
      ['post', `/api/users/${staffId}/password`, { newPassword: 'takeover-123' }],
      ['post', '/api/groups', { name: 'x1' }],
      ['get', '/api/groups/staff'],
      ['post', '/api/groups/staff/members', { username: 'staff2' }],
      ['delete', '/api/groups/staff/members/staff2'],
    ];
    const warn = jest.spyOn(Logger.prototype, 'warn');

    for (const [method, path, body] of endpoints) {
      // when: anonymous
      const anonymous = await (t.http as any)[method](path).send(body);
      // then
      expect(anonymous.status).toBe(401);
      for (const username of ['staff', 'owner', 'auditor']) {
        // when: authenticated without the admin role
        const res = await (t.http as any)[method](path).set('Authorization', bearer(await tokenFor(t, username))).send(body);
        // then
        expect([method, path, username, res.status]).toEqual([method, path, username, 403]);
        expect(res.body).toMatchObject({ code: 'FORBIDDEN', detail: 'this needs one of the roles: admin' });
      }
    }

    // The group list is also open to process owners (the modeller's candidate-group picker).
    expect((await t.http.get('/api/groups')).status).toBe(401);
    for (const username of ['staff', 'auditor']) {
      const res = await t.http.get('/api/groups').set('Authorization', bearer(await tokenFor(t, username)));
      expect([username, res.status, res.body.detail]).toEqual([username, 403, 'this needs one of the roles: admin, process-owner']);
    }
    expect((await t.http.get('/api/groups').set('Authorization', bearer(await tokenFor(t, 'owner')))).status).toBe(200);

    // and: nothing changed, and the denials were logged with user, route and reason
    const staff = await asAdmin.get(`/api/users/${staffId}`);
    expect(staff.body.roles).toEqual(['staff']);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ msg: 'access denied', user: 'staff', route: 'GET /api/users', reason: expect.stringContaining('admin'), status: 403 }));
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ msg: 'access denied', user: null, route: 'GET /api/users', reason: expect.stringContaining('authentication required'), status: 401 }));
    warn.mockRestore();
  });

  it('creates a user with roles and groups; the username is unique in any case', async () => {
    // when
    const created = await asAdmin.post('/api/users', {
      username: 'Nora',
      displayName: 'Nora N.',
      email: 'nora@example.org',
      password: 'nora-secret-1',
      roles: ['staff', 'process-owner'],
      groups: ['servicedesk'],
    });
    const duplicate = await asAdmin.post('/api/users', { username: 'NORA', password: 'whatever-123' });
    const badRole = await asAdmin.post('/api/users', { username: 'olga', roles: ['superuser'] });
    const shortPassword = await asAdmin.post('/api/users', { username: 'olga', password: 'short' });
    const unknownGroup = await asAdmin.post('/api/users', { username: 'olga', groups: ['no-such-group'] });

    // then
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      username: 'Nora',
      displayName: 'Nora N.',
      email: 'nora@example.org',
      roles: ['staff', 'process-owner'],
      groups: ['servicedesk'],
      disabled: false,
      hasPassword: true,
    });
    expect(JSON.stringify(created.body)).not.toMatch(/argon2|nora-secret-1|password_hash|passwordHash/);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe('CONFLICT');
    expect(badRole.status).toBe(400);
    expect(shortPassword.status).toBe(400);
    expect(unknownGroup.status).toBe(404);
    expect(unknownGroup.body.code).toBe('GROUP_NOT_FOUND');
    expect((await t.sql.query(`SELECT 1 FROM app_user WHERE lower(username) = 'olga'`)).length).toBe(0);
    // and: the new user signs in
    expect((await login(t, 'nora', 'nora-secret-1')).user.roles).toEqual(['staff', 'process-owner']);
  });

  it('lists and reads users, never with a password hash', async () => {
    // when
    const page = await asAdmin.get('/api/users?page=1&size=2');
    const all = await asAdmin.get('/api/users?size=200');
    const one = await asAdmin.get(`/api/users/${await userId('staff2')}`);
    const missing = await asAdmin.get('/api/users/00000000-0000-4000-8000-000000000000');
    const malformed = await asAdmin.get('/api/users/not-an-id');

    // then
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ page: 1, size: 2, total: all.body.total });
    expect(page.body.items).toHaveLength(2);
    expect(all.body.items.map((u: any) => u.username)).toEqual(expect.arrayContaining(['admin', 'auditor', 'owner', 'staff', 'staff2']));
    expect(JSON.stringify(all.body)).not.toMatch(/argon2/);
    expect(one.body).toMatchObject({ username: 'staff2', roles: ['staff'], groups: ['resolvers', 'servicedesk', 'staff'] });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('USER_NOT_FOUND');
    expect(malformed.status).toBe(404);
  });

  it('changes roles and profile; the user’s next request sees the change', async () => {
    // given
    const id = (await asAdmin.post('/api/users', { username: 'paul', password: 'paul-secret-1', roles: ['staff'] })).body.id;
    const session = await login(t, 'paul', 'paul-secret-1');

    // when
    const patched = await asAdmin.patch(`/api/users/${id}`, { roles: ['auditor'], displayName: 'Paul P.', email: 'paul@example.org' });
    const empty = await asAdmin.patch(`/api/users/${id}`, {});
    const unknownField = await asAdmin.patch(`/api/users/${id}`, { username: 'pauline' });

    // then
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ username: 'paul', roles: ['auditor'], displayName: 'Paul P.', email: 'paul@example.org' });
    expect(empty.status).toBe(400);
    expect(unknownField.status).toBe(400);
    const me = await t.http.get('/api/auth/me').set('Authorization', bearer(session.accessToken));
    expect(me.body).toMatchObject({ username: 'paul', roles: ['auditor'], displayName: 'Paul P.', email: 'paul@example.org' });
  });

  it('disabling a user ends their sessions at once; enabling lets them sign in again', async () => {
    // given
    const id = (await asAdmin.post('/api/users', { username: 'quinn', password: 'quinn-secret-1', roles: ['staff'] })).body.id;
    const session = await login(t, 'quinn', 'quinn-secret-1');

    // when
    const disabled = await asAdmin.patch(`/api/users/${id}`, { disabled: true });

    // then
    expect(disabled.body.disabled).toBe(true);
    expect((await t.http.get('/api/auth/me').set('Authorization', bearer(session.accessToken))).status).toBe(401);
    expect((await t.http.post('/api/auth/refresh').send({ refreshToken: session.refreshToken })).status).toBe(401);
    expect((await t.http.post('/api/auth/login').send({ username: 'quinn', password: 'quinn-secret-1' })).status).toBe(401);

    // when: enabled again
    await asAdmin.patch(`/api/users/${id}`, { disabled: false });

    // then
    expect((await login(t, 'quinn', 'quinn-secret-1')).user.username).toBe('quinn');
  });

  it('never leaves the system without an enabled administrator', async () => {
    // given: a second administrator
    const root = (await asAdmin.post('/api/users', { username: 'root', password: 'root-secret-1', roles: ['admin'] })).body.id;
    const adminId = await userId('admin');

    // when: the demo admin steps down, then root tries to disable and to demote itself
    const rootToken = bearer(await tokenFor(t, 'root'));
    const stepDown = await t.http.patch(`/api/users/${adminId}`).set('Authorization', rootToken).send({ roles: ['staff'] });
    const disableLast = await t.http.patch(`/api/users/${root}`).set('Authorization', rootToken).send({ disabled: true });
    const demoteLast = await t.http.patch(`/api/users/${root}`).set('Authorization', rootToken).send({ roles: ['auditor'] });

    // then
    expect(stepDown.status).toBe(200);
    expect(disableLast.status).toBe(409);
    expect(disableLast.body.code).toBe('CONFLICT');
    expect(demoteLast.status).toBe(409);

    // finally: the demo admin is admin again
    expect((await t.http.patch(`/api/users/${adminId}`).set('Authorization', rootToken).send({ roles: ['admin'] })).status).toBe(200);
  });

  it('resets a password: the old one fails, the new one works, sessions end', async () => {
    // given
    const id = (await asAdmin.post('/api/users', { username: 'rosa', password: 'rosa-secret-1' })).body.id;
    const session = await login(t, 'rosa', 'rosa-secret-1');

    // when
    const reset = await asAdmin.post(`/api/users/${id}/password`, { newPassword: 'rosa-secret-2' });
    const tooShort = await asAdmin.post(`/api/users/${id}/password`, { newPassword: 'x' });

    // then
    expect(reset.status).toBe(204);
    expect(tooShort.status).toBe(400);
    expect((await t.http.post('/api/auth/login').send({ username: 'rosa', password: 'rosa-secret-1' })).status).toBe(401);
    expect((await t.http.post('/api/auth/refresh').send({ refreshToken: session.refreshToken })).status).toBe(401);
    expect((await login(t, 'rosa', 'rosa-secret-2')).user.username).toBe('rosa');
  });

  it('manages groups and memberships (what candidateGroups name)', async () => {
    // when
    const created = await asAdmin.post('/api/groups', { name: 'cab', description: 'Change advisory board' });
    const duplicate = await asAdmin.post('/api/groups', { name: 'CAB' });
    const badName = await asAdmin.post('/api/groups', { name: 'has space' });
    const added = await asAdmin.post('/api/groups/cab/members', { username: 'STAFF' });
    const again = await asAdmin.post('/api/groups/cab/members', { username: 'staff' });
    const unknownUser = await asAdmin.post('/api/groups/cab/members', { username: 'nobody' });
    const unknownGroup = await asAdmin.post('/api/groups/nope/members', { username: 'staff' });

    // then
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'cab', description: 'Change advisory board', members: [] });
    expect(duplicate.status).toBe(409);
    expect(badName.status).toBe(400);
    expect(added.status).toBe(200);
    expect(added.body.members).toEqual(['staff']);
    expect(again.body.members).toEqual(['staff']);
    expect(unknownUser.status).toBe(404);
    expect(unknownUser.body.code).toBe('USER_NOT_FOUND');
    expect(unknownGroup.status).toBe(404);
    expect(unknownGroup.body.code).toBe('GROUP_NOT_FOUND');
    // and: the member's groups include it at once
    const staffToken = bearer(await tokenFor(t, 'staff'));
    expect((await t.http.get('/api/auth/me').set('Authorization', staffToken)).body.groups).toEqual(['cab', 'resolvers', 'servicedesk', 'staff']);
    const list = await asAdmin.get('/api/groups');
    expect(list.body.map((g: any) => g.name)).toEqual(['cab', 'resolvers', 'servicedesk', 'staff']);
    expect(list.body.find((g: any) => g.name === 'servicedesk').members).toEqual(['Nora', 'staff', 'staff2']);

    // when: removed
    const removed = await asAdmin.delete('/api/groups/CAB/members/staff');

    // then
    expect(removed.status).toBe(200);
    expect(removed.body.members).toEqual([]);
    expect((await asAdmin.get('/api/groups/cab')).body.members).toEqual([]);
    expect((await t.http.get('/api/auth/me').set('Authorization', staffToken)).body.groups).toEqual(['resolvers', 'servicedesk', 'staff']);
  });
});
