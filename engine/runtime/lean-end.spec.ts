import { Engine } from 'bpmn-engine';
import { skipTeardownAtEnd } from './lean-end';

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">${body}</bpmn:definitions>`;

const single = xml(`
  <bpmn:process id="main" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
    <bpmn:userTask id="task"/>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>`);

/** main throws a message that starts the partner pool, whose user task still waits when main ends. */
const collaboration = xml(`
  <bpmn:message id="ping" name="ping"/>
  <bpmn:collaboration id="collab">
    <bpmn:participant id="pMain" processRef="main"/>
    <bpmn:participant id="pPartner" processRef="partner"/>
    <bpmn:messageFlow id="mf" sourceRef="send" targetRef="partnerStart"/>
  </bpmn:collaboration>
  <bpmn:process id="main" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
    <bpmn:userTask id="task"/>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="send"/>
    <bpmn:intermediateThrowEvent id="send"><bpmn:messageEventDefinition messageRef="ping"/></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="send" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
  <bpmn:process id="partner" isExecutable="false">
    <bpmn:startEvent id="partnerStart"><bpmn:messageEventDefinition messageRef="ping"/></bpmn:startEvent>
    <bpmn:sequenceFlow id="pf1" sourceRef="partnerStart" targetRef="partnerTask"/>
    <bpmn:userTask id="partnerTask"/>
  </bpmn:process>`);

/** Runs `source` to its first wait, patches its `main` process, then completes main's user task. */
async function completeMain(source: string) {
  const engine = new Engine({ name: 'lean-end', source });
  const execution = await engine.execute();
  const definition = (execution.definitions as any[])[0];
  const main = definition.getProcesses().find((p: any) => p.id === 'main');
  skipTeardownAtEnd(definition, main);
  const children = main.getActivities() as any[];
  const task = main.getPostponed().find((a: any) => a.id === 'task');
  task.signal();
  return { engine, definition, main, children };
}

/** Whether the process still holds its subscription on each of its elements (the teardown cancels it). */
const subscribed = (children: any[]) => children.map((a) => Boolean(a.broker.getConsumer('_process-activity-consumer')));

describe('the instance process skips its teardown when it completes alone (lean-end.ts)', () => {
  it('completes as before, and its elements are left as they were (the ended engine is dropped)', async () => {
    const { engine, main, children } = await completeMain(single);
    expect(engine.state).toBe('idle');
    expect(main.counters.completed).toBe(1);
    expect(children.find((a) => a.id === 'end').counters.taken).toBe(1);
    expect(subscribed(children)).toEqual(children.map(() => true));
  });

  it('tears down as before while another process of the collaboration still runs (a message flow could run it again)', async () => {
    const { engine, definition, main, children } = await completeMain(collaboration);
    expect(main.counters.completed).toBe(1);
    const partner = definition.getProcesses().find((p: any) => p.id === 'partner');
    expect(partner.getPostponed().map((a: any) => a.id)).toEqual(['partnerTask']);
    expect(engine.state).toBe('running');
    expect(subscribed(children)).toEqual(children.map(() => false));
  });
});
