const { Engine } = require('bpmn-engine');
const { EventEmitter } = require('events');
const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x"><bpmn:error id="E1" name="E1" errorCode="E1"/><bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sp"/>
  <bpmn:subProcess id="sp"><bpmn:startEvent id="ss"/><bpmn:sequenceFlow id="g1" sourceRef="ss" targetRef="t"/><bpmn:userTask id="t"/>
  <bpmn:sequenceFlow id="g2" sourceRef="t" targetRef="ee"/><bpmn:endEvent id="ee"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:endEvent></bpmn:subProcess>
  <bpmn:boundaryEvent id="b" attachedToRef="sp"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="sp" targetRef="e"/><bpmn:endEvent id="e"/>
  <bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="t2"/><bpmn:userTask id="t2"/><bpmn:sequenceFlow id="f4" sourceRef="t2" targetRef="e2"/><bpmn:endEvent id="e2"/></bpmn:process></bpmn:definitions>`;
(async () => {
  const listener = new EventEmitter();
  const log = [];
  for (const ev of ['activity.start','activity.end','activity.throw','activity.catch','activity.wait','activity.discard']) listener.on(ev, (api) => log.push(ev.split('.')[1] + ':' + api.id));
  const engine = new Engine({ name: 'x', source: xml, settings: { disableTrackState: process.argv[2] === '1' } });
  await engine.execute({ listener });
  await new Promise((r) => setTimeout(r, 10));
  const [t] = engine.execution.getPostponed().flatMap((a) => a.owner.isSubProcess ? a.getPostponed() : [a]).filter((a) => a.id === 't');
  log.push('--signal');
  engine.execution.signal({ executionId: t.executionId });
  await new Promise((r) => setTimeout(r, 10));
  console.log(log.join(' '), engine.state);
})();
