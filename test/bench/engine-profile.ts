/**
 * What bpmn-engine with this project's engine layer (InstanceRunner) costs per command, in-process,
 * without persistence or HTTP: the steps of `npm run bench`'s workloads (incident, change, small,
 * large), as the server runs them.
 *   - warm: the engine of the previous command is kept (InstanceRunner.keep), as a server process
 *     that holds the instance's engine runs it;
 *   - cold: every command after the start recovers a new engine from the stored snapshot (the JSON
 *     text round trip included), as a process that does not hold it;
 *   - heap per warm engine: ENGINE_PROFILE_PARKED instances started and kept at their first wait
 *     state (after a quarter as many already kept), heap used after a full GC (run with --expose-gc)
 *     minus before, per instance;
 *   - snapshot bytes: the JSON text of the stored snapshot after the start.
 * CPU per command: process.cpuUsage() over batches after a warm-up, median of ENGINE_PROFILE_REPEATS
 * batches, with min–max; large / small ratios at the end. Each batch runs under an execution budget
 * as the server's commands do (with ENGINE_TIME_BUDGET_MS 60000, as `npm run bench` runs the server:
 * the default 2 s is passed on a loaded machine). CPU time swings with the machine's load; the
 * broker messages per command (ENGINE_PROFILE_MESSAGES=1: every message queued on a bpmn-elements
 * broker is counted, warm mode) do not, and most of the engine's work is per message. Run after
 * `npx nest build`:
 *   node --expose-gc dist/test/bench/engine-profile.js
 * Knobs: ENGINE_PROFILE_FLOWS (small,large,incident,change), ENGINE_PROFILE_INSTANCES (per batch,
 * 100), ENGINE_PROFILE_REPEATS (5), ENGINE_PROFILE_WARMUP (batches, 3), ENGINE_PROFILE_PARKED (200),
 * ENGINE_PROFILE_MODES (warm,cold; none: only the heap figure), ENGINE_PROFILE_MESSAGES (0), ENGINE_PROFILE_SNAPSHOT_DIR (writes a V8 heap
 * snapshot there with the parked engines alive, to see what a warm engine holds), ENGINE_PROFILE_INFLIGHT (0; N: N
 * instances run at once, two rounds, under the server's default bounds on kept engines: the share of warm resumes
 * and CPU per command, see `inflight`). The last line is JSON with every figure.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import {
  builtInHandlers,
  checkExpression,
  compileDefinition,
  InstanceRunner,
  loadSourceContext,
  parseBusinessCalendar,
  ServiceHandlerRegistry,
  slaHandlers,
  type BusinessCalendar,
  type EngineSnapshot,
  type RunnableDefinition,
  type RunOutcome,
} from '../../engine';
import { Queue } from 'smqp';
import { gatewayDiagram } from './gateway-diagram';
import { CommandBudget, runWithBudget, setBudgetLimits } from '../../engine/runtime/budget';
import { DEFAULT_LIVE_ENGINE_BYTES, DEFAULT_LIVE_ENGINE_IDLE_MS } from '../../engine/runtime/instance-runner';
import { runWithStore } from '../../engine/commands/current-store';
import { compileDecisions } from '../../engine/decisions/parse';
import type { DecisionRecord } from '../../engine/decisions/ports';
import type { CommandStore } from '../../engine/persistence/ports';

const num = (name: string, fallback: number) => Number(process.env[name] || fallback);
const list = (name: string, fallback: string) => (process.env[name] || fallback).split(',').map((s) => s.trim()).filter(Boolean);
const FLOWS = list('ENGINE_PROFILE_FLOWS', 'small,large,incident,change');
const MODES = list('ENGINE_PROFILE_MODES', 'warm,cold').filter((m) => m === 'warm' || m === 'cold');
const INSTANCES = num('ENGINE_PROFILE_INSTANCES', 100);
const REPEATS = num('ENGINE_PROFILE_REPEATS', 5);
const WARMUP = num('ENGINE_PROFILE_WARMUP', 3);
const PARKED = num('ENGINE_PROFILE_PARKED', 200);
const MESSAGES = process.env.ENGINE_PROFILE_MESSAGES === '1' || process.env.ENGINE_PROFILE_MESSAGES === 'breakdown';
/** ENGINE_PROFILE_MESSAGES=breakdown: also the messages per command by kind of queue and routing key. */
const BREAKDOWN = process.env.ENGINE_PROFILE_MESSAGES === 'breakdown';
const BREAKDOWN_TOP = num('ENGINE_PROFILE_BREAKDOWN_TOP', 40);
const INFLIGHT = num('ENGINE_PROFILE_INFLIGHT', 0);
const SNAPSHOT_DIR = process.env.ENGINE_PROFILE_SNAPSHOT_DIR || '';
const ROOT = join(__dirname, '..', '..', '..');

type Step =
  | { kind: 'start'; variables: Record<string, unknown> }
  | { kind: 'complete'; elementId: string; variables: Record<string, unknown> }
  | { kind: 'timer'; elementId: string };

interface Workload {
  name: string;
  xml: string;
  dmn: string[];
  steps(pick: number): Step[];
}

function generated(name: string, branches: number): Workload {
  return {
    name,
    xml: gatewayDiagram(`bench_${name}`, branches),
    dmn: [],
    steps: (pick) => {
      const branch = pick % branches;
      return [
        { kind: 'start', variables: { branch } },
        { kind: 'complete', elementId: 'first', variables: { note: 'first done' } },
        { kind: 'complete', elementId: `b${branch}`, variables: { note: `branch ${branch} done` } },
        { kind: 'complete', elementId: 'last', variables: { note: 'last done' } },
      ];
    },
  };
}

const processFile = (...p: string[]) => readFileSync(join(ROOT, 'processes', ...p), 'utf8');

const WORKLOADS: Record<string, () => Workload> = {
  small: () => generated('small', 1),
  large: () => generated('large', 30),
  incident: () => ({
    name: 'incident',
    xml: processFile('incident', 'incident_management.bpmn'),
    dmn: ['incident-priority.dmn', 'incident-sla-targets.dmn'].map((f) => processFile('incident', 'decisions', f)),
    steps: () => [
      { kind: 'start', variables: { title: 'Mail server down', description: 'Nobody can send mail', caller: 'carl', channel: 'phone', category: 'software', impact: 'medium', urgency: 'low' } },
      { kind: 'complete', elementId: 'UT_LogClassify', variables: { classification: 'incident', category: 'software', major: false, resolvableAtL1: false } },
      { kind: 'complete', elementId: 'UT_AssignGroup', variables: { assignmentGroup: 'applications' } },
      { kind: 'complete', elementId: 'UT_InvestigateDiagnose', variables: { workNotes: 'Disk full', nextStep: 'resolved' } },
      { kind: 'complete', elementId: 'UT_ApplyResolution', variables: { resolutionCode: 'config_change', resolutionNotes: 'Restarted the mail relay', workaroundUsed: false, problemCandidate: false } },
      { kind: 'complete', elementId: 'UT_ConfirmResolution', variables: { confirmation: 'accepted', satisfaction: '4' } },
    ],
  }),
  change: () => ({
    name: 'change',
    xml: processFile('change', 'change_management.bpmn'),
    dmn: [processFile('change', 'decisions', 'change-authority.dmn')],
    steps: () => [
      { kind: 'start', variables: { title: 'Patch the mail relay', changeType: 'normal', description: 'apply the vendor patch', plannedStart: new Date(Date.now() + 3_600_000).toISOString() } },
      { kind: 'complete', elementId: 'UT_AssessRisk', variables: { risk: 'low', impactAssessment: 'mail relay down 5 min', backoutPlan: 'restore the snapshot' } },
      { kind: 'complete', elementId: 'UT_AuthoriseCM', variables: { decision: 'approve', authorisationComment: 'low risk' } },
      { kind: 'timer', elementId: 'ICE_WaitWindow' },
      { kind: 'complete', elementId: 'UT_Implement', variables: { outcome: 'successful', actualStart: new Date().toISOString(), implementationNotes: 'done' } },
      { kind: 'complete', elementId: 'UT_PIR', variables: { reviewCompleted: true, lessonsLearned: 'went as planned' } },
    ],
  }),
};

/** The built-in calendars (api/database/migrations/1763750000000-business-calendars.ts). */
function calendars(): (name: string) => BusinessCalendar {
  const day = [{ start: '08:00', end: '18:00' }];
  const allDay = [{ start: '00:00', end: '24:00' }];
  const all = [
    { name: '24x7', timeZone: 'UTC', kind: '24x7', week: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay }, holidays: [] },
    { name: 'business-hours', timeZone: 'UTC', kind: 'working-hours', week: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] }, holidays: [] },
  ].map((c) => parseBusinessCalendar(c as Parameters<typeof parseBusinessCalendar>[0]));
  return (name) => {
    const found = all.find((c) => c.name === name);
    if (!found) throw new Error(`no business calendar "${name}"`);
    return found;
  };
}

async function decisionStore(files: string[]): Promise<CommandStore> {
  const byKey = new Map<string, { record: DecisionRecord; xml: string }>();
  for (const xml of files) {
    for (const table of (await compileDecisions(xml, { maxBytes: Number.MAX_SAFE_INTEGER })).decisions) {
      byKey.set(table.key, {
        xml,
        record: { id: `bench-${table.key}`, key: table.key, version: 1, name: null, hitPolicy: table.hitPolicy, sha256: '', deployedBy: null, deployedAt: new Date(0).toISOString() },
      });
    }
  }
  const decisions = {
    latestDecision: async (key: string) => byKey.get(key)?.record ?? null,
    decisionVersion: async (key: string, version: number) => (version === 1 ? (byKey.get(key)?.record ?? null) : null),
    decisionXml: async (id: string) => [...byKey.values()].find((d) => d.record.id === id)?.xml ?? null,
  };
  return { decisions } as unknown as CommandStore;
}

interface Prepared {
  workload: Workload;
  definition: RunnableDefinition;
  store: CommandStore;
  handlers: ServiceHandlerRegistry;
  calendar: (name: string) => BusinessCalendar;
}

async function prepare(name: string): Promise<Prepared> {
  const workload = WORKLOADS[name]?.();
  if (!workload) throw new Error(`ENGINE_PROFILE_FLOWS: unknown flow ${name} (known: ${Object.keys(WORKLOADS).join(', ')})`);
  const calendar = calendars();
  const handlers = new ServiceHandlerRegistry([...builtInHandlers, ...slaHandlers(calendar)]);
  const compiled = await compileDefinition(workload.xml, { knownHandlers: handlers.names(), checkExpression });
  const definition: RunnableDefinition = { id: `bench-${name}`, key: compiled.processId, version: 1, sourceContext: loadSourceContext(compiled.serialized) };
  return { workload, definition, store: await decisionStore(workload.dmn), handlers, calendar };
}

/**
 * Runs instances one after another, each to its end (or, with `stopAfter`, up to that many steps).
 * `bounds`: the kept engines' count, memory and idle-time bound (default none: every parked engine must stay, heapPerEngine).
 */
function instanceRunner(p: Prepared, warm: boolean, bounds?: { count: number; bytes: number; idleMs: number }) {
  const runner = new InstanceRunner(p.handlers, undefined, 'UTC', warm ? (bounds?.count ?? Number.MAX_SAFE_INTEGER) : 0, p.calendar, bounds?.bytes ?? Number.MAX_SAFE_INTEGER, bounds?.idleMs ?? 0);
  let serial = 0;
  let snapshotBytes = 0;
  /** `gate`: runs each step when it is this instance's turn (inflight). */
  const run = async (pick: number, stopAfter = Infinity, gate: <T>(work: () => Promise<T>) => Promise<T> = (work) => work()): Promise<number> => {
    const instanceId = `profile-${++serial}`;
    const ctx = { instanceId, businessKey: null };
    let stored: string | null = null;
    let revision = 0;
    let commands = 0;
    const open = new Map<string, string>();
    const apply = (outcome: RunOutcome) => {
      for (const t of outcome.createdTasks) open.set(t.elementId, t.executionId);
      const waiting = new Set(outcome.waitingTaskExecutionIds);
      for (const [element, execution] of open) if (!waiting.has(execution)) open.delete(element);
      // What the host stores and reads back: the snapshot as JSON text.
      stored = outcome.state === null ? null : JSON.stringify(outcome.state);
      if (stored) snapshotBytes = stored.length;
      revision++;
      runner.keep(instanceId, revision, outcome.live);
    };
    const snapshot = () => JSON.parse(stored!) as EngineSnapshot;
    for (const step of p.workload.steps(pick)) {
      if (commands >= stopAfter) break;
      if (step.kind === 'start') {
        apply(await gate(() => runWithBudget(new CommandBudget(), () => runner.start(p.definition, ctx, { ...step.variables, recordNumber: `PROFILE${serial}` }))));
        commands++;
      } else if (step.kind === 'timer') {
        apply(
          await gate(() =>
            runWithBudget(new CommandBudget(), () =>
              runner.resume(p.definition, ctx, snapshot(), (engine) => {
                const timer = engine.timers().find((t) => t.elementId === step.elementId);
                return timer ? engine.fireTimer(timer.executionId) : true;
              }, { revision }),
            ),
          ),
        );
      } else {
        const executionId = open.get(step.elementId);
        if (!executionId) throw new Error(`no open task ${step.elementId} in ${p.workload.name} (open: ${[...open.keys()].join(', ')})`);
        apply(
          await gate(() =>
            runWithBudget(new CommandBudget(), () =>
              runner.resume(p.definition, ctx, snapshot(), (engine) => {
                engine.signal(executionId, step.variables);
                return true;
              }, { revision }),
            ),
          ),
        );
        commands++;
      }
    }
    if (stopAfter === Infinity) {
      if (stored !== null) throw new Error(`the ${p.workload.name} instance did not complete`);
      runner.forget(instanceId);
    }
    return commands;
  };
  return { run, runner, snapshotBytes: () => snapshotBytes };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

async function cpuPerCommand(p: Prepared, warm: boolean): Promise<{ ms: number; min: number; max: number; snapshotBytes: number }> {
  const { run, snapshotBytes } = instanceRunner(p, warm);
  const batch = async () => {
    const t0 = process.cpuUsage();
    let commands = 0;
    for (let i = 0; i < INSTANCES; i++) commands += await runWithStore(p.store, () => run(i));
    const used = process.cpuUsage(t0);
    return (used.user + used.system) / 1000 / commands;
  };
  for (let i = 0; i < WARMUP; i++) await batch();
  const runs: number[] = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await batch());
  return { ms: median(runs), min: Math.min(...runs), max: Math.max(...runs), snapshotBytes: snapshotBytes() };
}

const parked: unknown[] = [];
const gc = (globalThis as { gc?: () => void }).gc;

/** Heap per warm engine kept at the instance's first wait state (null without --expose-gc). */
async function heapPerEngine(p: Prepared): Promise<number | null> {
  if (!gc || PARKED <= 0) return null;
  const { run, runner } = instanceRunner(p, true);
  // Modules, caches, compiled code are not per engine: the first quarter of the engines is parked
  // before the heap is first read, and only what the other three quarters add counts (a slope, so
  // what the first engines warm up or V8 flushes meanwhile does not).
  const first = Math.max(1, Math.floor(PARKED / 4));
  for (let i = 0; i < first; i++) await runWithStore(p.store, () => run(i, 1));
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = first; i < PARKED + first; i++) await runWithStore(p.store, () => run(i, 1));
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (SNAPSHOT_DIR) console.log(`heap snapshot with ${PARKED} warm ${p.workload.name} engines: ${writeHeapSnapshot(join(SNAPSHOT_DIR, `${p.workload.name}-${PARKED}.heapsnapshot`))}`);
  parked.push(runner); // alive until measured
  parked.length = 0;
  return (after - before) / PARKED / 1024 / 1024;
}

/**
 * ENGINE_PROFILE_INFLIGHT instances at once (as a server process holds its share of the bench's
 * instances in flight: the change bench keeps 16 per client, about 128 per worker), each taking its
 * next step in turn, with the server's default bounds on the kept engines (64 engines, 48 MiB, 10 s idle):
 * which share of the resumes finds its engine warm, and the CPU per command.
 */
async function inflight(p: Prepared, instances: number): Promise<{ warmRatio: number; cpuMsPerCommand: number }> {
  const { run, runner } = instanceRunner(p, true, { count: 64, bytes: DEFAULT_LIVE_ENGINE_BYTES, idleMs: DEFAULT_LIVE_ENGINE_IDLE_MS });
  let warm = 0;
  let resumes = 0;
  runner.onResume = (w) => {
    resumes++;
    if (w) warm++;
  };
  // Each step waits for its turn in one FIFO line, as the bench's clients wait for a permit: an
  // instance's next step comes after every other instance's.
  const line: (() => void)[] = [];
  let busy = false;
  const gate = async <T>(work: () => Promise<T>): Promise<T> => {
    if (busy) await new Promise<void>((resolve) => line.push(resolve));
    busy = true;
    try {
      return await work();
    } finally {
      const go = line.shift();
      if (go) go();
      else busy = false;
    }
  };
  const t0 = process.cpuUsage();
  let commands = 0;
  for (let round = 0; round < 2; round++) {
    const counts = await Promise.all(Array.from({ length: instances }, (_, i) => runWithStore(p.store, () => run(i, Infinity, gate))));
    commands += counts.reduce((a, b) => a + b, 0);
  }
  const used = process.cpuUsage(t0);
  return { warmRatio: resumes ? warm / resumes : 0, cpuMsPerCommand: (used.user + used.system) / 1000 / commands };
}

/** The kind of an smqp queue, from its name: an exchange's delivery queue, a consumer's own queue, a temporary or a named queue. */
function queueKind(name: string): string {
  if (name === 'delivery-q') return 'exchange';
  if (name.startsWith('smq.qname-')) return 'tmp';
  if (name.endsWith('-q') && (name.startsWith('smq.ctag-') || name.startsWith('_'))) return 'consumer';
  return `queue:${name.replace(/[0-9a-f]{6,}/g, 'X')}`;
}

/** Broker messages queued per command, warm (counted on smqp's Queue, which every bpmn-elements broker uses). */
async function messagesPerCommand(p: Prepared): Promise<number> {
  const { run } = instanceRunner(p, true);
  await runWithStore(p.store, () => run(0));
  const queueMessage = Queue.prototype.queueMessage;
  let count = 0;
  const kinds = new Map<string, number>();
  Queue.prototype.queueMessage = function (this: Queue, ...args: Parameters<Queue['queueMessage']>) {
    count++;
    if (BREAKDOWN) {
      const key = `${queueKind(this.name)} ${String((args[0] as { routingKey?: unknown } | undefined)?.routingKey ?? '').replace(/\.\d+$/, '.N')}`;
      kinds.set(key, (kinds.get(key) ?? 0) + 1);
    }
    return queueMessage.apply(this, args);
  };
  try {
    let commands = 0;
    for (let i = 0; i < 10; i++) commands += await runWithStore(p.store, () => run(i));
    if (BREAKDOWN) {
      const top = [...kinds].sort((a, b) => b[1] - a[1]).slice(0, BREAKDOWN_TOP);
      for (const [key, n] of top) console.log(`  ${(n / commands).toFixed(1).padStart(7)}  ${key}`);
    }
    return count / commands;
  } finally {
    Queue.prototype.queueMessage = queueMessage;
  }
}

async function main(): Promise<void> {
  setBudgetLimits({ timeMs: 60_000 });
  const figures: Record<string, Record<string, number | null>> = {};
  for (const name of FLOWS) {
    const p = await prepare(name);
    const row: Record<string, number | null> = {};
    for (const mode of MODES) {
      const r = await cpuPerCommand(p, mode === 'warm');
      row[`${mode}CpuMsPerCommand`] = round(r.ms, 3);
      row[`${mode}Min`] = round(r.min, 3);
      row[`${mode}Max`] = round(r.max, 3);
      row.snapshotBytes = r.snapshotBytes;
    }
    if (INFLIGHT > 0) {
      const r = await inflight(p, INFLIGHT);
      row.inflightWarmRatio = round(r.warmRatio, 3);
      row.inflightCpuMsPerCommand = round(r.cpuMsPerCommand, 3);
      console.log(`${name.padEnd(9)} ${INFLIGHT} instances in flight: ${round(r.warmRatio * 100, 1)} % of resumes warm, ${round(r.cpuMsPerCommand, 3)} ms/command`);
    }
    if (MESSAGES) row.messagesPerCommand = round(await messagesPerCommand(p), 1);
    const heap = await heapPerEngine(p);
    row.heapMbPerWarmEngine = heap === null ? null : round(heap, 3);
    figures[name] = row;
    const modes = MODES.map((m) => `${m} ${row[`${m}CpuMsPerCommand`]} ms/command (${row[`${m}Min`]}–${row[`${m}Max`]})`).join(', ');
    console.log(`${name.padEnd(9)} ${modes ? `${modes}; ` : ''}heap per warm engine ${heap === null ? 'n/a (--expose-gc)' : `${round(heap, 3)} MB`}${row.snapshotBytes === undefined ? '' : `; snapshot ${row.snapshotBytes} bytes`}${MESSAGES ? `; ${row.messagesPerCommand} broker messages per command` : ''}`);
  }
  const ratios: Record<string, number> = {};
  if (figures.small && figures.large) {
    for (const mode of MODES) ratios[`${mode}LargeToSmall`] = round(figures.large[`${mode}CpuMsPerCommand`]! / figures.small[`${mode}CpuMsPerCommand`]!);
    console.log(`large / small: ${Object.entries(ratios).map(([k, v]) => `${k} ${v}`).join(', ')} (goal ≤ 2)`);
  }
  console.log(JSON.stringify({ instances: INSTANCES, repeats: REPEATS, flows: figures, ...ratios }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
