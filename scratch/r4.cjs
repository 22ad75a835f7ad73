const { Engine } = require('bpmn-engine');
const { EventEmitter } = require('events');
const mk = (startDef) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x"><bpmn:error id="E1" name="E1" errorCode="C1"/><bpmn:error id="E2" name="E2" errorCode="C1"/><bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="ee"/>
<bpmn:endEvent id="ee"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:endEvent>
<bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="es">${startDef}</bpmn:startEvent><bpmn:sequenceFlow id="g" sourceRef="es" targetRef="t"/><bpmn:userTask id="t"/></bpmn:subProcess></bpmn:process></bpmn:definitions>`;
(async () => {
  for (const d of ['<bpmn:errorEventDefinition/>', '<bpmn:errorEventDefinition errorRef="E1"/>', '<bpmn:errorEventDefinition errorRef="E2"/>']) {
    const listener = new EventEmitter(); const log = [];
    for (const ev of ['activity.start','activity.catch','activity.wait']) listener.on(ev, (api) => log.push(ev.split('.')[1] + ':' + api.id));
    const engine = new Engine({ name: 'x', source: mk(d) });
    await engine.execute({ listener });
    await new Promise((r) => setTimeout(r, 20));
    console.log(d, log.join(' '), engine.state);
  }
})();
