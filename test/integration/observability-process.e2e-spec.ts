import { createServer, type Server } from 'node:http';
import { linearTasks } from '../support/bpmn';
import { startHttpServer, type ServerProcess } from '../support/server-process';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ADMIN_PASSWORD = 'tracing-admin-secret-1';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

const SERVER_KIND = 2;

function attribute(span: OtlpSpan, key: string): unknown {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value === undefined ? undefined : Object.values(value)[0];
}

/**
 * A real server process (JSON logs at info) started with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a
 * collector inside the test (OTLP/HTTP, JSON): a request that starts an instance is traced as the
 * HTTP request's span, the command span under it (instance id, definition key) and the PostgreSQL
 * queries under the command; every log line written for a request carries its id.
 */
describe('tracing and request logs of a server process', () => {
  let db: TestDatabase;
  let collector: Server;
  let server: ServerProcess;
  let base = '';
  const spans: OtlpSpan[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.url === '/v1/traces' && String(req.headers['content-type']).includes('json')) {
          const payload = JSON.parse(body) as { resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[] };
          for (const r of payload.resourceSpans ?? []) for (const s of r.scopeSpans ?? []) spans.push(...(s.spans ?? []));
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as { port: number };
    server = await startHttpServer(
      db.databaseUrl,
      {
        ...process.env,
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
        ADMIN_USERNAME: 'root',
        ADMIN_PASSWORD,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
      ['api/tracing/preload.ts'],
    );
    base = server.base;
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    collector?.closeAllConnections();
    await new Promise((r) => collector?.close(r));
    await db?.drop();
  });

  async function call(method: string, path: string, body: string | object | undefined, token?: string, type = 'application/json', requestId?: string) {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}), ...(requestId ? { 'x-request-id': requestId } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  it('traces a request, its command (instance id, definition key) and its PostgreSQL queries', async () => {
    // given
    const login = await call('POST', '/api/auth/login', { username: 'root', password: ADMIN_PASSWORD });
    expect(login.status).toBe(200);
    const token = login.body.accessToken as string;
    expect((await call('POST', '/api/definitions', linearTasks('traced-flow', ['work']), token, 'application/xml')).status).toBe(201);

    // when
    const started = await call('POST', '/api/instances', { definitionKey: 'traced-flow' }, token);
    expect(started.status).toBe(201);
    const instanceId = started.body.instance.id as string;

    // then: the spans arrive at the collector
    const deadline = Date.now() + 20_000;
    let command: OtlpSpan | undefined;
    while (Date.now() < deadline && !(command = spans.find((s) => s.name === 'command start' && attribute(s, 'itsm.instance_id') === instanceId))) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(command).toBeDefined();
    expect(attribute(command!, 'itsm.definition_key')).toBe('traced-flow');
    await new Promise((r) => setTimeout(r, 500)); // the request's own span ends after the command's

    const trace = spans.filter((s) => s.traceId === command!.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const ancestors = (span: OtlpSpan): OtlpSpan[] => {
      const chain: OtlpSpan[] = [];
      for (let p = span.parentSpanId ? byId.get(span.parentSpanId) : undefined; p; p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined) chain.push(p);
      return chain;
    };
    // the HTTP request is the root of the trace, the command below it
    const request = ancestors(command!).find((s) => s.kind === SERVER_KIND);
    expect(request).toBeDefined();
    expect(request!.parentSpanId ?? '').toBe('');
    expect(attribute(request!, 'http.route') ?? request!.name).toMatch(/\/api\/instances/);
    // PostgreSQL queries below the command
    const queries = trace.filter((s) => attribute(s, 'db.system') === 'postgresql' || attribute(s, 'db.system.name') === 'postgresql');
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.some((q) => ancestors(q).includes(command!))).toBe(true);
  }, 60_000);

  it('writes the request id on every log line of a request, the lines inside the handler included', async () => {
    // when: a denied request (the denial is logged from inside the request's handling)
    const denied = await call('GET', '/api/tasks', undefined, 'not-a-token', 'application/json', 'trace-me-42');
    expect(denied.status).toBe(401);
    expect(denied.body.requestId).toBe('trace-me-42');
    await new Promise((r) => setTimeout(r, 300));

    // then: JSON lines; the denial line and the request line both carry the id
    const lines = server.log()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; requestId?: string; req?: { id?: string } });
    const ofRequest = lines.filter((l) => l.requestId === 'trace-me-42');
    expect(ofRequest.map((l) => l.msg)).toEqual(expect.arrayContaining(['access denied', 'request completed']));
    expect(ofRequest.find((l) => l.msg === 'request completed')?.req?.id).toBe('trace-me-42');
    // lines outside any request have none
    expect(lines.some((l) => l.requestId === undefined)).toBe(true);
  });
});
