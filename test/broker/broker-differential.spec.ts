import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gatewayDiagram } from '../bench/gateway-diagram';
import { corpusFiles, prepare, referenceScenarios, runBareEngine, runEngineLayer, type EngineModules, type Scenario, type ScenarioResult } from './differential';

/**
 * The engine must behave identically on smqp 11 and on its replacement (engine/broker, or the
 * directory ITSM_BROKER_PATH names). One jest process loads the engine twice, each copy in its own
 * module registry with its own smqp, drives the same diagrams through both and compares, after every
 * command, the engine events, the outcome and the state, and a state written by either broker read
 * by both (test/broker/differential.ts). Pointed at node_modules/smqp-reference (smqp 11) it must pass (the harness is
 * deterministic); skipped, saying so, when the replacement does not exist yet.
 *
 * Scenarios: every reference process (processes/), the bench's small and large diagrams, and the
 * shared corpus's diagrams that the deploy checks accept (engine layer and bare bpmn-engine):
 * ITSM_BROKER_DIFF_CORPUS=all runs all of them, by default every fourth file.
 */
const ROOT = resolve(__dirname, '..', '..');
const REAL = join(ROOT, 'node_modules', 'smqp-reference');
const CANDIDATE = process.env.ITSM_BROKER_PATH ? resolve(process.env.ITSM_BROKER_PATH) : join(ROOT, 'engine', 'broker');
const CORPUS = resolve(ROOT, '..', 'shared', 'corpus');
const ALL_CORPUS = process.env.ITSM_BROKER_DIFF_CORPUS === 'all';
/** ITSM_BROKER_DIFF_VARIANTS=n: each reference process n times, the n-th with each form's options rotated by n (other branches). */
const VARIANTS = Math.max(1, Number(process.env.ITSM_BROKER_DIFF_VARIANTS) || 1);
const missing = existsSync(join(CANDIDATE, 'package.json')) ? null : `no replacement broker at ${CANDIDATE} (no package.json; set ITSM_BROKER_PATH)`;

/* eslint-disable @typescript-eslint/no-require-imports -- each side's modules are required inside its own registry */

/** The engine's modules in a fresh registry where `smqp` is the module at `smqpPath`. */
function load(label: string, smqpPath: string): EngineModules {
  let modules: EngineModules | undefined;
  jest.isolateModules(() => {
    jest.doMock('smqp', () => jest.requireActual(smqpPath));
    modules = {
      label,
      smqp: require('smqp'),
      engine: require('../../engine'),
      calendar: require('../../engine/calendar'),
      currentStore: require('../../engine/commands/current-store'),
      decisions: require('../../engine/decisions/parse'),
      forms: require('../../engine/forms/schema'),
      formValidation: require('../../engine/forms/validate'),
      catalog: require('../../engine/messaging/catalog'),
      compact: require('../../engine/persistence/compact-state'),
      bpmnEngine: require('bpmn-engine'),
      elements: require('bpmn-elements'),
    };
  });
  jest.dontMock('smqp');
  return modules!;
}

function benchScenario(name: string, branches: number, branch: number): Scenario {
  return { name: `bench ${name}`, xml: gatewayDiagram(`bench_${name}`, branches), dmn: [], forms: new Map(), startVariables: { branch }, maxSteps: 10 };
}

const PROBE = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="probe" targetNamespace="http://bpmn.io/schema/bpmn">
  <process id="p" isExecutable="true"><startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="t"/><userTask id="t"/></process>
</definitions>`;

/** The smqp Broker class every broker of a bpmn-engine run on `mods` was built by (engine, definition, process, activity). */
async function brokersOf(mods: EngineModules): Promise<boolean[]> {
  const engine = new mods.bpmnEngine.Engine({ name: 'probe', source: PROBE });
  await engine.execute();
  const [definition] = engine.execution.definitions;
  const [process] = definition.getProcesses();
  const brokers = [engine.broker, definition.broker, process.broker, process.getActivityById('t').broker];
  engine.stop();
  return brokers.map((broker) => broker instanceof mods.smqp.Broker);
}

if (missing) console.log(`test/broker/broker-differential.spec.ts skipped: ${missing}`);

(missing ? describe.skip : describe)(`the engine on smqp 11 and on the broker at ${CANDIDATE}`, () => {
  let expected: EngineModules;
  let actual: EngineModules;
  const results: string[] = [];

  beforeAll(() => {
    // Frozen wall clock (timestamps in states and messages); the event loop's timers stay real.
    jest.useFakeTimers({
      now: new Date('2026-12-07T09:00:00Z'),
      doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'],
    });
    expected = load('smqp 11', REAL);
    actual = load('the replacement', CANDIDATE);
  });

  afterAll(() => {
    jest.useRealTimers();
    for (const mods of [expected, actual]) mods?.engine.closeFeelSandbox?.();
    console.log(`broker differential (${actual ? CANDIDATE : 'not loaded'}):\n${results.join('\n')}`);
  });

  it('builds every broker of the second engine with the replacement, every broker of the first with smqp 11', async () => {
    expect(await brokersOf(expected)).toEqual([true, true, true, true]);
    expect(await brokersOf(actual)).toEqual([true, true, true, true]);
    if (CANDIDATE !== REAL) expect(actual.smqp).not.toBe(expected.smqp);
  });

  const record = (name: string, r: ScenarioResult) => {
    const invalid = r.invalid?.length ? `; ${r.invalid.length} task completions the form check would refuse (${r.invalid.slice(0, 3).join(', ')})` : '';
    results.push(`  ${name.padEnd(70)} ${String(r.steps).padStart(3)} commands, ${r.status}${invalid}`);
    // ITSM_BROKER_DIFF_VERBOSE=1: the commands each scenario ran.
    if (process.env.ITSM_BROKER_DIFF_VERBOSE) results.push(`      ${r.commands.join(' → ')}`);
  };

  describe('reference processes and the bench diagrams (engine layer)', () => {
    const variants = referenceScenarios().flatMap((s) => Array.from({ length: VARIANTS }, (_, variant) => (variant ? { ...s, name: `${s.name} (variant ${variant})`, variant } : s)));
    const scenarios = [...variants, benchScenario('small', 1, 0), benchScenario('large', 30, 7)];
    it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
      const [a, b] = [await prepare(expected, scenario), await prepare(actual, scenario)];
      if (!a || !b) throw new Error(`${scenario.name} did not compile`);
      record(scenario.name, await runEngineLayer(scenario, a, b));
    });
  });

  const corpus = existsSync(CORPUS) ? corpusFiles(CORPUS).filter((_, i) => ALL_CORPUS || i % 2 === 0) : [];
  (corpus.length ? describe : describe.skip)(`the shared corpus, ${ALL_CORPUS ? 'every file' : 'every second file (ITSM_BROKER_DIFF_CORPUS=all: every file)'}`, () => {
    // The engine layer runs the files the deploy checks accept; the bare bpmn-engine runs every file
    // (what it refuses or fails on must be refused or failed on identically).
    it.each(corpus.map((c) => [c.name, c] as const))('%s', async (name, file) => {
      const scenario: Scenario = { name, xml: file.xml, dmn: [], forms: new Map(), startVariables: {}, maxSteps: 15 };
      const [a, b] = [await prepare(expected, scenario), await prepare(actual, scenario)];
      expect(b === null).toBe(a === null);
      if (a && b) record(`${name} (engine layer)`, await runEngineLayer(scenario, a, b));
      record(`${name} (bare bpmn-engine${a ? '' : '; refused by the deploy checks'})`, await runBareEngine(name, file.xml, expected, actual, 15));
    });
  });
});
