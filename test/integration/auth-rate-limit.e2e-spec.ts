import { createUser, login, testAuthConfig, TEST_PASSWORD } from '../support/auth';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startTestApp, type TestApp } from '../support/test-app';

describe('login rate limit (HTTP, real database, two server processes)', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = { auth: testAuthConfig() };
    // two app instances on one database stand for two server processes
    a = await startTestApp(db, { config });
    b = await startTestApp(db, { config });
    await createUser(a, { username: 'rita' });
    await createUser(a, { username: 'sam' });
  });
  beforeEach(async () => {
    await a.sql.query(`DELETE FROM login_attempt`);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await db?.drop();
  });

  const attempt = (t: TestApp, username: string, password = 'wrong-password') => t.http.post('/api/auth/login').send({ username, password });

  it('answers 429 with Retry-After after 5 failures for a username, counted across processes', async () => {
    // given: 5 failures, spread over both processes
    for (const t of [a, b, a, b, a]) expect((await attempt(t, 'rita')).status).toBe(401);

    // when: the right password, on either process
    const onA = await attempt(a, 'rita', TEST_PASSWORD);
    const onB = await attempt(b, 'RITA', TEST_PASSWORD);

    // then
    for (const res of [onA, onB]) {
      expect(res.status).toBe(429);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS', retryAfterSeconds: expect.any(Number) });
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(800);
      expect(retryAfter).toBeLessThanOrEqual(900);
    }
    // and: another user from the same address is not affected
    expect((await login(a, 'sam')).user.username).toBe('sam');
  });

  it('limits unknown usernames the same way (nothing to learn from the limit)', async () => {
    // given
    for (let i = 0; i < 5; i++) expect((await attempt(a, 'ghost')).status).toBe(401);

    // when
    const res = await attempt(a, 'ghost');

    // then
    expect(res.status).toBe(429);
  });

  it('lets concurrent attempts through one at a time: exactly 5 failures are checked, the rest get 429', async () => {
    // when: 10 wrong passwords at once, on both processes
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(i % 2 ? a : b, 'rita')));

    // then
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  });

  it('starts counting again after a successful login', async () => {
    // given: 4 failures, a success, 4 failures
    for (let i = 0; i < 4; i++) await attempt(a, 'sam');
    await login(a, 'sam');
    for (let i = 0; i < 4; i++) await attempt(b, 'sam');

    // when
    const res = await attempt(a, 'sam', TEST_PASSWORD);

    // then
    expect(res.status).toBe(200);
  });

  it('allows attempts again once the failures are older than 15 minutes', async () => {
    // given: locked out
    for (let i = 0; i < 5; i++) await attempt(a, 'rita');
    expect((await attempt(a, 'rita', TEST_PASSWORD)).status).toBe(429);

    // when: the failures age past the window
    await a.sql.query(`UPDATE login_attempt SET at = at - interval '16 minutes'`);

    // then
    expect((await attempt(a, 'rita', TEST_PASSWORD)).status).toBe(200);
  });

  it('answers 429 to every login from an address after 20 failures from it', async () => {
    // given: 20 failures from this address, 4 per username (no username reaches its own limit)
    for (let i = 0; i < 20; i++) expect((await attempt(i % 2 ? a : b, `user-${i % 5}`)).status).toBe(401);

    // when: a right password for a user who never failed
    const res = await attempt(a, 'sam', TEST_PASSWORD);

    // then
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
