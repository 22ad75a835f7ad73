/**
 * Conformance harness: each case is data (diagrams, a script of steps, the expected outcome),
 * driven only through the HTTP API on the test database, one jest `it` per case.
 *
 * What a case asserts, after its steps:
 * - `completed`: the ordered `element.completed` element ids of the main instance's history
 *   (sequence flows are separate `flow.taken` events and never appear). Where the specification
 *   does not fix an order (elements completing in one command on concurrent branches, an
 *   event-based gateway and the event that won it), write `{ set: [...] }`: that many next
 *   completions, in any order. `ignore` names elements whose completion the specification does
 *   not define (e.g. a compensation boundary event) and drops them from the actual list.
 * - `status`: the main instance's status; `openTasks`: the element ids of the open user tasks of
 *   every instance of the case's definition keys (sorted); `variables` (subset) of the main
 *   instance; `others`: the same for the one instance of another key (a called child, a catcher).
 *
 * Steps run in order and stop the case at the first unexpected answer, naming the step.
 * CONFORMANCE_ONLY=<name,name> runs a subset (see `selectCases`).
 */
import { ManualClock, Orchestrator } from '../../engine';
import type { ApiTestApp } from '../support/test-app';

export type Vars = Record<string, unknown>;

/** An element id, or a group of completions whose order the specification leaves open. */
export type Completion = string | { set: string[] };

export type Step =
  /** Complete the (oldest) open user task at `complete` of any instance of the case's keys. */
  | { complete: string; variables?: Vars; as?: string; expectStatus?: number }
  /** POST /api/tasks/:id/assign (as admin) on the (oldest) open user task at `assign`. */
  | { assign: string; to: string }
  /** Move the clock by `ms` and fire every due timer; waits until none is due any more. */
  | { advance: number }
  /** POST /api/messages. */
  | { message: string; correlationKey?: string; businessKey?: string; variables?: Vars; timeToLive?: string; messageId?: string; expectStatus?: number }
  /** POST /api/signals. */
  | { signal: string; variables?: Vars; expectStatus?: number }
  /** POST /api/instances/:id/cancel on the main instance (as admin). */
  | { cancel: string }
  /** Start an instance of another key now (e.g. a catcher before the thrower runs). */
  | { startOther: string; variables?: Vars }
  /** Assert the open user tasks now (sorted element ids over the case's keys). */
  | { open: string[] }
  /** Assert the main instance's activeElementIds now (sorted). */
  | { active: string[] }
  /** Assert properties of the single open task at `task` (name, assignee...). */
  | { task: string; has: Record<string, unknown> }
  /** Wait until the case's instances stop changing (deliveries through the outbox/poller). */
  | { settle: true };

export interface InstanceExpectation {
  completed?: Completion[];
  status?: 'running' | 'completed' | 'cancelled' | 'failed';
  variables?: Vars;
  businessKey?: string | null;
}

export interface ConformanceCase {
  /** Unique, used by CONFORMANCE_ONLY; prefix with the pattern (wcp07-...) or construct. */
  name: string;
  /** The diagrams to deploy (admin), in order; the LAST one is the main process. */
  deploy: string[];
  /** How the main instance starts: POST /api/instances (default), or by a message/signal. */
  start?: { variables?: Vars; businessKey?: string } | { message: string; correlationKey?: string; variables?: Vars } | { signal: string };
  steps: Step[];
  expect: InstanceExpectation & {
    openTasks?: string[];
    /** How many timer jobs remain over every instance of the case's keys. */
    timers?: number;
    ignore?: string[];
    /** Keyed by definition key: the (single, latest) instance of that key. */
    others?: Record<string, InstanceExpectation>;
  };
  /** Instead of running: starting the main instance must be answered so (status, text in the detail). */
  startRefused?: { status: number; detailContains: string };
  /** Instead of running: the deploy of the last diagram must be refused with this answer. */
  refused?: { status: number; rule: string; elementId?: string };
  /**
   * A known deviation of the server from this (correct) expectation, with its reason (also listed
   * in README "Conformance suite"): the case still runs, as jest's `it.failing`, so the suite
   * turns red the day the server starts passing it (then drop this field).
   */
  knownDeviation?: string;
}

interface TaskRow {
  id: string;
  instanceId: string;
  definitionKey: string;
  elementId: string;
  name: string | null;
  createdAt?: string;
  [k: string]: unknown;
}

/** The id of the executable process of a diagram (any namespace prefix, any attribute order). */
export function processKey(xml: string): string {
  for (const m of xml.matchAll(/<(?:[\w-]+:)?process\b([^>]*)>/g)) {
    const attrs = m[1]!;
    if (/\bisExecutable="true"/.test(attrs)) {
      const id = /\bid="([^"]+)"/.exec(attrs);
      if (id) return id[1]!;
    }
  }
  throw new Error('conformance case: no executable process in diagram');
}

/** Case names from CONFORMANCE_ONLY (comma list); all cases when unset. */
export function selectCases<T extends { name: string }>(cases: T[]): T[] {
  const only = (process.env.CONFORMANCE_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const names = new Set(cases.map((c) => c.name));
  if (names.size !== cases.length) throw new Error('conformance: duplicate case names');
  return only.length ? cases.filter((c) => only.includes(c.name)) : cases;
}

/** Shapes the actual list like the expected one, so a failing case shows a readable diff. */
export function shapeCompletions(actual: string[], expected: Completion[]): Completion[] {
  const out: Completion[] = [];
  let i = 0;
  for (const item of expected) {
    if (i >= actual.length) break;
    if (typeof item === 'string') out.push(actual[i++]!);
    else {
      out.push({ set: [...actual.slice(i, i + item.set.length)].sort() });
      i += item.set.length;
    }
  }
  out.push(...actual.slice(i));
  return out;
}

export function normalizeExpected(expected: Completion[]): Completion[] {
  return expected.map((x) => (typeof x === 'string' ? x : { set: [...x.set].sort() }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A 404 because the endpoint does not exist is never the expected "nobody is waiting" answer. */
function missingRoute(res: { status: number; body: any }): boolean {  
  return res.status === 404 && (res.body?.code === 'ROUTE_NOT_FOUND' || /^no route/i.test(String(res.body?.detail ?? '')));
}

/** A step that gets no answer in this time is reported as a hang (the case fails, the next one runs). */
const STEP_TIMEOUT_MS = 15_000;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describeAnswer(res: { status: number; body: any }): string {  
  const b = res.body ?? {};
  const problems = Array.isArray(b.problems) ? ` ${b.problems.map((p: any) => `[${p.rule}${p.elementId ? ` ${p.elementId}` : ''}] ${p.message}`).join('; ')}` : '';  
  return `${res.status} ${b.title ?? ''}: ${b.detail ?? ''}${problems}`.trim();
}

/** Runs conformance cases against one app (one database per test file). */
export class ConformanceDriver {
  constructor(
    private readonly t: ApiTestApp,
    private readonly clock: ManualClock,
  ) {}

  private get admin() {
    return this.t.as('admin');
  }
  private get auditor() {
    return this.t.as('auditor');
  }

  async deploy(xml: string): Promise<{ status: number; body: any }> {  
    return this.admin.post('/api/definitions').set('Content-Type', 'application/xml').send(xml);
  }

  /** Runs one case; throws with the failing step's description, or fails the jest expectations. */
  async run(c: ConformanceCase): Promise<void> {
    const keys = c.deploy.map(processKey);
    const mainKey = keys[keys.length - 1]!;
    for (const [i, xml] of c.deploy.entries()) {
      const res = await this.deploy(xml);
      const last = i === c.deploy.length - 1;
      if (c.refused && last) {
        expect({ status: res.status, rule: res.body?.problems?.[0]?.rule, elementId: res.body?.problems?.[0]?.elementId }).toEqual({
          status: c.refused.status,
          rule: c.refused.rule,
          elementId: c.refused.elementId ?? res.body?.problems?.[0]?.elementId,
        });
        return;
      }
      if (res.status !== 201) throw new Error(`deploy of "${keys[i]}" refused: ${describeAnswer(res)}`);
    }

    if (c.startRefused) {
      const res = await this.t.as('alice').post('/api/instances').send({ definitionKey: mainKey, variables: (c.start as { variables?: Vars } | undefined)?.variables ?? {} });
      expect({ status: res.status, mentions: String(res.body?.detail ?? '').includes(c.startRefused.detailContains) || String(res.body?.detail ?? ''), instances: (await this.instancesOf([mainKey])).length }).toEqual({
        status: c.startRefused.status,
        mentions: true,
        instances: 0,
      });
      return;
    }
    const mainId = await withTimeout(this.startMain(c, mainKey), STEP_TIMEOUT_MS, `start: no answer within ${STEP_TIMEOUT_MS} ms (a hang)`);
    for (const [n, step] of c.steps.entries()) {
      const where = `step ${n + 1} ${JSON.stringify(step)}`;
      try {
        await withTimeout(this.step(step, keys, mainId), STEP_TIMEOUT_MS, `no answer within ${STEP_TIMEOUT_MS} ms (a hang)`);
      } catch (error) {
        throw new Error(`${where}: ${(error as Error).message}`);
      }
    }
    await this.assertOutcome(c, keys, mainId);
  }

  private async startMain(c: ConformanceCase, key: string): Promise<string> {
    const start = c.start ?? {};
    if ('message' in start) {
      const res = await this.admin.post('/api/messages').send({ name: start.message, correlationKey: start.correlationKey, variables: start.variables });
      if (res.status !== 200) throw new Error(`start by message "${start.message}": ${describeAnswer(res)}`);
      return this.latestInstance(key, 'start by message');
    }
    if ('signal' in start) {
      const res = await this.admin.post('/api/signals').send({ name: start.signal });
      if (res.status < 200 || res.status >= 300) throw new Error(`start by signal "${start.signal}": ${describeAnswer(res)}`);
      return this.latestInstance(key, 'start by signal');
    }
    const res = await this.t.as('alice').post('/api/instances').send({ definitionKey: key, variables: start.variables ?? {}, businessKey: start.businessKey });
    if (res.status !== 201) throw new Error(`start of "${key}": ${describeAnswer(res)}`);
    return res.body.instance.id;
  }

  /** The instance a message or signal started (polled for up to 3 s: delivery may follow the answer). */
  private async latestInstance(key: string, what: string): Promise<string> {
    for (let attempt = 0; attempt < 60; attempt++) {
      const res = await this.auditor.get(`/api/instances?key=${encodeURIComponent(key)}&size=200`);
      const id = res.body?.items?.[0]?.id;
      if (id) return id;
      await sleep(50);
    }
    throw new Error(`${what}: no instance of "${key}"`);
  }

  private async instancesOf(keys: string[]): Promise<{ id: string; definitionKey: string; status: string }[]> {
    const all = [];
    for (const key of new Set(keys)) {
      const res = await this.auditor.get(`/api/instances?key=${encodeURIComponent(key)}&size=200`);
      all.push(...(res.body?.items ?? []));
    }
    return all;
  }

  async openTasks(keys: string[]): Promise<TaskRow[]> {
    const rows: TaskRow[] = [];
    for (const inst of await this.instancesOf(keys)) {
      const res = await this.auditor.get(`/api/tasks?instanceId=${inst.id}&status=open&size=200`);
      rows.push(...(res.body?.items ?? []));
    }
    return rows;
  }

  private async step(step: Step, keys: string[], mainId: string): Promise<void> {
    if ('assign' in step) {
      const open = await this.openTasks(keys);
      const task = open.filter((x) => x.elementId === step.assign).sort((a, b) => String(a.createdAt ?? '').localeCompare(String(b.createdAt ?? '')))[0];
      if (!task) throw new Error(`no open task "${step.assign}" to assign (open: ${open.map((x) => x.elementId).sort().join(', ') || 'none'})`);
      const res = await this.admin.post(`/api/tasks/${task.id}/assign`).send({ assignee: step.to });
      if (res.status !== 200) throw new Error(`assigning it answered ${describeAnswer(res)}`);
      return;
    }
    if ('complete' in step) {
      const open = await this.openTasks(keys);
      const task = open.filter((x) => x.elementId === step.complete).sort((a, b) => String(a.createdAt ?? '').localeCompare(String(b.createdAt ?? '')))[0];
      if (!task) throw new Error(`no open task "${step.complete}" (open: ${open.map((x) => x.elementId).sort().join(', ') || 'none'})`);
      const res = await this.t.as(step.as ?? 'alice').post(`/api/tasks/${task.id}/complete`).send({ variables: step.variables ?? {} });
      if (res.status !== (step.expectStatus ?? 200)) throw new Error(`completing it answered ${describeAnswer(res)}`);
      return;
    }
    if ('advance' in step) {
      this.clock.advance(step.advance);
      const orchestrator = this.t.app.get(Orchestrator);
      for (let round = 0; round < 50; round++) {
        await orchestrator.fireDueTimers('conformance');
        if (!(await this.dueTimers(keys))) return;
        await sleep(20);
      }
      throw new Error('timers stay due after firing');
    }
    if ('message' in step) {
      const { message, expectStatus, ...rest } = step;
      const res = await this.admin.post('/api/messages').send({ name: message, ...rest });
      const ok = expectStatus === undefined ? res.status === 200 || res.status === 202 : res.status === expectStatus;
      if (!ok || missingRoute(res)) throw new Error(`POST /api/messages answered ${describeAnswer(res)}`);
      return;
    }
    if ('signal' in step) {
      const res = await this.admin.post('/api/signals').send({ name: step.signal, variables: step.variables });
      const ok = step.expectStatus === undefined ? res.status >= 200 && res.status < 300 : res.status === step.expectStatus;
      if (!ok || missingRoute(res)) throw new Error(`POST /api/signals answered ${describeAnswer(res)}`);
      return;
    }
    if ('cancel' in step) {
      const res = await this.admin.post(`/api/instances/${mainId}/cancel`).send({ reason: step.cancel });
      if (res.status !== 200) throw new Error(`cancel answered ${describeAnswer(res)}`);
      return;
    }
    if ('startOther' in step) {
      const res = await this.t.as('alice').post('/api/instances').send({ definitionKey: step.startOther, variables: step.variables ?? {} });
      if (res.status !== 201) throw new Error(`start of "${step.startOther}": ${describeAnswer(res)}`);
      return;
    }
    if ('open' in step) {
      const open = (await this.openTasks(keys)).map((x) => x.elementId).sort();
      expect({ open }).toEqual({ open: [...step.open].sort() });
      return;
    }
    if ('active' in step) {
      const res = await this.auditor.get(`/api/instances/${mainId}`);
      expect({ active: [...(res.body.activeElementIds ?? [])].sort() }).toEqual({ active: [...step.active].sort() });
      return;
    }
    if ('task' in step) {
      const matches = (await this.openTasks(keys)).filter((x) => x.elementId === step.task);
      if (matches.length !== 1) throw new Error(`expected one open task "${step.task}", found ${matches.length}`);
      expect(matches[0]).toMatchObject(step.has);
      return;
    }
    if ('settle' in step) {
      await this.settle(keys);
      return;
    }
    throw new Error('unknown step');
  }

  private async dueTimers(keys: string[]): Promise<number> {
    const now = this.clock.now().getTime();
    let due = 0;
    for (const inst of await this.instancesOf(keys)) {
      const res = await this.auditor.get(`/api/timers?instanceId=${inst.id}`);
      due += (res.body?.items ?? []).filter((j: { dueAt: string | null; status?: string }) => j.dueAt && new Date(j.dueAt).getTime() <= now && j.status !== 'failed').length;
    }
    return due;
  }

  /** Polls the case's instances until their history lengths stay the same for 1 s (at most 8 s). */
  private async settle(keys: string[]): Promise<void> {
    const fingerprint = async () => {
      const parts: string[] = [];
      for (const inst of await this.instancesOf(keys)) {
        const h = await this.auditor.get(`/api/instances/${inst.id}/history`);
        parts.push(`${inst.id}:${inst.status}:${(h.body ?? []).length}`);
      }
      return parts.sort().join('|');
    };
    let last = await fingerprint();
    let stableSince = Date.now();
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      await sleep(50);
      const now = await fingerprint();
      if (now !== last) {
        last = now;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= 1000) return;
    }
  }

  private async outcomeOf(id: string, ignore: string[], expected: InstanceExpectation) {
    const inst = (await this.auditor.get(`/api/instances/${id}`)).body;
    const history = (await this.auditor.get(`/api/instances/${id}/history`)).body as { type: string; elementId: string | null }[];
    const completedIds = history.filter((e) => e.type === 'element.completed' && e.elementId && !ignore.includes(e.elementId)).map((e) => e.elementId!);
    const actual: InstanceExpectation = {};
    const wanted: InstanceExpectation = {};
    if (expected.completed) {
      actual.completed = shapeCompletions(completedIds, expected.completed);
      wanted.completed = normalizeExpected(expected.completed);
    }
    if (expected.status) {
      actual.status = inst.status;
      wanted.status = expected.status;
    }
    if (expected.businessKey !== undefined) {
      actual.businessKey = inst.businessKey;
      wanted.businessKey = expected.businessKey;
    }
    if (expected.variables) {
      actual.variables = Object.fromEntries(Object.keys(expected.variables).map((k) => [k, inst.variables?.[k]]));
      wanted.variables = expected.variables;
    }
    return { actual, wanted };
  }

  private async assertOutcome(c: ConformanceCase, keys: string[], mainId: string): Promise<void> {
    const ignore = c.expect.ignore ?? [];
    const main = await this.outcomeOf(mainId, ignore, c.expect);
    const actual: Record<string, unknown> = { main: main.actual };
    const wanted: Record<string, unknown> = { main: main.wanted };
    if (c.expect.openTasks) {
      actual.openTasks = (await this.openTasks(keys)).map((x) => x.elementId).sort();
      wanted.openTasks = [...c.expect.openTasks].sort();
    }
    if (c.expect.timers !== undefined) {
      let timers = 0;
      for (const inst of await this.instancesOf(keys)) timers += ((await this.auditor.get(`/api/timers?instanceId=${inst.id}`)).body?.items ?? []).length;
      actual.timers = timers;
      wanted.timers = c.expect.timers;
    }
    for (const [key, exp] of Object.entries(c.expect.others ?? {})) {
      const instances = await this.instancesOf([key]);
      if (!instances[0]) {
        actual[key] = 'no instance';
        wanted[key] = exp;
        continue;
      }
      const other = await this.outcomeOf(instances[0].id, ignore, exp);
      actual[key] = other.actual;
      wanted[key] = other.wanted;
    }
    expect(actual).toEqual(wanted);
  }
}
