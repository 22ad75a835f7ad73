import { linearTasks } from '../support/bpmn';
import { completeRetrying, healthOnNewConnection, sleep, startClusterServer, type Answer, type ClusterServer } from '../support/cluster-server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ADMIN = { username: 'kill-admin', password: 'kill-admin-password' };
const STAFF = { username: 'kill-staff', password: 'kill-staff-password' };
const FLOW = linearTasks('kill-flow', ['first', 'second', 'third'], 'kill');
/** No request may wait longer than this for its answer (or its connection's end) after a worker is killed. */
const BOUND_MS = 20_000;
const TIMEOUT = 300_000;

/**
 * A cluster worker SIGKILLed while clients work: api/main.ts with WORKERS=2 (on PostgreSQL when
 * DATABASE_URL is set, else on the PGlite the primary embeds, as `npm start` runs it), clients
 * using Node's fetch (keep-alive connections, reopened after an error) completing tasks at once.
 * Every request must end promptly, answered or with its connection closed: a connection the
 * cluster primary was handing to the killed worker must not be left open, unanswered, until the
 * client gives up (undici waits 300 s for headers). Nothing acknowledged may be lost.
 */
describe('a cluster worker SIGKILLed while clients complete tasks', () => {
  let db: TestDatabase;
  let server: ClusterServer;
  let port = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    // PGlite: the primary embeds it in DATA_DIR and serves it to the workers, as `npm start` does
    server = await startClusterServer(db, { name: 'worker-kill', admin: ADMIN, database: 'embedded' });
    port = server.port;
  }, TIMEOUT);

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('ends every request promptly and keeps every acknowledged completion', async () => {
    // given: 10 instances of a three-task flow, and the pids of both workers
    const admin = await login(ADMIN);
    expect((await call('POST', '/api/groups', admin, { name: 'kill' })).status).toBe(201);
    expect((await call('POST', '/api/users', admin, { username: STAFF.username, password: STAFF.password, roles: ['staff'], groups: ['kill'] })).status).toBe(201);
    expect((await call('POST', '/api/definitions', admin, FLOW, 'application/xml')).status).toBe(201);
    const staff = await login(STAFF);
    const [victim] = await server.workerPids(2);
    const ids = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const started = await call('POST', '/api/instances', staff, { definitionKey: 'kill-flow', businessKey: `kill-${i}` });
        expect(started.status).toBe(201);
        return started.body.instance.id as string;
      }),
    );

    // when: 10 clients complete the instances' tasks at once, retrying what got no answer, and one worker is SIGKILLed 300 ms in
    const acknowledged: string[] = [];
    const slow: string[] = [];
    /** A request of the clients: answered, or failed (connection closed); one that outlives BOUND_MS is noted and given up. */
    const attempt = async (method: string, path: string, body?: unknown): Promise<Answer | null> => {
      const began = Date.now();
      try {
        return await call(method, path, staff, body, 'application/json', AbortSignal.timeout(BOUND_MS));
      } catch (error) {
        if ((error as Error).name === 'TimeoutError') slow.push(`${method} ${path} unanswered after ${Date.now() - began} ms`);
        return null;
      }
    };
    const advancing = Promise.all(
      ids.map(async (id) => {
        for (const element of ['first', 'second', 'third']) {
          let task: string | undefined;
          for (let tries = 0; !task; tries++) {
            const list = await attempt('GET', `/api/tasks?instanceId=${id}&status=open`);
            task = list?.status === 200 ? (list.body.items as { id: string; elementId: string }[]).find((t) => t.elementId === element)?.id : undefined;
            if (tries > 100) throw new Error(`task ${element} of ${id} never opened`);
            if (!task) await sleep(100);
          }
          const send = () => attempt('POST', `/api/tasks/${task}/complete`, { variables: { element } });
          if (await completeRetrying(send, `completion of ${element} of ${id}`, 100, 100)) acknowledged.push(task);
        }
      }),
    );
    await sleep(300);
    process.kill(victim!, 'SIGKILL');
    // and new connections arrive while the primary learns of the exit
    const arriving = Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const began = Date.now();
        await healthOnNewConnection(port, BOUND_MS).catch((error: Error) => {
          if (error.name === 'TimeoutError') slow.push(`GET /api/health/live (${i}) unanswered after ${Date.now() - began} ms`);
        });
      }),
    );
    await Promise.all([advancing, arriving]);

    // then: no request waited out the bound, every acknowledged completion is kept, every instance completed, and a start answers
    expect(slow).toEqual([]);
    const completed = new Set<string>();
    for (const id of ids) {
      expect((await call('GET', `/api/instances/${id}`, staff)).body.status).toBe('completed');
      const done = await call('GET', `/api/tasks?instanceId=${id}&status=completed`, staff);
      for (const task of done.body.items as { id: string }[]) completed.add(task.id);
    }
    expect(completed.size).toBe(3 * ids.length);
    expect(acknowledged.filter((task) => !completed.has(task))).toEqual([]);
    expect((await call('POST', '/api/instances', staff, { definitionKey: 'kill-flow', businessKey: 'after-kill' })).status).toBe(201);
  }, TIMEOUT);

  // ------------------------------------------------------------------------------------------

  async function login(user: { username: string; password: string }): Promise<string> {
    const answer = await call('POST', '/api/auth/login', null, user);
    if (answer.status !== 200) throw new Error(`login answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body.accessToken as string;
  }

  /** A request with Node's fetch (its keep-alive connection pool, as a client would use it). */
  async function call(method: string, path: string, token: string | null, body?: unknown, type = 'application/json', signal?: AbortSignal): Promise<Answer> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      body: payload,
      signal,
      headers: { ...(payload ? { 'content-type': type } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }
});
