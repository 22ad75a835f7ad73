/**
 * The scenarios of test/broker/broker-differential.spec.ts: one diagram driven through two engines,
 * each loaded in its own module registry with its own smqp (the expected one and the one under
 * test), compared after every command. Nothing here imports the engine: each side brings its own
 * modules ({@link EngineModules}), so that bpmn-elements inside them uses that side's broker.
 *
 * Per command the sides run:
 *   - warm: each side's engine is kept between commands (InstanceRunner.keep, as the server does);
 *   - recovered: the snapshot the expected side wrote is recovered and resumed by both sides, and
 *     the snapshot the side under test wrote likewise, so a state written by one broker is read by
 *     the other (compared with the same broker reading it, not with the warm run: a recovered
 *     engine replays other events than a warm one).
 * Compared: the ordered engine events the run's listener saw, the outcome (status, variables, tasks,
 * timers, subscriptions, errors) and the decoded engine state, after normalizing random ids.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import type * as EngineIndex from '../../engine';
import type * as Calendar from '../../engine/calendar';
import type * as CurrentStore from '../../engine/commands/current-store';
import type * as DecisionParse from '../../engine/decisions/parse';
import type * as Forms from '../../engine/forms/schema';
import type * as FormValidation from '../../engine/forms/validate';
import type * as Catalog from '../../engine/messaging/catalog';
import type * as Compact from '../../engine/persistence/compact-state';
import type { EngineHandle, EngineSnapshot, RunnableDefinition, RunOutcome } from '../../engine/runtime/instance-runner';
import type { CommandStore } from '../../engine/persistence/ports';
import type { DecisionRecord } from '../../engine/decisions/ports';
import type { FieldSpec } from '../../engine/forms/schema';
import { divergence, IdNormalizer, type Observation } from './trace';

/** What one side loaded in its own module registry. */
export interface EngineModules {
  label: string;
  smqp: { Broker: abstract new (...args: never[]) => unknown };
  engine: typeof EngineIndex;
  calendar: typeof Calendar;
  currentStore: typeof CurrentStore;
  decisions: typeof DecisionParse;
  forms: typeof Forms;
  formValidation: typeof FormValidation;
  catalog: typeof Catalog;
  compact: typeof Compact;
  bpmnEngine: { Engine: new (options: any) => any };
  elements: { Timers: new (options: any) => any };
}

/** A diagram to drive, with what its user tasks' forms ask for. */
export interface Scenario {
  name: string;
  xml: string;
  dmn: string[];
  /** Form schemas by form id (the reference processes' forms/*.form). */
  forms: Map<string, Record<string, unknown>>;
  startVariables: Record<string, unknown>;
  maxSteps: number;
  /** Added to each form's visit count: variant n picks the n-th option first (other branches). */
  variant?: number;
}

export class Divergence extends Error {}

const ROOT = join(__dirname, '..', '..');
const FIXED_DAY = '2026-12-08';

// ---------------------------------------------------------------------------------------------
// Scenarios

function files(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir)
    .flatMap((entry) => {
      const full = join(dir, entry);
      return statSync(full).isDirectory() ? files(full, pattern) : pattern.test(entry) ? [full] : [];
    })
    .sort();
}

/** What a caller hands the called processes that need more than their start form (as change_management calls cab_review). */
const CALLED_WITH: Record<string, Record<string, unknown>> = {
  cab_review: { changeNumber: 'CHG-DIFF-1', title: 'Patch the mail relay', cabMembers: ['alice', 'bob', 'carol'], quorum: 2 },
};

/** Every reference process (processes/<folder>/*.bpmn) with its folder's forms and decision tables. */
export function referenceScenarios(): Scenario[] {
  const catalogue = JSON.parse(readFileSync(join(ROOT, 'processes', 'catalogue.json'), 'utf8')) as { demoVariables?: Record<string, Record<string, unknown>> };
  return readdirSync(join(ROOT, 'processes'))
    .filter((folder) => statSync(join(ROOT, 'processes', folder)).isDirectory())
    .flatMap((folder) => {
      const dir = join(ROOT, 'processes', folder);
      const bpmn = readdirSync(dir).filter((f) => f.endsWith('.bpmn')).sort();
      if (!bpmn.length) return [];
      const forms = new Map<string, Record<string, unknown>>();
      for (const file of existing(join(dir, 'forms')).filter((f) => f.endsWith('.form'))) {
        const schema = JSON.parse(readFileSync(join(dir, 'forms', file), 'utf8')) as Record<string, unknown>;
        forms.set(String(schema.id ?? file.replace(/\.form$/, '')), schema);
      }
      const dmn = existing(join(dir, 'decisions')).filter((f) => f.endsWith('.dmn')).map((f) => readFileSync(join(dir, 'decisions', f), 'utf8'));
      return bpmn.map((file) => {
        const xml = readFileSync(join(dir, file), 'utf8');
        const key = /<bpmn:process id="([^"]+)"/.exec(xml)?.[1] ?? file;
        const startVariables = { recordNumber: 'DIFF-1', ...(catalogue.demoVariables?.[key] ?? {}), ...(CALLED_WITH[key] ?? {}) };
        return { name: `processes/${folder}/${file}`, xml, dmn, forms, startVariables, maxSteps: 30 };
      });
    });
}

function existing(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Every BPMN file of the shared corpus (compiled later: only those the deploy checks accept run). */
export function corpusFiles(corpus: string): { name: string; xml: string }[] {
  return files(corpus, /\.bpmn(20\.xml)?$/).map((file) => ({ name: `corpus/${file.slice(corpus.length + 1)}`, xml: readFileSync(file, 'utf8') }));
}

// ---------------------------------------------------------------------------------------------
// The engine layer (InstanceRunner)

interface Prepared {
  mods: EngineModules;
  definition: RunnableDefinition;
  store: CommandStore;
  runner: InstanceRunner;
}
type InstanceRunner = InstanceType<typeof EngineIndex.InstanceRunner>;

/** The two built-in business calendars (api/database/migrations/1763750000000-business-calendars.ts). */
function calendars(mods: EngineModules) {
  const day = [{ start: '08:00', end: '18:00' }];
  const allDay = [{ start: '00:00', end: '24:00' }];
  const week = (d: typeof day, weekend: typeof day) => ({ mon: d, tue: d, wed: d, thu: d, fri: d, sat: weekend, sun: weekend });
  const all = [
    { name: '24x7', timeZone: 'UTC', kind: '24x7', week: week(allDay, allDay), holidays: [] },
    { name: 'business-hours', timeZone: 'UTC', kind: 'working-hours', week: week(day, []), holidays: [] },
  ].map((c) => mods.calendar.parseBusinessCalendar(c as Parameters<typeof Calendar.parseBusinessCalendar>[0]));
  return (name: string) => {
    const found = all.find((c) => c.name === name);
    if (!found) throw new Error(`no business calendar "${name}"`);
    return found;
  };
}

async function decisionStore(mods: EngineModules, documents: string[]): Promise<CommandStore> {
  const byKey = new Map<string, { record: DecisionRecord; xml: string }>();
  for (const xml of documents) {
    for (const table of (await mods.decisions.compileDecisions(xml, { maxBytes: Number.MAX_SAFE_INTEGER })).decisions) {
      const record = { id: `diff-${table.key}`, key: table.key, version: 1, name: null, hitPolicy: table.hitPolicy, sha256: '', deployedBy: null, deployedAt: new Date(0).toISOString() };
      byKey.set(table.key, { record, xml });
    }
  }
  const decisions = {
    latestDecision: async (key: string) => byKey.get(key)?.record ?? null,
    decisionVersion: async (key: string, version: number) => (version === 1 ? (byKey.get(key)?.record ?? null) : null),
    decisionXml: async (id: string) => [...byKey.values()].find((d) => d.record.id === id)?.xml ?? null,
  };
  return { decisions } as unknown as CommandStore;
}

/** Compiles the scenario's diagram with the real deploy rules; null when they refuse it. */
export async function prepare(mods: EngineModules, scenario: Pick<Scenario, 'xml' | 'dmn'>): Promise<Prepared | null> {
  const { engine } = mods;
  const calendar = calendars(mods);
  const handlers = new engine.ServiceHandlerRegistry([...engine.builtInHandlers, ...engine.slaHandlers(calendar)]);
  let compiled: Awaited<ReturnType<typeof engine.compileDefinition>>;
  try {
    compiled = await engine.compileDefinition(scenario.xml, { knownHandlers: handlers.names(), checkExpression: engine.checkExpression });
  } catch (error) {
    if (error instanceof engine.EngineError) return null;
    throw error;
  }
  const definition: RunnableDefinition = { id: 'diff-def', key: compiled.processId, version: 1, sourceContext: engine.loadSourceContext(compiled.serialized) };
  const runner = new engine.InstanceRunner(handlers, undefined, 'UTC', 1000, calendar, Number.MAX_SAFE_INTEGER, 0);
  return { mods, definition, store: await decisionStore(mods, scenario.dmn), runner };
}

/** What the driver does next, in terms both sides resolve against their own ids. */
type Command =
  | { kind: 'start'; variables: Record<string, unknown> }
  | { kind: 'complete'; index: number; elementId: string; variables: Record<string, unknown> }
  | { kind: 'external'; index: number; elementId: string }
  | { kind: 'call'; index: number }
  | { kind: 'deliver'; index: number; elementId: string }
  | { kind: 'timer'; elementId: string; nth: number };

const describeCommand = (c: Command): string =>
  c.kind === 'start' ? 'start' : c.kind === 'complete' ? `complete user task ${c.elementId}` : c.kind === 'timer' ? `fire timer ${c.elementId}` : c.kind === 'call' ? `complete call activity #${c.index}` : `${c.kind} ${c.elementId}`;

/** One side's instance: its last outcome and open user tasks (creation order). */
interface Instance {
  snapshot: EngineSnapshot | null;
  revision: number;
  outcome: RunOutcome | null;
  tasks: { executionId: string; elementId: string; formKey: string | null }[];
  ids: IdNormalizer;
}

const newInstance = (): Instance => ({ snapshot: null, revision: 0, outcome: null, tasks: [], ids: new IdNormalizer() });

function track(instance: Instance, outcome: RunOutcome): Instance {
  const tasks = [...instance.tasks, ...outcome.createdTasks.map((t) => ({ executionId: t.executionId, elementId: t.elementId, formKey: t.formKey }))];
  const waiting = new Set(outcome.waitingTaskExecutionIds);
  return { ...instance, snapshot: outcome.state, revision: instance.revision + 1, outcome, tasks: tasks.filter((t) => waiting.has(t.executionId)) };
}

/** The action of `command` on an engine recovered or kept from `instance`. */
function action(command: Command, instance: Instance): (engine: EngineHandle) => boolean {
  const outcome = instance.outcome!;
  switch (command.kind) {
    case 'complete': {
      const executionId = instance.tasks[command.index]!.executionId;
      return (engine) => {
        engine.setVariables(command.variables);
        engine.signal(executionId, command.variables);
        return true;
      };
    }
    case 'external': {
      const executionId = outcome.externalTasks![command.index]!.executionId;
      return (engine) => engine.externalTask(executionId, { kind: 'complete', variables: {}, localVariables: {} });
    }
    case 'call': {
      const executionId = outcome.waitingCallExecutionIds[command.index]!;
      return (engine) => {
        engine.signal(executionId, {});
        return true;
      };
    }
    case 'deliver': {
      const sub = outcome.subscriptions![command.index]!;
      return (engine) => engine.deliver(sub.executionId, { kind: sub.kind, name: sub.name, correlationKey: sub.correlationKey, variables: {} });
    }
    case 'timer':
      return (engine) => {
        const timer = engine.timers().filter((t) => t.elementId === command.elementId)[command.nth];
        return timer ? engine.fireTimer(timer.executionId) : false;
      };
    default:
      throw new Error(`no action for ${command.kind}`);
  }
}

type Ran = { outcome: RunOutcome } | { error: unknown };

async function execute(p: Prepared, instance: Instance, command: Command, warm: boolean): Promise<Ran> {
  const ctx = { instanceId: warm ? 'diff-warm' : 'diff-cold', businessKey: null };
  try {
    const outcome = await p.mods.currentStore.runWithStore(p.store, async () => {
      if (command.kind === 'start') {
        const eventStarts = p.mods.catalog.messagingCatalog(p.definition.sourceContext).processStarts.length > 0;
        return p.runner.start(p.definition, ctx, command.variables, eventStarts ? (engine) => engine.startEvents(null, null) : undefined);
      }
      return p.runner.resume(p.definition, ctx, instance.snapshot!, action(command, instance), warm ? { revision: instance.revision } : {});
    });
    if (warm) p.runner.keep(ctx.instanceId, instance.revision + 1, outcome.live);
    return { outcome };
  } catch (error) {
    return { error };
  }
}

/** The comparable view of a run: events, outcome without the live engine, the decoded state. */
function observe(p: Prepared, ran: Ran, ids: IdNormalizer): Observation {
  if ('error' in ran) {
    const e = ran.error as { name?: string; message?: string; code?: unknown };
    return ids.normalize({ events: [], error: { name: e?.name, code: e?.code, message: e?.message ?? String(ran.error) } }) as Observation;
  }
  const { live: _live, state, events, ...rest } = ran.outcome;
  const decoded = state && state.schemaVersion === 2 ? { ...state, state: p.mods.compact.decodeState(state.state as never, p.mods.compact.dictionaryOf(p.definition.sourceContext)) } : state;
  return ids.normalize({ events: events.map((e) => [e.type, e.elementId, e.elementType, e.executionId, e.payload]), ...rest, state: decoded }) as Observation;
}

/** Texts tried against a field's pattern, in this order (years, periods, months, names, codes). */
const PATTERN_CANDIDATES = ['2026', '2026-2027', '2026-12', 'diff.user', 'DIFF-1', 'x'];

/** Values a form accepts, varied by how often the task was completed before (so loops take other branches). */
export function formValues(fields: FieldSpec[], visit: number): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.items) {
      values[field.key] = [formValues(field.items, visit)];
      continue;
    }
    if (field.locked || field.key.includes('.') || field.key.includes('[')) continue;
    const options = (field.options ?? []).map((o) => (o && typeof o === 'object' && 'value' in o ? (o as { value: unknown }).value : o));
    const text = (n: number) => 'x'.repeat(Math.max(n, 1));
    switch (field.type) {
      case 'select':
      case 'radio':
        if (options.length) values[field.key] = options[visit % options.length];
        break;
      case 'checklist':
      case 'taglist':
        // Options from an expression or a variable are not known here: a plain name.
        if (options.length) values[field.key] = [options[visit % options.length]];
        else if (field.required) values[field.key] = ['diff.user'];
        break;
      case 'checkbox':
        values[field.key] = field.required || visit % 2 === 1;
        break;
      case 'number':
        values[field.key] = field.numberAsString ? String(field.min ?? 1) : (field.min ?? 1);
        break;
      case 'datetime':
        values[field.key] = field.subtype === 'date' ? FIXED_DAY : field.subtype === 'time' ? '10:00' : `${FIXED_DAY}T10:00:00Z`;
        break;
      case 'textfield':
      case 'textarea':
        if (field.validationType === 'email') values[field.key] = 'diff@example.com';
        else if (field.validationType === 'phone') values[field.key] = '+4412345678';
        else if (field.pattern) {
          const pattern = new RegExp(field.pattern);
          const fits = PATTERN_CANDIDATES.find((candidate) => pattern.test(candidate));
          if (fits !== undefined || field.required) values[field.key] = fits ?? text(field.minLength ?? 1);
        } else values[field.key] = text(field.minLength ?? 1);
        break;
      default:
        break;
    }
  }
  return values;
}

/** The next command after `instance`'s last outcome, or null when nothing is left to do. */
function decide(instance: Instance, step: number, visits: Map<string, number>, scenario: Scenario, mods: EngineModules, invalid: string[] = []): Command | null {
  const outcome = instance.outcome!;
  if (outcome.status !== 'running' || !instance.snapshot) return null;
  const timers = [...outcome.timers].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.elementId.localeCompare(b.elementId));
  const timer = (): Command => {
    const first = timers[0]!;
    return { kind: 'timer', elementId: first.elementId, nth: 0 };
  };
  // Every third command fires a timer first when one is armed, so boundary timers interrupt tasks too.
  if (timers.length && step % 3 === 2) return timer();
  if (instance.tasks.length) {
    const task = instance.tasks[0]!;
    const visit = visits.get(task.elementId) ?? 0;
    visits.set(task.elementId, visit + 1);
    const schema = scenario.forms.get(formRefs(scenario.xml).get(task.elementId) ?? '');
    const fields = schema ? mods.forms.fieldsOf(schema) : [];
    const variables = formValues(fields, visit + (scenario.variant ?? 0));
    // What the host's form check (engine/forms/validate.ts) would refuse, reported with the scenario.
    for (const e of mods.formValidation.validateSubmission(fields, variables, outcome.variables)) invalid.push(`${task.elementId}.${e.field}: ${e.message}`);
    return { kind: 'complete', index: 0, elementId: task.elementId, variables };
  }
  if (outcome.externalTasks?.length) return { kind: 'external', index: 0, elementId: outcome.externalTasks[0]!.elementId };
  if (outcome.waitingCallExecutionIds.length) return { kind: 'call', index: 0 };
  if (timers.length) return timer();
  if (outcome.subscriptions?.length) return { kind: 'deliver', index: 0, elementId: outcome.subscriptions[0]!.elementId };
  return null;
}

export interface ScenarioResult {
  steps: number;
  status: string;
  commands: string[];
  /** Task completions the form check would have refused (field: message). */
  invalid?: string[];
}

/**
 * Drives `scenario` through `expected` and `actual` (both prepared), comparing after every command;
 * throws {@link Divergence} with the first difference.
 */
export async function runEngineLayer(scenario: Scenario, expected: Prepared, actual: Prepared): Promise<ScenarioResult> {
  let a = newInstance();
  let b = newInstance();
  const visits = new Map<string, number>();
  const commands: string[] = [];
  const invalid: string[] = [];
  const startFields = startForm(scenario, expected);
  let command: Command | null = { kind: 'start', variables: { ...scenario.startVariables, ...startFields } };
  for (let step = 0; command && step <= scenario.maxSteps; step++) {
    const where = `${scenario.name}, command ${step} (${describeCommand(command)})`;
    commands.push(describeCommand(command));
    const [ra, rb] = [await execute(expected, a, command, true), await execute(actual, b, command, true)];
    const [idsA, idsB] = [a.ids.clone(), b.ids.clone()];
    const found = divergence(`${where}, kept engines`, observe(expected, ra, a.ids), observe(actual, rb, b.ids));
    if (found) throw new Divergence(found);
    if (command.kind !== 'start') {
      // A state written by one broker, recovered by the other: compared with the same broker recovering it.
      for (const [from, ids, label] of [[a, idsA, expected.mods.label], [b, idsB, actual.mods.label]] as const) {
        const byExpected = observe(expected, await execute(expected, from, command, false), ids.clone());
        const byActual = observe(actual, await execute(actual, from, command, false), ids.clone());
        const found = divergence(`${where}, recovered from the state ${label} wrote`, byExpected, byActual);
        if (found) throw new Divergence(found);
      }
    }
    if ('error' in ra || 'error' in rb) return { steps: step + 1, status: `error: ${String(('error' in ra ? (ra.error as Error)?.message : undefined) ?? ('error' in ra ? ra.error : 'on the side under test only')).slice(0, 160)}`, commands, invalid };
    if (process.env.ITSM_BROKER_DIFF_VERBOSE) commands.push(`[${ra.outcome.activeElementIds.join(' ')}]`);
    a = track(a, ra.outcome);
    b = track(b, rb.outcome);
    const before = new Map(visits);
    command = decide(a, step, visits, scenario, expected.mods, invalid);
    // Equal outcomes up to ids give the same next command on both sides.
    const other = decide(b, step, before, scenario, actual.mods);
    if (JSON.stringify(other) !== JSON.stringify(command)) throw new Divergence(`${where}: the next command differs: expected ${JSON.stringify(command)}, actual ${JSON.stringify(other)}`);
  }
  return { steps: commands.filter((c) => !c.startsWith('[')).length, status: a.outcome?.status ?? 'none', commands, invalid };
}

/** camunda:formRef of each element, by element id. */
function formRefs(xml: string): Map<string, string> {
  return new Map([...xml.matchAll(/<bpmn:\w+ id="([^"]+)"[^>]*?camunda:formRef="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]));
}

function startForm(scenario: Scenario, p: Prepared): Record<string, unknown> {
  const formRef = /<bpmn:startEvent[^>]*camunda:formRef="([^"]+)"/.exec(scenario.xml)?.[1];
  const schema = formRef ? scenario.forms.get(formRef) : undefined;
  return schema ? formValues(p.mods.forms.fieldsOf(schema), scenario.variant ?? 0) : {};
}

// ---------------------------------------------------------------------------------------------
// The bare bpmn-engine

/** Events one command of a bare engine may emit before the engine is stopped (a diagram that loops forever stops at the same event on both sides). */
const MAX_EVENTS = 3000;

/** Records every event the engine's listener sees, in order. */
class TraceListener extends EventEmitter {
  readonly events: unknown[] = [];
  /** Waiting activities (the `wait` event's api), in the order they started waiting. */
  readonly waiting = new Map<string, any>();

  /** Events counted from here against {@link MAX_EVENTS} (set at each command). */
  from = 0;
  /** Called once when a command's events pass {@link MAX_EVENTS} (an endless loop): stops the engine. */
  onLimit: (() => void) | null = null;

  override emit(name: string | symbol, ...args: any[]): boolean {
    if (this.events.length - this.from === MAX_EVENTS && this.onLimit) {
      const stop = this.onLimit;
      this.onLimit = null;
      this.events.push(['(event limit: engine stopped)']);
      stop();
    }
    const api = args[0];
    const error = api?.content?.error;
    this.events.push([String(name), api?.id ?? null, api?.type ?? null, api?.executionId ?? null, error ? String(error.message ?? error) : null]);
    if (name === 'wait' && api?.executionId) this.waiting.set(api.executionId, api);
    if (/^activity\.(end|leave|discard|error|stop)$/.test(String(name)) && api?.executionId) this.waiting.delete(api.executionId);
    return super.emit(name, ...args);
  }
}

/** bpmn-elements' Timers over a clock that only moves when a timer is fired by hand. */
function manualTimers(mods: EngineModules) {
  const pending: { ref: object; callback: (...args: unknown[]) => void; delay: number; args: unknown[] }[] = [];
  const timers = new mods.elements.Timers({
    setTimeout: (callback: (...args: unknown[]) => void, delay: number, ...args: unknown[]) => {
      const ref = {};
      pending.push({ ref, callback, delay, args });
      return ref;
    },
    clearTimeout: (ref: object) => {
      const i = pending.findIndex((p) => p.ref === ref);
      if (i >= 0) pending.splice(i, 1);
    },
  });
  /** Pending timers, shortest delay first (then registration order). */
  const due = () => [...pending].sort((x, y) => x.delay - y.delay);
  const fire = (index: number) => {
    const timer = due()[index];
    if (!timer) return false;
    pending.splice(pending.indexOf(timer), 1);
    timer.callback(...timer.args);
    return true;
  };
  return { timers, due, fire };
}

/** Script tasks fail (no script engine: nothing from a diagram is evaluated as code). */
const noScripts = { register() {}, getScript() {} };

/** Every process of the document made executable: most corpus files are not, and bpmn-engine runs only executable ones. */
const executable = (xml: string) => xml.replace(/<((?:[\w-]+:)?process)\b([^>]*?)(\/?)>/g, (_tag, name: string, attributes: string, close: string) => `<${name}${attributes.replace(/\sisExecutable="[^"]*"/, '')} isExecutable="true"${close}>`);

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Waits until the engine emits nothing more for an event-loop turn. */
async function settle(listener: TraceListener): Promise<void> {
  for (let seen = -1; seen !== listener.events.length; ) {
    seen = listener.events.length;
    await tick();
  }
}

interface BareSide {
  engine: any;
  listener: TraceListener;
  clock: ReturnType<typeof manualTimers>;
  errors: string[];
}

async function bareStart(mods: EngineModules, name: string, xml: string | null, state: unknown): Promise<BareSide> {
  const clock = manualTimers(mods);
  const listener = new TraceListener();
  const errors: string[] = [];
  const options = { name, timers: clock.timers, scripts: noScripts, settings: { enableDummyService: true }, ...(xml ? { source: executable(xml) } : {}) };
  const engine = new mods.bpmnEngine.Engine(options);
  engine.on('error', (error: Error) => errors.push(String(error?.message ?? error)));
  listener.onLimit = () => engine.stop();
  try {
    if (state) {
      engine.recover(structuredClone(state));
      await engine.resume({ listener });
    } else {
      await engine.execute({ listener });
    }
  } catch (error) {
    errors.push(String((error as Error)?.message ?? error));
  }
  await settle(listener);
  return { engine, listener, clock, errors };
}

type BareCommand = { kind: 'signal'; index: number; id: string } | { kind: 'timer'; index: number };

function bareDecide(side: BareSide, step: number): BareCommand | null {
  if (side.engine.state !== 'running') return null;
  const waiting = [...side.listener.waiting.values()];
  const timers = side.clock.due();
  if (timers.length && (step % 3 === 2 || !waiting.length)) return { kind: 'timer', index: 0 };
  if (waiting.length) return { kind: 'signal', index: 0, id: waiting[0].id };
  return null;
}

async function bareApply(side: BareSide, command: BareCommand): Promise<void> {
  side.listener.from = side.listener.events.length;
  if (!side.listener.onLimit) side.listener.onLimit = () => side.engine.stop();
  try {
    if (command.kind === 'timer') side.clock.fire(command.index);
    else [...side.listener.waiting.values()][command.index]?.signal({});
  } catch (error) {
    side.errors.push(String((error as Error)?.message ?? error));
  }
  await settle(side.listener);
}

async function bareObserve(side: BareSide, ids: IdNormalizer, from: number): Promise<Observation> {
  let state: unknown = null;
  try {
    state = await side.engine.getState();
  } catch (error) {
    side.errors.push(String((error as Error)?.message ?? error));
  }
  const environment = side.engine.environment;
  return ids.normalize({
    events: side.listener.events.slice(from),
    engineState: side.engine.state,
    errors: side.errors,
    waiting: [...side.listener.waiting.values()].map((api) => [api.id, api.type, api.executionId]),
    timers: side.clock.due().map((t) => t.delay),
    variables: structuredClone(environment?.variables ?? {}),
    output: structuredClone(environment?.output ?? {}),
    state,
  }) as Observation;
}

/** Drives the corpus diagram `xml` through bare bpmn-engines on both brokers (no engine layer). */
export async function runBareEngine(name: string, xml: string, expected: EngineModules, actual: EngineModules, maxSteps: number): Promise<ScenarioResult> {
  const a = await bareStart(expected, name, xml, null);
  const b = await bareStart(actual, name, xml, null);
  const [ia, ib] = [new IdNormalizer(), new IdNormalizer()];
  const commands = ['execute'];
  let found = divergence(`${name} (bare bpmn-engine), execute`, await bareObserve(a, ia, 0), await bareObserve(b, ib, 0));
  if (found) throw new Divergence(found);
  for (let step = 0; step < maxSteps; step++) {
    const command = bareDecide(a, step);
    if (!command) break;
    const label = command.kind === 'timer' ? `fire timer #${command.index}` : `signal ${command.id}`;
    commands.push(label);
    const where = `${name} (bare bpmn-engine), command ${step + 1} (${label})`;
    // The state each side holds now, recovered by both sides and given the same command.
    for (const [from, ids, side] of [[a, ia, expected.label], [b, ib, actual.label]] as const) {
      const state = await from.engine.getState();
      const recovered = [];
      for (const mods of [expected, actual]) {
        const r = await bareStart(mods, name, null, state);
        const mark = r.listener.events.length;
        const again = bareDecide(r, step);
        if (again) await bareApply(r, again);
        recovered.push(await bareObserve(r, ids.clone(), mark));
        r.engine.stop();
      }
      found = divergence(`${where}, recovered from the state ${side} wrote`, recovered[0]!, recovered[1]!);
      if (found) throw new Divergence(found);
    }
    const [ma, mb] = [a.listener.events.length, b.listener.events.length];
    await bareApply(a, command);
    await bareApply(b, command);
    found = divergence(`${where}, kept engines`, await bareObserve(a, ia, ma), await bareObserve(b, ib, mb));
    if (found) throw new Divergence(found);
  }
  const status = a.errors.length ? `${String(a.engine.state)}, error: ${a.errors[0]!.slice(0, 160)}` : String(a.engine.state);
  a.engine.stop();
  b.engine.stop();
  return { steps: commands.length, status, commands };
}
