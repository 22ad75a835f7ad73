import { Agent, get } from 'node:http';
import type { Server } from 'node:net';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Idle keep-alive connections (HTTP_KEEP_ALIVE_SECONDS, default 65): the server keeps a client's idle
 * connection open longer than clients and proxies do (Node's fetch 4 s, load balancers about 60 s), so a
 * request sent on a connection the client still holds never meets a server closing it at that moment.
 * Node's default of 5 s let a worker's request on a 5 s old connection fail with no answer.
 */
describe('idle keep-alive connections', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('stay open past Node’s 5 s: a client reuses its connection after 6 s idle', async () => {
    // given: the server with the default keep-alive, and a client holding one connection
    const server = await listening(await createTestApp(db));
    try {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      expect(await status(server, agent)).toBe(200);

      // when: the connection is idle for 6 s, then the client sends its next request
      await new Promise((r) => setTimeout(r, 6_000));
      const second = await status(server, agent);

      // then: answered on the same connection
      expect(second).toBe(200);
      expect(server.connections).toBe(1);
      agent.destroy();
    } finally {
      await server.close();
    }
  }, 30_000);

  it('close after HTTP_KEEP_ALIVE_SECONDS', async () => {
    // given: a keep-alive of 1 s
    const server = await listening(await createTestApp(db, { config: { httpKeepAliveSeconds: 1 } }));
    try {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      expect(await status(server, agent)).toBe(200);

      // when: idle for 2 s
      await new Promise((r) => setTimeout(r, 2_000));

      // then: the server closed the connection; the next request opens another
      expect(await status(server, agent)).toBe(200);
      expect(server.connections).toBe(2);
      agent.destroy();
    } finally {
      await server.close();
    }
  }, 30_000);
});

interface Listening {
  port: number;
  /** Connections the server accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

async function listening(t: ApiTestApp): Promise<Listening> {
  await t.app.listen(0, '127.0.0.1');
  const server = t.app.getHttpServer() as Server;
  let connections = 0;
  server.on('connection', () => connections++);
  return {
    port: (server.address() as { port: number }).port,
    get connections() {
      return connections;
    },
    close: () => t.close(),
  };
}

function status(server: Listening, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: server.port, path: '/api/health/live', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}
