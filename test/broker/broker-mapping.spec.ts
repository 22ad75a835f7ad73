import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Which broker the engine runs on. `smqp` is installed as engine/broker (package.json `overrides`):
 * Node's own resolver must hand it to bpmn-engine and bpmn-elements, as the server loads them. In a
 * jest run ITSM_BROKER=smqp11 (or ITSM_BROKER_PATH) maps `smqp` to another broker for every module,
 * node_modules included (jest.config.js); then bpmn-engine's and bpmn-elements' brokers must be that one.
 */
const ROOT = resolve(__dirname, '..', '..');
const LEAN = join(ROOT, 'engine', 'broker');
const TARGET = process.env.ITSM_BROKER_PATH
  ? resolve(process.env.ITSM_BROKER_PATH)
  : process.env.ITSM_BROKER === 'smqp11' ? join(ROOT, 'node_modules', 'smqp-reference') : LEAN;

const SOURCE = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="mapping" targetNamespace="http://bpmn.io/schema/bpmn">
  <process id="p" isExecutable="true">
    <startEvent id="start"/><sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
    <userTask id="task"/><sequenceFlow id="f2" sourceRef="task" targetRef="end"/><endEvent id="end"/>
  </process>
</definitions>`;

type Smqp = { Broker: new (...args: unknown[]) => unknown };

describe('the broker the engine runs on', () => {
  it('is engine/broker for bpmn-engine and bpmn-elements under Node’s own resolution (the installed override)', () => {
    const resolved = (from: string) =>
      execFileSync(process.execPath, ['-e', `process.stdout.write(require.resolve('smqp', { paths: [require('path').dirname(require.resolve('${from}'))] }))`], { cwd: ROOT, encoding: 'utf8' });
    for (const from of ['bpmn-engine', 'bpmn-elements']) expect({ from, smqp: realpathSync(resolved(from)) }).toEqual({ from, smqp: join(LEAN, 'index.cjs') });
  });

  it(`is ${TARGET === LEAN ? 'engine/broker' : TARGET} in this jest run for this suite, bpmn-engine and bpmn-elements`, async () => {
    // Given the run's module resolution; jest.requireActual with an absolute path is not mapped
    const target = jest.requireActual<Smqp>(TARGET);
    const other = jest.requireActual<Smqp>(TARGET === LEAN ? join(ROOT, 'node_modules', 'smqp-reference') : LEAN);
    expect(other).not.toBe(target);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module this suite is handed
    expect(require('smqp')).toBe(target);
    // When a bpmn-engine engine is built and run to its user task
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Engine } = require('bpmn-engine') as { Engine: new (options: unknown) => any };
    const engine = new Engine({ name: 'mapping', source: SOURCE });
    await engine.execute();
    const [definition] = engine.execution.definitions;
    const [process] = definition.getProcesses();
    const task = process.getActivityById('task');
    // Then every broker on the way is the target's
    for (const [owner, broker] of [['engine', engine.broker], ['definition', definition.broker], ['process', process.broker], ['task', task.broker]] as const) {
      expect({ owner, target: broker instanceof target.Broker, other: broker instanceof other.Broker }).toEqual({ owner, target: true, other: false });
    }
    engine.stop();
  });
});
