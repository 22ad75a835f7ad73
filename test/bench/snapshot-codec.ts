/**
 * Micro-measure of the compact snapshot encoding (engine/persistence/compact-state.ts), not a test:
 * runs the reference incident flow in-process (InstanceRunner, every command recovered from its
 * snapshot), keeps bpmn-engine's state after each command, and prints for those states the JSON
 * bytes as getState() gives them and encoded, and the CPU of encode + JSON.stringify and of
 * JSON.parse + decode per snapshot, beside plain JSON.stringify / JSON.parse of the raw state.
 *
 *   npx nest build && node dist/test/bench/snapshot-codec.js   (SNAPSHOT_CODEC_ROUNDS, default 500)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtInHandlers, checkExpression, compileDefinition, InstanceRunner, loadSourceContext, parseBusinessCalendar, ServiceHandlerRegistry, slaHandlers, type BusinessCalendar } from '../../engine';
import { runWithStore } from '../../engine/commands/current-store';
import { compileDecisions } from '../../engine/decisions/parse';
import type { CommandStore } from '../../engine/persistence/ports';
import { decodeState, dictionaryOf, encodeState, type JsonValue } from '../../engine/persistence/compact-state';

const ROOT = join(__dirname, '..', '..', '..');
const ROUNDS = Number(process.env.SNAPSHOT_CODEC_ROUNDS ?? 500);

async function main(): Promise<void> {
  const day = [{ start: '08:00', end: '18:00' }];
  const allDay = [{ start: '00:00', end: '24:00' }];
  const calendars = new Map<string, BusinessCalendar>([
    ['24x7', parseBusinessCalendar({ name: '24x7', timeZone: 'UTC', kind: '24x7', week: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay }, holidays: [] } as never)],
    ['business-hours', parseBusinessCalendar({ name: 'business-hours', timeZone: 'UTC', kind: 'working-hours', week: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] }, holidays: [] } as never)],
  ]);
  const calendar = (name: string) => calendars.get(name)!;
  const dir = join(ROOT, 'processes', 'incident');
  const decisions = new Map<string, { xml: string; record: Record<string, unknown> }>();
  for (const file of ['incident-priority.dmn', 'incident-sla-targets.dmn']) {
    const xml = readFileSync(join(dir, 'decisions', file), 'utf8');
    for (const t of (await compileDecisions(xml, { maxBytes: Number.MAX_SAFE_INTEGER })).decisions) {
      decisions.set(t.key, { xml, record: { id: `m-${t.key}`, key: t.key, version: 1, name: null, hitPolicy: t.hitPolicy, sha256: '', deployedBy: null, deployedAt: new Date(0).toISOString() } });
    }
  }
  const store = {
    decisions: {
      latestDecision: async (key: string) => decisions.get(key)?.record ?? null,
      decisionVersion: async (key: string, version: number) => (version === 1 ? (decisions.get(key)?.record ?? null) : null),
      decisionXml: async (id: string) => [...decisions.values()].find((d) => d.record.id === id)?.xml ?? null,
    },
  } as unknown as CommandStore;
  const handlers = new ServiceHandlerRegistry([...builtInHandlers, ...slaHandlers(calendar)]);
  const runner = new InstanceRunner(handlers, undefined, 'UTC', 0, calendar);
  const compiled = await compileDefinition(readFileSync(join(dir, 'incident_management.bpmn'), 'utf8'), { knownHandlers: handlers.names(), checkExpression });
  const definition = { id: 'measure', key: compiled.processId, version: 1, sourceContext: loadSourceContext(compiled.serialized) };
  const dictionary = dictionaryOf(definition.sourceContext);
  const steps: [string, Record<string, unknown>][] = [
    ['UT_LogClassify', { classification: 'incident', category: 'software', major: false, resolvableAtL1: false }],
    ['UT_AssignGroup', { assignmentGroup: 'applications' }],
    ['UT_InvestigateDiagnose', { workNotes: 'Disk full', nextStep: 'resolved' }],
    ['UT_ApplyResolution', { resolutionCode: 'config_change', resolutionNotes: 'Restarted the mail relay', workaroundUsed: false, problemCandidate: false }],
  ];
  const states: unknown[] = [];
  await runWithStore(store, async () => {
    const ctx = { instanceId: 'measure-1', businessKey: null };
    const open = new Map<string, string>();
    let outcome = await runner.start(definition, ctx, { title: 'Mail server down', description: 'Nobody can send mail', caller: 'carl', channel: 'phone', category: 'software', impact: 'medium', urgency: 'low', recordNumber: 'M1' });
    for (;;) {
      for (const t of outcome.createdTasks) open.set(t.elementId, t.executionId);
      states.push(decodeState(JSON.parse(JSON.stringify(outcome.state!.state)) as JsonValue, dictionary));
      const step = steps[states.length - 1];
      if (!step) break;
      const executionId = open.get(step[0])!;
      outcome = await runner.resume(definition, ctx, outcome.state!, (engine) => (engine.signal(executionId, step[1]), true));
    }
  });
  const raw = states.map((s) => JSON.stringify(s));
  const encoded = states.map((s) => JSON.stringify(encodeState(s, dictionary)));
  const cpu = (f: () => void) => {
    for (let i = 0; i < Math.min(50, ROUNDS); i++) f();
    const t0 = process.cpuUsage();
    for (let i = 0; i < ROUNDS; i++) f();
    const used = process.cpuUsage(t0);
    return (used.user + used.system) / 1000 / ROUNDS / states.length;
  };
  const mean = (xs: string[]) => Math.round(xs.reduce((n, x) => n + x.length, 0) / xs.length);
  console.log(`incident states after each command: ${raw.map((r, i) => `${r.length} → ${encoded[i]!.length}`).join(', ')} bytes`);
  console.log(`mean ${mean(raw)} → ${mean(encoded)} bytes`);
  console.log(`encode + JSON.stringify ${cpu(() => states.forEach((s) => JSON.stringify(encodeState(s, dictionary)))).toFixed(3)} ms per snapshot; JSON.stringify alone ${cpu(() => states.forEach((s) => JSON.stringify(s))).toFixed(3)} ms`);
  console.log(`JSON.parse + decode ${cpu(() => encoded.forEach((e) => decodeState(JSON.parse(e) as JsonValue, dictionary))).toFixed(3)} ms per snapshot; JSON.parse alone ${cpu(() => raw.forEach((r) => JSON.parse(r))).toFixed(3)} ms`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
