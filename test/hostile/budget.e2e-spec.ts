/**
 * Issue 10, hostile inputs the execution budget must stop (engine/runtime/budget.ts), through the
 * HTTP API of a real server process on PostgreSQL. Each attack answers 422 BUDGET_EXCEEDED naming
 * the element and the limit (or, behind a timer, becomes an incident), changes nothing, the
 * server process stays alive, `GET /api/health` keeps answering while the attack runs (a probe
 * is sent every 20 ms from this process, each on its own; every one answers 200 within
 * HEALTH_BOUND_MS; the latencies are printed) and the server's RSS stays under RSS_BOUND_MB
 * (README "Execution budget").
 *
 * The goal is 100 ms (`HEALTH_BOUND_MS=100 npx jest test/hostile/budget` on a machine
 * that is not saturated): engine work yields the event loop every slice from a command's first
 * step (README "Execution budget"). Probe latencies are wall times and grow with the machine's
 * load (on a 2-core machine at a load average of 20, even the idle server's slowest probe passes
 * 100 ms), so the suite's default bound is the one it holds on a shared CI machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { bpmn } from '../support/bpmn';
import { dmnTable } from '../support/dmn';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { DEFAULT_SEMI_SPACE_MB } from '../../api/config/v8-memory';
import {
  COUNT_FOR_1E8, conditionAfterTask, conditionAfterTimer, conditionAtStart, endlessLoop, formKeyTask, HUGE_STRING, multiInstance, multiInstanceFanOut, PLAIN_TASK, serviceTask, SOME_OVER_N,
} from './budget-diagrams';

/** The documented bound (README "Execution budget"): the server's resident memory during every attack. */
const RSS_BOUND_MB = 600;
/** No health probe waits longer than this during any attack (before the budget, health stopped answering for 41 s and more). */
const HEALTH_BOUND_MS = Number(process.env.HEALTH_BOUND_MS ?? 1500);
/** A health probe starts this often while an attack runs, whether the previous one answered or not. */
const PROBE_EVERY_MS = 20;
const ROOT = join(__dirname, '..', '..');

interface Json {
  [key: string]: unknown;
}

describe('hostile diagrams and variables against the execution budget (HTTP, PostgreSQL, own server process)', () => {
  let db: TestDatabase;
  let server: ChildProcess;
  let base = '';
  let admin = '';
  let staff = '';
  const exits: (number | null)[] = [];
  const peakRss: number[] = [];
  let rssTimer: NodeJS.Timeout;

  const call = async (token: string, method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': contentType }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : null) as Json };
  };
  const login = async (username: string, password: string) => {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
    return ((await res.json()) as { accessToken: string }).accessToken;
  };
  const deploy = async (xml: string) => {
    const res = await call(admin, 'POST', '/api/definitions', xml, 'application/xml');
    expect([res.status, res.body.detail]).toEqual([201, undefined]);
  };
  const rssMb = () => {
    const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
  };

  /** Runs `attack` while starting a health probe every 20 ms; answers its result and the slowest probe. */
  async function underProbe<T>(attack: () => Promise<T>): Promise<{ result: T; slowestMs: number; probes: number; failed: number }> {
    const latencies: number[] = [];
    const inFlight: Promise<void>[] = [];
    let failed = 0;
    const probe = async () => {
      const started = performance.now();
      const res = await fetch(`${base}/api/health`).catch(() => null);
      await res?.text();
      latencies.push(performance.now() - started);
      if (res?.status !== 200) failed++;
    };
    const ticker = setInterval(() => inFlight.push(probe()), PROBE_EVERY_MS);
    inFlight.push(probe());
    const began = performance.now();
    const result = await attack();
    const tookMs = performance.now() - began;
    clearInterval(ticker);
    await Promise.all(inFlight);
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(`${expect.getState().currentTestName}: attack ${Math.round(tookMs)} ms, ${latencies.length} health probes, median ${Math.round(sorted[sorted.length >> 1] ?? 0)} ms, slowest ${Math.round(sorted[sorted.length - 1] ?? 0)} ms, server RSS peak ${Math.round(Math.max(...peakRss))} MB, answer ${JSON.stringify((result as { body?: unknown } | undefined)?.body ?? null).slice(0, 300)}`);
    return { result, slowestMs: Math.max(...latencies), probes: latencies.length, failed };
  }

  /** The attack answers 422 BUDGET_EXCEEDED naming `elementId` and one of `limits`; health stayed fast. */
  async function expectRefused(attack: () => Promise<{ status: number; type: string; body: Json }>, elementIds: string | string[], limits: string[]) {
    const { result, slowestMs, probes, failed } = await underProbe(attack);
    expect({ status: result.status, code: result.body.code }).toEqual({ status: 422, code: 'BUDGET_EXCEEDED' });
    const elementId = String(result.body.elementId);
    expect([elementIds].flat()).toContain(elementId);
    expect(result.type).toContain('application/problem+json');
    expect(limits).toContain(result.body.limit);
    expect(String(result.body.detail)).toContain(`"${elementId}"`);
    expect(result.body.setting).toEqual(expect.any(String));
    expect(probes).toBeGreaterThan(0);
    expect(failed).toBe(0);
    expect(slowestMs).toBeLessThanOrEqual(HEALTH_BOUND_MS);
    expect(exits).toEqual([]);
    return result.body;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    server = spawn(process.execPath, [`--max-semi-space-size=${DEFAULT_SEMI_SPACE_MB}`, '-r', './test/support/ts-register.cjs', 'test/hostile/budget-server.ts', db.databaseUrl], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    server.on('exit', (code) => exits.push(code));
    const port = await new Promise<number>((resolve, reject) => {
      const lines = createInterface({ input: server.stdout! });
      lines.on('line', (line) => {
        const m = /^listening (\d+)/.exec(line);
        if (m) resolve(Number(m[1]));
      });
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    base = `http://127.0.0.1:${port}`;
    rssTimer = setInterval(() => peakRss.push(rssMb()), 50);
    admin = await login('admin', 'hostile-admin-pw');
    expect((await call(admin, 'POST', '/api/groups', { name: 'servicedesk' })).status).toBe(201);
    expect((await call(admin, 'POST', '/api/users', { username: 'sam', password: 'staff-password-1', roles: ['staff'], groups: ['servicedesk'] })).status).toBe(201);
    staff = await login('sam', 'staff-password-1');
  }, 120_000);

  afterAll(async () => {
    clearInterval(rssTimer);
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    await db?.drop();
    console.log(`budget suite: server peak RSS ${Math.round(Math.max(...peakRss))} MB`);
  });

  beforeEach(() => {
    peakRss.length = 0;
    peakRss.push(rssMb());
  });

  afterEach(() => {
    expect(Math.max(...peakRss)).toBeLessThan(RSS_BOUND_MB);
  });

  it('baseline: health and RSS of the idle server', async () => {
    const { slowestMs } = await underProbe(() => new Promise((r) => setTimeout(r, 2000)));
    expect(slowestMs).toBeLessThanOrEqual(HEALTH_BOUND_MS);
  });

  it('a condition iterating over n = 1,000,000,000 submitted on task completion: 422, the task stays open', async () => {
    await deploy(conditionAfterTask('h_some', SOME_OVER_N));
    const started = await call(staff, 'POST', '/api/instances', { definitionKey: 'h_some' });
    expect(started.status).toBe(201);
    const instanceId = (started.body.instance as Json).id as string;
    const [task] = (await call(staff, 'GET', `/api/tasks?instanceId=${instanceId}&status=open`)).body.items as { id: string }[];
    const before = (await call(admin, 'GET', `/api/instances/${instanceId}/history`)).body;
    await expectRefused(() => call(staff, 'POST', `/api/tasks/${task!.id}/complete`, { variables: { n: 1_000_000_000 } }), 'gw', ['expressionMs', 'expressionMemoryMb']);
    expect(((await call(staff, 'GET', `/api/tasks?instanceId=${instanceId}&status=open`)).body.items as { id: string }[]).map((t) => t.id)).toEqual([task!.id]);
    expect((await call(admin, 'GET', `/api/instances/${instanceId}/history`)).body).toEqual(before);
    // a harmless n completes the same task
    expect((await call(staff, 'POST', `/api/tasks/${task!.id}/complete`, { variables: { n: 5 } })).status).toBe(200);
  });

  it('a condition building 100,000,000 numbers at start: 422 and no instance', async () => {
    await deploy(conditionAtStart('h_count', COUNT_FOR_1E8));
    await expectRefused(() => call(staff, 'POST', '/api/instances', { definitionKey: 'h_count' }), 'gw', ['expressionMs', 'expressionMemoryMb']);
    expect((await call(admin, 'GET', '/api/instances?key=h_count')).body.items).toEqual([]);
  });

  it('a formKey expression building 170 MB of text: 422 naming the user task', async () => {
    await deploy(formKeyTask('h_formkey', HUGE_STRING));
    await expectRefused(() => call(staff, 'POST', '/api/instances', { definitionKey: 'h_formkey' }), 'T', ['expressionMs', 'expressionMemoryMb', 'expressionResultChars']);
  });

  it('a loopCardinality of 10,000,000 from a variable: 422 naming the limit of loop instances', async () => {
    await deploy(multiInstance('h_mi', '${n}'));
    const body = await expectRefused(() => call(staff, 'POST', '/api/instances', { definitionKey: 'h_mi', variables: { n: 10_000_000 } }), 'T', ['loopInstances']);
    expect(body.max).toBe(1000);
  });

  it('a fan-out to 1,200 user tasks (two parallel multi-instance tasks of 600): 422 naming the task limit, nothing created', async () => {
    await deploy(multiInstanceFanOut('h_fan', 2, 600));
    await expectRefused(() => call(staff, 'POST', '/api/instances', { definitionKey: 'h_fan' }), ['t0', 't1'], ['tasks', 'timeMs']);
    expect((await call(admin, 'GET', '/api/instances?key=h_fan')).body.items).toEqual([]);
  });

  it('an endless loop of automatic steps through a service task: 422, and health answers meanwhile', async () => {
    await deploy(endlessLoop('h_service_loop', serviceTask('echo')));
    await expectRefused(() => call(staff, 'POST', '/api/instances', { definitionKey: 'h_service_loop' }), ['step', 'again'], ['steps', 'timeMs']);
  });

  it('an endless loop through a plain task: 422, not a stack overflow', async () => {
    await deploy(endlessLoop('h_plain_loop', PLAIN_TASK));
    await expectRefused(() => call(staff, 'POST', '/api/instances', { definitionKey: 'h_plain_loop' }), ['step', 'again'], ['steps', 'timeMs']);
  });

  it('a decision table whose input expression takes a billion steps: a business rule task and the evaluate route answer 422', async () => {
    const billion = 'count(for i in 1..1000000000 return i)';
    const deployed = await call(admin, 'POST', '/api/decisions', dmnTable('h_dmn_input', { inputs: [billion], outputs: ['v'], rules: [[['> 0'], ['"many"']]] }), 'application/xml');
    expect(deployed.status).toBe(201);
    await deploy(bpmn('h_dmn_task', [
      '<bpmn:startEvent id="start"/>',
      '<bpmn:businessRuleTask id="decide" camunda:decisionRef="h_dmn_input" camunda:resultVariable="v" camunda:mapDecisionResult="singleEntry"/>',
      '<bpmn:userTask id="T" camunda:candidateGroups="servicedesk"/>',
      '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide"/>',
      '<bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="T"/>',
    ].join('\n')));
    await expectRefused(() => call(staff, 'POST', '/api/instances', { definitionKey: 'h_dmn_task' }), 'decide', ['expressionMs', 'expressionMemoryMb']);
    expect((await call(admin, 'GET', '/api/instances?key=h_dmn_task')).body.items).toEqual([]);
    const { result, slowestMs, failed } = await underProbe(() => call(admin, 'POST', '/api/decisions/h_dmn_input/evaluate', { variables: {} }));
    expect([result.status, result.body.code, result.body.limit]).toEqual([422, 'BUDGET_EXCEEDED', expect.stringMatching(/^expression(Ms|MemoryMb)$/)]);
    expect(failed).toBe(0);
    expect(slowestMs).toBeLessThanOrEqual(HEALTH_BOUND_MS);
  });

  it('a decision table rule whose input entry takes a billion steps: 422 from the evaluate route, the server stays responsive', async () => {
    const deployed = await call(admin, 'POST', '/api/decisions', dmnTable('h_dmn_entry', { inputs: ['x'], outputs: ['v'], rules: [[['some i in 1..1000000000 satisfies i < 0'], ['"hit"']]] }), 'application/xml');
    expect(deployed.status).toBe(201);
    const { result, slowestMs, failed } = await underProbe(() => call(admin, 'POST', '/api/decisions/h_dmn_entry/evaluate', { variables: { x: 'a' } }));
    expect([result.status, result.body.code, result.body.limit]).toEqual([422, 'BUDGET_EXCEEDED', expect.stringMatching(/^expression(Ms|MemoryMb)$/)]);
    expect(failed).toBe(0);
    expect(slowestMs).toBeLessThanOrEqual(HEALTH_BOUND_MS);
    expect(exits).toEqual([]);
  });

  it('the billion-step condition behind a PT2S timer: the timer job fails, is retried with backoff and becomes an incident; the server never restarts', async () => {
    await deploy(conditionAfterTimer('h_timer', 'PT2S', COUNT_FOR_1E8));
    const started = await call(staff, 'POST', '/api/instances', { definitionKey: 'h_timer' });
    expect(started.status).toBe(201);
    const instanceId = (started.body.instance as Json).id as string;
    // attempts at about 2 s, 12 s and 52 s (retry backoff 10 s, 40 s): the third failure opens the incident
    const { result: incidents, slowestMs, failed } = await underProbe(async () => {
      for (let waited = 0; waited < 75_000; waited += 1000) {
        const found = (await call(admin, 'GET', `/api/incidents?instanceId=${instanceId}`)).body.items as Json[];
        if (found.length) return found;
        await new Promise((r) => setTimeout(r, 1000));
      }
      return [];
    });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ type: 'timer-failed', status: 'open' });
    expect(String(incidents[0]!.message)).toMatch(/"gw".*(time limit|memory limit)/);
    expect(failed).toBe(0);
    expect(slowestMs).toBeLessThanOrEqual(HEALTH_BOUND_MS);
    expect(exits).toEqual([]);
    const instance = (await call(admin, 'GET', `/api/instances/${instanceId}`)).body;
    expect(instance.status).toBe('running');
  }, 120_000);
});
