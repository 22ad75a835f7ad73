import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { ManualClock, Orchestrator } from '../../engine';
import { bpmn, linearTasks } from '../support/bpmn';
import { freePort } from '../support/server-process';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const TOKEN = 'metrics-token-for-the-test-0123456789';
const MINUTE = 60_000;

/** Every family /metrics must expose (issue 13). */
const FAMILIES = [
  'itsm_http_requests_total',
  'itsm_http_request_duration_seconds',
  'itsm_commands_total',
  'itsm_command_duration_seconds',
  'itsm_engine_run_seconds',
  'itsm_open_tasks',
  'itsm_running_instances',
  'itsm_timers_due',
  'itsm_timers_overdue',
  'itsm_timers_failed',
  'itsm_open_incidents',
  'itsm_outbox_backlog',
  'itsm_buffered_messages',
  'itsm_timer_lag_seconds',
  'itsm_timer_jobs_total',
  'itsm_outbox_deliveries_total',
  'itsm_db_pool_connections',
  'itsm_transaction_retries_total',
  'itsm_transaction_conflicts_total',
  // Node process metrics (prom-client collectDefaultMetrics, same prefix)
  'itsm_process_cpu_seconds_total',
  'itsm_process_resident_memory_bytes',
  'itsm_nodejs_eventloop_lag_seconds',
  'itsm_nodejs_heap_size_used_bytes',
];

/** The value of one sample, `name{labels}` as written in the exposition (labels in any order); 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return 0;
}

const waitingTimer = bpmn(
  'metrics-timer',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
   <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT10M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/><bpmn:endEvent id="end"/>`,
);

describe('Prometheus metrics at /metrics', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  const scrape = async () => {
    const res = await t.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    return res.text;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock, config: { metrics: { port: null, token: TOKEN, gaugeCacheMs: 0 } } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('answers only with the metrics token on the main port', async () => {
    // when / then
    const anonymous = await t.http.get('/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
    expect(anonymous.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect((await t.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}x`)).status).toBe(401);
    // a user's access token is not the metrics token
    expect((await t.as('admin').get('/metrics')).status).toBe(401);
    expect(await scrape()).toContain('# TYPE itsm_commands_total counter');
  });

  it('has every metric the Grafana dashboard reads', async () => {
    const dashboard = readFileSync(join(__dirname, '..', '..', 'api', 'metrics', 'grafana-dashboard.json'), 'utf8');
    const used = new Set([...dashboard.matchAll(/\bitsm_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')));
    expect(used.size).toBeGreaterThan(15);
    const text = await scrape();
    for (const name of used) expect(text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
  });

  it('exposes every family, and the counters and gauges move after commands', async () => {
    // given
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks('metrics-flow', ['work'])).expect(201);
    const before = await scrape();
    for (const family of FAMILIES) expect(before).toMatch(new RegExp(`^# TYPE ${family} `, 'm'));

    // when: an instance starts (one open task), a start is refused, the task is completed
    const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'metrics-flow' }).expect(201);
    const during = await scrape();
    await t.as('alice').post('/api/instances').send({ definitionKey: 'no-such-key' }).expect(404);
    await t.as('alice').post(`/api/tasks/${started.body.tasks[0].id}/complete`).send({ variables: {} }).expect(200);
    const after = await scrape();

    // then: commands by type and outcome, with latency and engine run time
    const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('itsm_commands_total', { command: 'start', outcome: 'ok' })).toBe(1);
    expect(delta('itsm_commands_total', { command: 'start', outcome: 'rejected' })).toBe(1);
    expect(delta('itsm_commands_total', { command: 'completeTask', outcome: 'ok' })).toBe(1);
    expect(delta('itsm_command_duration_seconds_count', { command: 'start', outcome: 'ok' })).toBe(1);
    expect(delta('itsm_command_duration_seconds_count', { command: 'completeTask', outcome: 'ok' })).toBe(1);
    expect(delta('itsm_engine_run_seconds_count', { command: 'start' })).toBe(1);
    expect(delta('itsm_engine_run_seconds_count', { command: 'completeTask' })).toBe(1);
    expect(sample(after, 'itsm_engine_run_seconds_sum', { command: 'start' })).toBeGreaterThan(0);
    // HTTP requests by route pattern (never the raw URL) and status
    expect(delta('itsm_http_requests_total', { method: 'POST', route: '/api/instances', status: '201' })).toBe(1);
    expect(delta('itsm_http_requests_total', { method: 'POST', route: '/api/instances', status: '404' })).toBe(1);
    expect(delta('itsm_http_requests_total', { method: 'POST', route: '/api/tasks/:id/complete', status: '200' })).toBe(1);
    expect(delta('itsm_http_request_duration_seconds_count', { method: 'POST', route: '/api/tasks/:id/complete', status: '200' })).toBe(1);
    expect(after).not.toContain(started.body.tasks[0].id);
    // gauges read from the database: the task was open and the instance running in between
    expect(sample(during, 'itsm_open_tasks')).toBe(1);
    expect(sample(during, 'itsm_running_instances')).toBe(1);
    expect(sample(after, 'itsm_open_tasks')).toBe(0);
    expect(sample(after, 'itsm_running_instances')).toBe(0);
    // this process's database pool
    expect(sample(after, 'itsm_db_pool_connections', { state: 'max' })).toBe(10);
    expect(sample(after, 'itsm_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect(sample(after, 'itsm_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts due and overdue timers, and how late each fired', async () => {
    // given: an instance waiting 10 minutes
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(waitingTimer).expect(201);
    const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'metrics-timer' }).expect(201);
    const before = await scrape();
    expect(sample(before, 'itsm_timers_due')).toBe(0);

    // when: 15 minutes pass before the poller fires it
    clock.advance(15 * MINUTE);
    const due = await scrape();
    const summary = await t.app.get(Orchestrator).fireDueTimers('metrics-worker');
    const after = await scrape();

    // then: it was due (and overdue: more than a minute) and fired about 5 minutes late
    expect(summary.fired).toBe(1);
    expect((await t.as('alice').get(`/api/instances/${started.body.instance.id}`)).body.status).toBe('completed');
    expect(sample(due, 'itsm_timers_due')).toBe(1);
    expect(sample(due, 'itsm_timers_overdue')).toBe(1);
    expect(sample(after, 'itsm_timers_due')).toBe(0);
    expect(sample(after, 'itsm_timer_lag_seconds_count') - sample(before, 'itsm_timer_lag_seconds_count')).toBe(1);
    const lag = sample(after, 'itsm_timer_lag_seconds_sum') - sample(before, 'itsm_timer_lag_seconds_sum');
    expect(lag).toBeGreaterThanOrEqual(5 * 60);
    expect(lag).toBeLessThan(6 * 60);
    expect(sample(after, 'itsm_timer_jobs_total', { result: 'fired' }) - sample(before, 'itsm_timer_jobs_total', { result: 'fired' })).toBe(1);
    expect(sample(after, 'itsm_commands_total', { command: 'fireDueTimers', outcome: 'ok' }) - sample(before, 'itsm_commands_total', { command: 'fireDueTimers', outcome: 'ok' })).toBe(1);
  });
});

describe('/metrics access settings', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('is not served at all without METRICS_TOKEN or METRICS_PORT (404)', async () => {
    const t = await createTestApp(db, { users: [] });
    try {
      const res = await t.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND' });
    } finally {
      await t.close();
    }
  });

  it('is served open on METRICS_PORT, and then not on the main port', async () => {
    const port = await freePort();
    const t = await createTestApp(db, { users: [], config: { metrics: { port, token: null } } });
    try {
      const res = await request(`http://127.0.0.1:${port}`).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/^# TYPE itsm_http_requests_total counter/m);
      expect((await request(`http://127.0.0.1:${port}`).get('/api/instances')).status).toBe(404);
      expect((await t.http.get('/metrics')).status).toBe(404);
    } finally {
      await t.close();
    }
    // the port is released with the application
    await expect(request(`http://127.0.0.1:${port}`).get('/metrics')).rejects.toThrow();
  });
});
