import { join, resolve } from 'node:path';

/**
 * ITSM_BROKER=lite (jest.config.js) maps `smqp` to the replacement broker for every module of the
 * run, node_modules included: bpmn-engine's own broker and bpmn-elements' element brokers must be
 * built by the replacement, not by node_modules/smqp. Skipped without ITSM_BROKER=lite.
 */
const ROOT = resolve(__dirname, '..', '..');
const TARGET = process.env.ITSM_BROKER_PATH ? resolve(process.env.ITSM_BROKER_PATH) : join(ROOT, 'engine', 'broker');
const REAL = join(ROOT, 'node_modules', 'smqp');
const mapped = process.env.ITSM_BROKER === 'lite';

const SOURCE = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="mapping" targetNamespace="http://bpmn.io/schema/bpmn">
  <process id="p" isExecutable="true">
    <startEvent id="start"/><sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
    <userTask id="task"/><sequenceFlow id="f2" sourceRef="task" targetRef="end"/><endEvent id="end"/>
  </process>
</definitions>`;

type Smqp = { Broker: new (...args: unknown[]) => unknown };

if (!mapped) console.log('test/broker/broker-mapping.spec.ts skipped: ITSM_BROKER is not "lite" (the run uses node_modules/smqp)');

(mapped ? describe : describe.skip)(`ITSM_BROKER=lite maps smqp to ${TARGET}`, () => {
  it('hands the replacement to this suite, bpmn-engine and bpmn-elements', async () => {
    // Given the run's module mapping; jest.requireActual with an absolute path is not mapped
    const lite = jest.requireActual<Smqp>(TARGET);
    const real = jest.requireActual<Smqp>(REAL);
    // When a bpmn-engine engine is built and run to its user task
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module the mapping hands this suite
    expect(require('smqp')).toBe(lite);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Engine } = require('bpmn-engine') as { Engine: new (options: unknown) => any };
    const engine = new Engine({ name: 'mapping', source: SOURCE });
    await engine.execute();
    const [definition] = engine.execution.definitions;
    const [process] = definition.getProcesses();
    const task = process.getActivityById('task');
    // Then every broker on the way is the replacement's
    for (const [owner, broker] of [['engine', engine.broker], ['definition', definition.broker], ['process', process.broker], ['task', task.broker]] as const) {
      expect({ owner, lite: broker instanceof lite.Broker }).toEqual({ owner, lite: true });
      if (lite !== real) expect({ owner, real: broker instanceof real.Broker }).toEqual({ owner, real: false });
    }
    engine.stop();
  });
});
