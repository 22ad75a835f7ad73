import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import { EngineError, EngineErrorCode, type DefinitionProblem } from '../errors';
import { proveEngineLoads } from './engine-load';
import { compileDefinition, loadSourceContext, moddleExtensions, type CompileOptions } from './index';
import { ProblemSink } from './problems';

const NAMESPACES = [
  'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"',
  'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"',
  'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"',
  'xmlns:di="http://www.omg.org/spec/DD/20100524/DI"',
  'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
].join(' ');

/** A whole document around top-level content. */
function definitions(content: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions ${NAMESPACES} id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">\n${content}\n</bpmn:definitions>`;
}

/** One executable process `Process_1` holding `content`. */
function processWith(content: string): string {
  return definitions(`<bpmn:process id="Process_1" name="Test" isExecutable="true">\n${content}\n</bpmn:process>`);
}

/** Sequence flows chaining the given ids: flow ids are `Flow_<from>_<to>`. */
function chain(...ids: string[]): string {
  return ids
    .slice(1)
    .map((to, i) => `<bpmn:sequenceFlow id="Flow_${ids[i]}_${to}" sourceRef="${ids[i]}" targetRef="${to}" />`)
    .join('\n');
}

/** start -> `element` (id `X`) -> end, plus any extra content. */
function around(element: string, extra = ''): string {
  return processWith(`<bpmn:startEvent id="Start" name="Start" />\n${element}\n<bpmn:endEvent id="End" name="End" />\n${chain('Start', 'X', 'End')}\n${extra}`);
}

const timer = (field: string, value: string): string =>
  `<bpmn:timerEventDefinition><bpmn:${field} xsi:type="bpmn:tFormalExpression">${value}</bpmn:${field}></bpmn:timerEventDefinition>`;

/** Test double for the expression checker: anything containing `!!` is a syntax error. */
const checkExpression = jest.fn((expression: string): string | null => (expression.includes('!!') ? 'syntax error at "!!"' : null));

const options: CompileOptions = { knownHandlers: new Set(['calculatePriority']), checkExpression };

async function refusal(xml: string | Uint8Array, overrides: Partial<CompileOptions> = {}): Promise<DefinitionProblem[]> {
  const error = await compileDefinition(xml, { ...options, ...overrides }).then(
    (compiled) => new Error(`expected a refusal, but "${compiled.processId}" compiled`),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe(EngineErrorCode.InvalidDefinition);
  return (error as EngineError).details?.problems as DefinitionProblem[];
}

function expectProblem(problems: DefinitionProblem[], rule: string, elementId?: string): void {
  expect(problems).toContainEqual(expect.objectContaining(elementId === undefined ? { rule } : { rule, elementId }));
}

/** A diagram as Camunda Modeler 5 writes it: start -> triage -> XOR -> prioritise -> end. */
const GOOD_DIAGRAM = definitions(`
  <bpmn:process id="incident-intake" name="Incident intake" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="Incident reported">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Task_Triage" name="Triage incident" camunda:candidateGroups="service-desk" camunda:formKey="triage">
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="Gateway_Impact" name="Impact?">
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:outgoing>Flow_High</bpmn:outgoing>
      <bpmn:outgoing>Flow_Low</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:serviceTask id="Task_Priority" name="Calculate priority" camunda:delegateExpression="\${calculatePriority}">
      <bpmn:incoming>Flow_High</bpmn:incoming>
      <bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="End_Prioritised" name="Prioritised">
      <bpmn:incoming>Flow_3</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:endEvent id="End_Low" name="Low impact">
      <bpmn:incoming>Flow_Low</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_Triage" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Triage" targetRef="Gateway_Impact" />
    <bpmn:sequenceFlow id="Flow_High" name="high" sourceRef="Gateway_Impact" targetRef="Task_Priority">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${x &gt; 3}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_Low" name="low" sourceRef="Gateway_Impact" targetRef="End_Low">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${x &lt;= 3}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_Priority" targetRef="End_Prioritised" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="incident-intake">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_Triage_di" bpmnElement="Task_Triage"><dc:Bounds x="240" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Gateway_Impact_di" bpmnElement="Gateway_Impact" isMarkerVisible="true"><dc:Bounds x="395" y="95" width="50" height="50" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_Priority_di" bpmnElement="Task_Priority"><dc:Bounds x="500" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="End_Prioritised_di" bpmnElement="End_Prioritised"><dc:Bounds x="662" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="End_Low_di" bpmnElement="End_Low"><dc:Bounds x="662" y="212" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2"><di:waypoint x="340" y="120" /><di:waypoint x="395" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_High_di" bpmnElement="Flow_High"><di:waypoint x="445" y="120" /><di:waypoint x="500" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_Low_di" bpmnElement="Flow_Low"><di:waypoint x="420" y="145" /><di:waypoint x="420" y="230" /><di:waypoint x="662" y="230" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_3_di" bpmnElement="Flow_3"><di:waypoint x="600" y="120" /><di:waypoint x="662" y="120" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>`);

beforeEach(() => checkExpression.mockClear());

describe('compileDefinition: a good diagram', () => {
  it('compiles, keyed by the executable process id', async () => {
    // Given a Camunda-Modeler-like diagram, When it is compiled from bytes
    const compiled = await compileDefinition(new TextEncoder().encode(GOOD_DIAGRAM), options);

    // Then the key, name, text and hash describe it, and nothing is refused
    expect(compiled.processId).toBe('incident-intake');
    expect(compiled.name).toBe('Incident intake');
    expect(compiled.xml).toBe(GOOD_DIAGRAM);
    expect(compiled.sha256).toBe(createHash('sha256').update(GOOD_DIAGRAM, 'utf8').digest('hex'));
    expect(compiled.warnings).toEqual([]);
    // And both conditions went through the injected expression checker
    expect(checkExpression).toHaveBeenCalledWith('${x > 3}');
    expect(checkExpression).toHaveBeenCalledWith('${x <= 3}');
  });

  it('stores a serialized context that bpmn-engine runs to the user task', async () => {
    // Given the compiled definition, When an engine is built from the stored JSON and executed
    const compiled = await compileDefinition(GOOD_DIAGRAM, options);
    const engine = new Engine({
      name: 'compile-spec',
      sourceContext: loadSourceContext(compiled.serialized) as any,
      moddleOptions: moddleExtensions,
      scripts: { register() {}, getScript() {} } as any,
    });
    const listener = new EventEmitter();
    const waiting = new Promise<{ id: string; type: string }>((resolve) => listener.once('activity.wait', resolve));
    await engine.execute({ listener });

    // Then it waits in the user task, with the camunda attributes parsed
    let timeout: NodeJS.Timeout | undefined;
    const task = await Promise.race([waiting, new Promise((resolve) => (timeout = setTimeout(resolve, 2000, 'no wait state within 2 s')))]);
    clearTimeout(timeout);
    expect(task).toMatchObject({ id: 'Task_Triage', type: 'bpmn:UserTask' });
    const definition = (await engine.getDefinitions())[0] as any;
    expect(definition.getActivityById('Task_Triage').behaviour.candidateGroups).toBe('service-desk');
    await engine.stop();
  });

  it('serializes the model as parsed: linting does not leave empty eventDefinitions behind', async () => {
    // bpmn-elements runs a start event with `eventDefinitions: []` as a typed event that never completes
    const compiled = await compileDefinition(GOOD_DIAGRAM, options);
    const activities = JSON.parse(compiled.serialized).activities as { id: string; behaviour: object }[];
    expect(activities.find((activity) => activity.id === 'StartEvent_1')?.behaviour).not.toHaveProperty('eventDefinitions');
  });

  it('names the definition after the definitions element when the process has no name', async () => {
    const xml = around('<bpmn:userTask id="X" camunda:assignee="alice" />').replace(' name="Test"', '').replace('id="Definitions_1"', 'id="Definitions_1" name="From definitions"');
    expect((await compileDefinition(xml, options)).name).toBe('From definitions');
  });

  it('accepts non-executable participant processes next to the executable one', async () => {
    const xml = definitions(`
      <bpmn:collaboration id="Collab"><bpmn:participant id="Pool_A" processRef="A" /><bpmn:participant id="Pool_B" processRef="B" /></bpmn:collaboration>
      <bpmn:process id="A" isExecutable="true"><bpmn:startEvent id="S" /><bpmn:endEvent id="E" />${chain('S', 'E')}</bpmn:process>
      <bpmn:process id="B" isExecutable="false"><bpmn:startEvent id="S2" /><bpmn:endEvent id="E2" />${chain('S2', 'E2')}</bpmn:process>`);
    expect((await compileDefinition(xml, options)).processId).toBe('A');
  });

  it('warns about, but accepts, vendor elements in foreign namespaces', async () => {
    // Given a vendor element inside a DI shape (schema-invalid, inert)
    const xml = GOOD_DIAGRAM.replace('xmlns:xsi=', 'xmlns:vendor="http://vendor.example/bpmn" xmlns:xsi=').replace(
      '<dc:Bounds x="240" y="80" width="100" height="80" />',
      '<dc:Bounds x="240" y="80" width="100" height="80" /><vendor:collapsedBounds x="1" />',
    );
    // When compiled, Then it deploys with a foreign-element warning
    const compiled = await compileDefinition(xml, options);
    expect(compiled.warnings).toContainEqual(expect.objectContaining({ rule: 'foreign-element' }));
  });
});

describe('compileDefinition: input limits', () => {
  it('refuses a DOCTYPE with an external entity before parsing', async () => {
    const xml = GOOD_DIAGRAM.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>').replace(
      'name="Triage incident"',
      'name="&xxe;"',
    );
    const problems = await refusal(xml);
    expect(problems).toEqual([expect.objectContaining({ rule: 'doctype' })]);
  });

  it('refuses a document larger than maxBytes with PayloadTooLarge', async () => {
    const error = await compileDefinition(GOOD_DIAGRAM, { ...options, maxBytes: 1000 }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe(EngineErrorCode.PayloadTooLarge);
    expect((error as EngineError).details?.problems).toEqual([expect.objectContaining({ rule: 'payload-too-large' })]);
  });

  it('refuses nesting deeper than maxDepth', async () => {
    const nested = `${'<bpmn:extensionElements>'.repeat(1)}${'<vendor:x xmlns:vendor="urn:v">'.repeat(70)}${'</vendor:x>'.repeat(70)}</bpmn:extensionElements>`;
    const problems = await refusal(around(`<bpmn:userTask id="X" camunda:assignee="a">${nested}</bpmn:userTask>`));
    expectProblem(problems, 'xml-depth');
  });

  it('refuses malformed XML and non-BPMN documents', async () => {
    expectProblem(await refusal('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p">'), 'xml-malformed');
    expectProblem(await refusal('<?xml version="1.0"?><definitions xmlns="urn:not-bpmn"/>'), 'not-bpmn');
  });
});

describe('compileDefinition: parse warnings', () => {
  it('refuses duplicate ids', async () => {
    const problems = await refusal(around('<bpmn:userTask id="X" camunda:assignee="a" />', '<bpmn:task id="X" />'));
    expectProblem(problems, 'duplicate-id', 'X');
  });

  it('refuses a misspelt camunda attribute', async () => {
    const problems = await refusal(around('<bpmn:userTask id="X" camunda:asignee="alice" camunda:candidateGroups="g" />'));
    expectProblem(problems, 'unknown-attribute', 'X');
  });

  it('refuses an unknown BPMN element', async () => {
    expectProblem(await refusal(around('<bpmn:userTask id="X" camunda:assignee="a" />', '<bpmn:invalid id="Bad" />')), 'unknown-element');
  });

  it('refuses unresolved references the engine reads, naming the element', async () => {
    const problems = await refusal(around('<bpmn:userTask id="X" camunda:assignee="a" />', '<bpmn:sequenceFlow id="Dangling" sourceRef="X" targetRef="Nowhere" />'));
    expectProblem(problems, 'unresolved-reference', 'Dangling');
  });
});

describe('compileDefinition: executable process', () => {
  it('refuses a diagram without an executable process', async () => {
    const xml = around('<bpmn:userTask id="X" camunda:assignee="a" />').replace('isExecutable="true"', 'isExecutable="false"');
    const problems = await refusal(xml);
    expect(problems).toEqual([{ rule: 'not-executable', message: 'not executable: no process has isExecutable=true' }]);
  });

  it('refuses two executable processes, naming them', async () => {
    const xml = definitions(`
      <bpmn:process id="A" isExecutable="true"><bpmn:startEvent id="S" /><bpmn:endEvent id="E" />${chain('S', 'E')}</bpmn:process>
      <bpmn:process id="B" isExecutable="true"><bpmn:startEvent id="S2" /><bpmn:endEvent id="E2" />${chain('S2', 'E2')}</bpmn:process>`);
    const problems = await refusal(xml);
    expectProblem(problems, 'multiple-executable');
    expect(problems.find((p) => p.rule === 'multiple-executable')?.message).toMatch(/"A".*"B"/);
  });
});

describe('compileDefinition: element types', () => {
  it.each([
    ['no-script-task', '<bpmn:scriptTask id="X" scriptFormat="javascript"><bpmn:script>next()</bpmn:script></bpmn:scriptTask>'],
    ['no-complex-gateway', '<bpmn:complexGateway id="X" />'],
  ])('refuses %s', async (rule, element) => {
    const problems = await refusal(around(element));
    expectProblem(problems, rule, 'X');
  });

  it('accepts a call activity naming a key, with camunda:in/out mappings and a version binding', async () => {
    const compiled = await compileDefinition(
      around(`<bpmn:callActivity id="X" name="Call" calledElement="other" camunda:calledElementBinding="version" camunda:calledElementVersion="2">
        <bpmn:extensionElements><camunda:in source="a" target="b" /><camunda:in businessKey="\${businessKey}" /><camunda:out variables="all" /></bpmn:extensionElements>
      </bpmn:callActivity>`),
      options,
    );
    expect(compiled.processId).toBe('Process_1');
  });

  it.each([
    ['no calledElement', '<bpmn:callActivity id="X" />', 'calledElement'],
    ['a broken calledElement expression', '<bpmn:callActivity id="X" calledElement="${a !!}" />', 'calledElement'],
    ['deployment binding', '<bpmn:callActivity id="X" calledElement="o" camunda:calledElementBinding="deployment" />', 'deployment'],
    ['version binding without a version', '<bpmn:callActivity id="X" calledElement="o" camunda:calledElementBinding="version" />', 'calledElementVersion'],
    ['a version expression', '<bpmn:callActivity id="X" calledElement="o" camunda:calledElementBinding="version" camunda:calledElementVersion="${v}" />', 'calledElementVersion'],
    ['camunda:in without target', '<bpmn:callActivity id="X" calledElement="o"><bpmn:extensionElements><camunda:in source="a" /></bpmn:extensionElements></bpmn:callActivity>', 'target'],
    ['camunda:out with a business key', '<bpmn:callActivity id="X" calledElement="o"><bpmn:extensionElements><camunda:out businessKey="k" /></bpmn:extensionElements></bpmn:callActivity>', 'business key'],
    ['camunda:in variables="local"', '<bpmn:callActivity id="X" calledElement="o"><bpmn:extensionElements><camunda:in variables="local" /></bpmn:extensionElements></bpmn:callActivity>', 'variables="all"'],
    ['a multi-instance call activity', '<bpmn:callActivity id="X" calledElement="o"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:callActivity>', 'multi-instance'],
  ])('refuses a call activity with %s', async (_case, element, words) => {
    const problems = await refusal(around(element));
    expect(problems).toContainEqual(expect.objectContaining({ rule: 'call-activity', elementId: 'X', message: expect.stringContaining(words) }));
  });

  it('explains how to replace a script task', async () => {
    const problems = await refusal(around('<bpmn:scriptTask id="X" scriptFormat="javascript"><bpmn:script>next()</bpmn:script></bpmn:scriptTask>'));
    expect(problems).toContainEqual({ elementId: 'X', rule: 'no-script-task', message: 'script tasks are not supported; use a service task with a registered handler' });
  });

  it('refuses what the serializer has no behaviour for (a top-level correlation property)', async () => {
    const xml = around('<bpmn:userTask id="X" camunda:assignee="a" />').replace('<bpmn:process', '<bpmn:correlationProperty id="Item_1" name="orderId" />\n<bpmn:process');
    expectProblem(await refusal(xml), 'unsupported-element', 'Item_1');
  });

  it('accepts converging and diverging inclusive gateways (the runtime implements the OR-join)', async () => {
    const join = processWith(`
      <bpmn:startEvent id="S" /><bpmn:parallelGateway id="Fork" /><bpmn:task id="A" /><bpmn:task id="B" />
      <bpmn:inclusiveGateway id="Join" /><bpmn:endEvent id="E" />
      ${chain('S', 'Fork', 'A', 'Join', 'E')}<bpmn:sequenceFlow id="f_b1" sourceRef="Fork" targetRef="B" /><bpmn:sequenceFlow id="f_b2" sourceRef="B" targetRef="Join" />`);
    expect((await compileDefinition(join, options)).processId).toBe('Process_1');

    const split = processWith(`
      <bpmn:startEvent id="S" /><bpmn:inclusiveGateway id="Split" default="f_b" /><bpmn:endEvent id="E1" /><bpmn:endEvent id="E2" />
      ${chain('S', 'Split')}
      <bpmn:sequenceFlow id="f_a" sourceRef="Split" targetRef="E1"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${a}</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f_b" sourceRef="Split" targetRef="E2" />`);
    expect((await compileDefinition(split, options)).processId).toBe('Process_1');
  });

  it('accepts an XOR merge right before a parallel join (the runtime join counts arrived tokens only)', async () => {
    const xml = processWith(`
      <bpmn:startEvent id="S" /><bpmn:parallelGateway id="Fork" /><bpmn:userTask id="A" camunda:assignee="a" />
      <bpmn:exclusiveGateway id="XSplit" default="x2" /><bpmn:task id="B" /><bpmn:exclusiveGateway id="XMerge" />
      <bpmn:parallelGateway id="Join" /><bpmn:endEvent id="E" />
      ${chain('S', 'Fork', 'A', 'Join', 'E')}
      <bpmn:sequenceFlow id="f1" sourceRef="Fork" targetRef="XSplit" />
      <bpmn:sequenceFlow id="x1" sourceRef="XSplit" targetRef="B"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${b}</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="x2" sourceRef="XSplit" targetRef="XMerge" />
      <bpmn:sequenceFlow id="f2" sourceRef="B" targetRef="XMerge" />
      <bpmn:sequenceFlow id="f3" sourceRef="XMerge" targetRef="Join" />`);
    expect((await compileDefinition(xml, options)).processId).toBe('Process_1');
  });

  it('warns that conditions on the outgoing flows of a parallel gateway are ignored', async () => {
    const xml = processWith(`
      <bpmn:startEvent id="S" /><bpmn:parallelGateway id="Fork" /><bpmn:endEvent id="E1" /><bpmn:endEvent id="E2" />
      ${chain('S', 'Fork')}
      <bpmn:sequenceFlow id="t" sourceRef="Fork" targetRef="E1"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${true}</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="c" sourceRef="Fork" targetRef="E2"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${false}</bpmn:conditionExpression></bpmn:sequenceFlow>`);
    const compiled = await compileDefinition(xml, options);
    expect(compiled.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'parallel-gateway-condition', elementId: 'Fork' })]));
  });
});

describe('compileDefinition: events', () => {
  const withMessageAndSignal = (xml: string) => xml.replace('<bpmn:process', '<bpmn:message id="Msg" name="m" /><bpmn:signal id="Sig" name="s" /><bpmn:process');

  it.each([
    ['message', '<bpmn:messageEventDefinition messageRef="Msg" />'],
    ['signal', '<bpmn:signalEventDefinition signalRef="Sig" />'],
  ])('accepts an event sub-process with a %s start directly in the process (the runner starts it)', async (_kind, definition) => {
    const xml = around(
      '<bpmn:userTask id="X" camunda:assignee="a" />',
      `<bpmn:subProcess id="Esp" triggeredByEvent="true">
         <bpmn:startEvent id="EspStart">${definition}</bpmn:startEvent><bpmn:endEvent id="EspEnd" />${chain('EspStart', 'EspEnd')}
       </bpmn:subProcess>`,
    );
    await expect(compileDefinition(withMessageAndSignal(xml), options)).resolves.toMatchObject({ processId: 'Process_1' });
  });

  it.each([
    ['message', '<bpmn:messageEventDefinition messageRef="Msg" />'],
    ['signal', '<bpmn:signalEventDefinition signalRef="Sig" />'],
  ])('refuses a %s start on an event sub-process nested in a sub-process', async (_kind, definition) => {
    const xml = around(
      `<bpmn:subProcess id="X"><bpmn:startEvent id="S1" /><bpmn:endEvent id="E1" />${chain('S1', 'E1')}
         <bpmn:subProcess id="Esp" triggeredByEvent="true">
           <bpmn:startEvent id="EspStart">${definition}</bpmn:startEvent><bpmn:endEvent id="EspEnd" />${chain('EspStart', 'EspEnd')}
         </bpmn:subProcess>
       </bpmn:subProcess>`,
    );
    const problems = await refusal(withMessageAndSignal(xml));
    expectProblem(problems, 'event-subprocess-start', 'EspStart');
    expect(problems.find((p) => p.elementId === 'EspStart')?.message).toMatch(/directly in the process only/);
  });

  it('refuses a none start event beside a message start event (bpmn-engine would run both)', async () => {
    const xml = around('<bpmn:task id="X" />', `<bpmn:startEvent id="ByMessage"><bpmn:messageEventDefinition messageRef="Msg" /></bpmn:startEvent>${chain('ByMessage', 'X')}`);
    expectProblem(await refusal(withMessageAndSignal(xml)), 'mixed-start-events', 'Start');
  });

  it('accepts itsm:correlationKey and zeebe:subscription correlation keys, and refuses a malformed one', async () => {
    const doc = (key: string) =>
      definitions(
        `<bpmn:message id="Msg" name="m" itsm:correlationKey="${key}" /><bpmn:message id="Msg2" name="m2"><bpmn:extensionElements><zeebe:subscription correlationKey="=order" /></bpmn:extensionElements></bpmn:message>
         <bpmn:process id="Process_1" isExecutable="true"><bpmn:startEvent id="Start" /><bpmn:intermediateCatchEvent id="X"><bpmn:messageEventDefinition messageRef="Msg" /></bpmn:intermediateCatchEvent>
         <bpmn:receiveTask id="R" messageRef="Msg2" /><bpmn:endEvent id="End" />${chain('Start', 'X', 'R', 'End')}</bpmn:process>`,
      ).replace('<bpmn:definitions ', '<bpmn:definitions xmlns:itsm="http://itsm-orchestrator.dev/schema/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" ');
    await expect(compileDefinition(doc('${ticket}'), options)).resolves.toMatchObject({ processId: 'Process_1' });
    expectProblem(await refusal(doc('${ticket!!}')), 'correlation-key', 'Msg');
  });

  it('accepts a send task with a message and no handler (it only sends the message)', async () => {
    const xml = withMessageAndSignal(around('<bpmn:sendTask id="X" messageRef="Msg" />'));
    await expect(compileDefinition(xml, options)).resolves.toMatchObject({ processId: 'Process_1' });
  });

  it('keeps other Camunda 8 extensions ignored, as before the zeebe descriptor existed', async () => {
    const xml = around('<bpmn:userTask id="X" camunda:assignee="a"><bpmn:extensionElements><zeebe:taskDefinition type="x" /></bpmn:extensionElements></bpmn:userTask>').replace(
      '<bpmn:definitions ',
      '<bpmn:definitions xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" ',
    );
    await expect(compileDefinition(xml, options)).resolves.toMatchObject({ processId: 'Process_1' });
  });

  it('accepts an event sub-process with a timer start directly in the process (the runner arms it)', async () => {
    const xml = around(
      '<bpmn:userTask id="X" camunda:assignee="a" />',
      `<bpmn:subProcess id="Esp" triggeredByEvent="true">
         <bpmn:startEvent id="EspStart" isInterrupting="false">${timer('timeCycle', 'R2/PT1H')}</bpmn:startEvent><bpmn:endEvent id="EspEnd" />${chain('EspStart', 'EspEnd')}
       </bpmn:subProcess>`,
    );
    await expect(compileDefinition(xml, options)).resolves.toMatchObject({ processId: 'Process_1' });
  });

  it('refuses a timer start on an event sub-process nested in a sub-process', async () => {
    const xml = around(
      `<bpmn:subProcess id="X">
         <bpmn:startEvent id="InnerStart" /><bpmn:userTask id="Inner" camunda:assignee="a" /><bpmn:endEvent id="InnerEnd" />${chain('InnerStart', 'Inner', 'InnerEnd')}
         <bpmn:subProcess id="Esp" triggeredByEvent="true">
           <bpmn:startEvent id="EspStart">${timer('timeDuration', 'PT5M')}</bpmn:startEvent><bpmn:endEvent id="EspEnd" />${chain('EspStart', 'EspEnd')}
         </bpmn:subProcess>
       </bpmn:subProcess>`,
    );
    const problems = await refusal(xml);
    expectProblem(problems, 'event-subprocess-start', 'EspStart');
    expect(problems.find((p) => p.elementId === 'EspStart')?.message).toMatch(/directly in the process only/);
  });

  const conditional = (body: string, attrs = ''): string =>
    `<bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression"${attrs}>${body}</bpmn:condition></bpmn:conditionalEventDefinition>`;

  it('accepts conditional intermediate and boundary events with an expression', async () => {
    const xml = processWith(
      `<bpmn:startEvent id="S" /><bpmn:intermediateCatchEvent id="X">${conditional('${ready}')}</bpmn:intermediateCatchEvent>
       <bpmn:userTask id="T" camunda:assignee="a" /><bpmn:boundaryEvent id="B" attachedToRef="T" cancelActivity="false">${conditional('=priority = "high"')}</bpmn:boundaryEvent>
       <bpmn:endEvent id="E" /><bpmn:endEvent id="E2" />${chain('S', 'X', 'T', 'E')}${chain('B', 'E2')}`,
    );
    await expect(compileDefinition(xml, options)).resolves.toBeDefined();
  });

  it.each([
    ['condition-not-expression', conditional('ready')],
    ['condition-not-expression', conditional('')],
    ['condition-language', conditional('ready', ' language="javascript"')],
    ['invalid-expression', conditional('${!!ready}')],
  ])('refuses a conditional event whose condition is not a valid expression (%s, %#)', async (rule, definition) => {
    expectProblem(await refusal(around(`<bpmn:intermediateCatchEvent id="X">${definition}</bpmn:intermediateCatchEvent>`)), rule, 'X');
  });

  it('refuses a conditional start event of the process, accepts one on an event sub-process', async () => {
    const start = processWith(`<bpmn:startEvent id="X">${conditional('${go}')}</bpmn:startEvent><bpmn:endEvent id="End" />${chain('X', 'End')}`);
    expectProblem(await refusal(start), 'conditional-start', 'X');
    const eventSubProcess = around(
      '<bpmn:userTask id="X" camunda:assignee="a" />',
      `<bpmn:subProcess id="Esp" triggeredByEvent="true">
         <bpmn:startEvent id="EspStart" isInterrupting="false">${conditional('${go}')}</bpmn:startEvent><bpmn:endEvent id="EspEnd" />${chain('EspStart', 'EspEnd')}
       </bpmn:subProcess>`,
    );
    await expect(compileDefinition(eventSubProcess, options)).resolves.toBeDefined();
  });

  it('refuses a timer on a throw event', async () => {
    expectProblem(await refusal(around(`<bpmn:intermediateThrowEvent id="X">${timer('timeDuration', 'PT5M')}</bpmn:intermediateThrowEvent>`)), 'event-definition-placement', 'X');
  });

  it.each([
    ['missing-message', '<bpmn:intermediateCatchEvent id="X"><bpmn:messageEventDefinition messageRef="Nope" /></bpmn:intermediateCatchEvent>'],
    ['missing-message', '<bpmn:intermediateCatchEvent id="X"><bpmn:messageEventDefinition id="MsgDef" /></bpmn:intermediateCatchEvent>'],
    ['missing-signal', '<bpmn:intermediateThrowEvent id="X"><bpmn:signalEventDefinition signalRef="Nope" /></bpmn:intermediateThrowEvent>'],
    ['missing-error', '<bpmn:endEvent id="X"><bpmn:errorEventDefinition /></bpmn:endEvent>'],
    ['missing-escalation', '<bpmn:intermediateThrowEvent id="X"><bpmn:escalationEventDefinition escalationRef="Nope" /></bpmn:intermediateThrowEvent>'],
  ])('refuses %s (%#), naming the event', async (rule, event) => {
    const xml = event.startsWith('<bpmn:endEvent')
      ? processWith(`<bpmn:startEvent id="Start" />${event}${chain('Start', 'X')}`)
      : around(event);
    expectProblem(await refusal(xml), rule, 'X');
  });

  it('accepts an error boundary without errorRef (catch-all) and resolved references', async () => {
    const xml = around(
      '<bpmn:userTask id="X" camunda:assignee="a" />',
      `<bpmn:boundaryEvent id="Caught" attachedToRef="X"><bpmn:errorEventDefinition /></bpmn:boundaryEvent><bpmn:endEvent id="E2" />${chain('Caught', 'E2')}`,
    );
    expect((await compileDefinition(xml, options)).processId).toBe('Process_1');
  });
});

describe('compileDefinition: expressions and timers', () => {
  it('refuses a condition with a language attribute', async () => {
    const xml = processWith(`
      <bpmn:startEvent id="S" /><bpmn:exclusiveGateway id="G" default="f2" /><bpmn:endEvent id="E1" /><bpmn:endEvent id="E2" />${chain('S', 'G')}
      <bpmn:sequenceFlow id="f1" sourceRef="G" targetRef="E1"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="javascript">next(null, false)</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f2" sourceRef="G" targetRef="E2" />`);
    expectProblem(await refusal(xml), 'condition-language', 'f1');
  });

  it('refuses conditions, timers and user task attributes the expression checker rejects', async () => {
    const xml = processWith(`
      <bpmn:startEvent id="S" /><bpmn:exclusiveGateway id="G" default="f2" /><bpmn:endEvent id="E2" />
      <bpmn:userTask id="T" camunda:candidateGroups="g" camunda:dueDate="\${due !!}" />
      <bpmn:intermediateCatchEvent id="Wait">${timer('timeDuration', '${sla !!}')}</bpmn:intermediateCatchEvent>
      ${chain('S', 'G')}${chain('T', 'Wait', 'E2')}
      <bpmn:sequenceFlow id="f1" sourceRef="G" targetRef="T"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${x !! 3}</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f2" sourceRef="G" targetRef="E2" />`);
    const problems = await refusal(xml);
    expectProblem(problems, 'invalid-expression', 'f1');
    expectProblem(problems, 'invalid-expression', 'Wait');
    expectProblem(problems, 'invalid-expression', 'T');
    expect(problems.find((p) => p.elementId === 'T')?.message).toContain('camunda:dueDate');
  });

  it('refuses a condition that is literal text (the engine would take it always)', async () => {
    const xml = processWith(`
      <bpmn:startEvent id="S" /><bpmn:exclusiveGateway id="G" default="f2" /><bpmn:endEvent id="E1" /><bpmn:endEvent id="E2" />${chain('S', 'G')}
      <bpmn:sequenceFlow id="f1" sourceRef="G" targetRef="E1"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">x &gt; 3</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f2" sourceRef="G" targetRef="E2" />`);
    expectProblem(await refusal(xml), 'condition-not-expression', 'f1');
  });

  it.each([
    ['timer-cron', 'timeCycle', '61 0 1 * *'],
    ['timer-invalid', 'timeDuration', 'PT5X'],
    ['timer-invalid', 'timeDate', 'next tuesday'],
    ['timer-invalid', 'timeDuration', ' PT5M '],
  ])('refuses %s for %s "%s"', async (rule, field, value) => {
    expectProblem(await refusal(around(`<bpmn:intermediateCatchEvent id="X">${timer(field, value)}</bpmn:intermediateCatchEvent>`)), rule, 'X');
  });

  it('accepts ISO 8601 durations, dates and repeating intervals', async () => {
    const xml = processWith(`
      <bpmn:startEvent id="S" />
      <bpmn:intermediateCatchEvent id="A">${timer('timeDuration', 'P1DT2H')}</bpmn:intermediateCatchEvent>
      <bpmn:intermediateCatchEvent id="B">${timer('timeDate', '2030-01-01T09:00:00Z')}</bpmn:intermediateCatchEvent>
      <bpmn:userTask id="T" camunda:assignee="a" />
      <bpmn:boundaryEvent id="C" attachedToRef="T" cancelActivity="false">${timer('timeCycle', 'R3/PT1H')}</bpmn:boundaryEvent>
      <bpmn:endEvent id="E" /><bpmn:endEvent id="E2" />
      ${chain('S', 'A', 'B', 'T', 'E')}${chain('C', 'E2')}`);
    expect((await compileDefinition(xml, options)).processId).toBe('Process_1');
  });
});

describe('compileDefinition: tasks', () => {
  it('deploys a user task nobody is assigned to, warning that an administrator must assign it', async () => {
    const compiled = await compileDefinition(around('<bpmn:userTask id="X" camunda:formKey="f" />'), options);
    expect(compiled.warnings).toContainEqual(expect.objectContaining({ rule: 'user-task-unassigned', elementId: 'X', message: expect.stringContaining('POST /api/tasks/:id/assign') }));
  });

  it('refuses a service task naming an unregistered handler, naming both', async () => {
    const problems = await refusal(around('<bpmn:serviceTask id="X" camunda:delegateExpression="${sendSms}" />'));
    expectProblem(problems, 'unknown-handler', 'X');
    expect(problems.find((p) => p.rule === 'unknown-handler')?.message).toMatch(/"sendSms".*registered: calculatePriority/);
  });

  it.each([
    ['camunda:class', 'camunda:class="com.acme.Priority"'],
    ['camunda:expression', 'camunda:expression="${priority.calculate()}"'],
    ['another camunda:type', 'camunda:type="connector"'],
    ['implementation attribute', 'implementation="##unspecifiedButCustom"'],
    ['no implementation', ''],
    ['a delegate expression that is not ${name}', 'camunda:delegateExpression="${handlers.calculatePriority}"'],
  ])('refuses a service task with %s, explaining delegateExpression', async (_case, attributes) => {
    const problems = await refusal(around(`<bpmn:serviceTask id="X" ${attributes} />`));
    expectProblem(problems, 'service-implementation', 'X');
    expect(problems.find((p) => p.rule === 'service-implementation')?.message).toContain('camunda:delegateExpression="${handlerName}"');
  });

  it('applies the handler rule to send and business rule tasks too', async () => {
    expectProblem(await refusal(around('<bpmn:sendTask id="X" />')), 'service-implementation', 'X');
    expect((await compileDefinition(around('<bpmn:businessRuleTask id="X" camunda:delegateExpression="${ calculatePriority }" />'), options)).processId).toBe('Process_1');
  });

  it.each([
    ['user-task-date', 'camunda:dueDate="tomorrow"'],
    ['user-task-priority', 'camunda:priority="high"'],
  ])('refuses %s for a literal the runtime would silently drop', async (rule, attribute) => {
    expectProblem(await refusal(around(`<bpmn:userTask id="X" camunda:assignee="a" ${attribute} />`)), rule, 'X');
  });

  it('refuses an unbounded multi-instance activity', async () => {
    const xml = around('<bpmn:userTask id="X" camunda:assignee="a"><bpmn:multiInstanceLoopCharacteristics /></bpmn:userTask>');
    expectProblem(await refusal(xml), 'multi-instance-unbounded', 'X');
  });
});

describe('compileDefinition: lint', () => {
  it('refuses a disconnected task through bpmnlint', async () => {
    const problems = await refusal(around('<bpmn:userTask id="X" camunda:assignee="a" />', '<bpmn:task id="Lonely" />'));
    expectProblem(problems, 'bpmnlint/no-disconnected', 'Lonely');
  });

  it('warns about a fake join on a task (an uncontrolled merge, valid BPMN) but not about several flows into an end event', async () => {
    // Given alternative paths A and B that meet in a task (T) or directly in an end event (E)
    const paths = (meet: string): string => `
      <bpmn:startEvent id="S" /><bpmn:exclusiveGateway id="G" default="toB" />
      <bpmn:userTask id="A" camunda:assignee="a" /><bpmn:userTask id="B" camunda:assignee="b" />
      ${meet === 'T' ? '<bpmn:task id="T" />' : ''}<bpmn:endEvent id="E" />
      ${chain('S', 'G')}${chain('A', meet)}${chain('B', meet)}${meet === 'T' ? chain('T', 'E') : ''}
      <bpmn:sequenceFlow id="toA" sourceRef="G" targetRef="A"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${a}</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="toB" sourceRef="G" targetRef="B" />`;

    // Then meeting in a task deploys with a fake-join warning, meeting in an end event without one
    const task = await compileDefinition(processWith(paths('T')), options);
    expect(task.warnings).toContainEqual(expect.objectContaining({ rule: 'bpmnlint/fake-join', elementId: 'T' }));
    const end = await compileDefinition(processWith(paths('E')), options);
    expect(end.warnings.filter((w) => w.rule === 'bpmnlint/fake-join')).toEqual([]);
  });

  it('reports style findings as warnings only', async () => {
    const compiled = await compileDefinition(around('<bpmn:userTask id="X" camunda:assignee="a" />'), options);
    expect(compiled.warnings).toContainEqual(expect.objectContaining({ rule: 'bpmnlint/label-required', elementId: 'X' }));
  });
});

describe('compileDefinition: models bpmn-engine throws TypeErrors on (found in the corpus)', () => {
  const task = '<bpmn:userTask id="X" camunda:assignee="a" />';
  it.each([
    [
      'message-flow-endpoint',
      'Flow_M',
      around(task).replace(
        '<bpmn:process',
        '<bpmn:collaboration id="C"><bpmn:participant id="Pool" processRef="Process_1" /><bpmn:participant id="Customer" /><bpmn:messageFlow id="Flow_M" sourceRef="X" targetRef="Customer" /></bpmn:collaboration><bpmn:process',
      ),
    ],
    [
      'message-flow-endpoint',
      'Flow_M',
      around(task).replace(
        '<bpmn:process',
        '<bpmn:collaboration id="C"><bpmn:participant id="Pool" processRef="Process_1" /><bpmn:participant id="Customer" processRef="Empty" /><bpmn:messageFlow id="Flow_M" sourceRef="Customer" targetRef="X" /></bpmn:collaboration><bpmn:process id="Empty" /><bpmn:process',
      ),
    ],
    ['empty-lane-set', 'Process_1', around(task, '<bpmn:laneSet id="LaneSet_1" />')],
    ['boundary-unattached', 'Lost', around(task, `<bpmn:boundaryEvent id="Lost">${timer('timeDuration', 'PT1H')}</bpmn:boundaryEvent><bpmn:endEvent id="E2" />${chain('Lost', 'E2')}`)],
    ['missing-id', 'Process_1', around(task, '<bpmn:userTask camunda:assignee="a" />')],
    [
      'boundary-without-trigger',
      'B',
      around(task, `<bpmn:boundaryEvent id="B" attachedToRef="X" /><bpmn:endEvent id="E2" />${chain('B', 'E2')}`),
    ],
  ])('refuses %s, naming %s', async (rule, elementId, xml) => {
    expectProblem(await refusal(xml), rule, elementId);
  });
});

describe('compileDefinition: collecting problems', () => {
  it('reports every problem of a document in one refusal', async () => {
    const xml = processWith(`
      <bpmn:startEvent id="S" /><bpmn:userTask id="U" /><bpmn:serviceTask id="Svc" camunda:delegateExpression="\${nope}" />
      <bpmn:scriptTask id="Scr" /><bpmn:endEvent id="E" />${chain('S', 'U', 'Svc', 'Scr', 'E')}`);
    const problems = await refusal(xml);
    expect(problems.map((p) => `${p.rule}@${p.elementId}`)).toEqual(
      expect.arrayContaining(['unknown-handler@Svc', 'no-script-task@Scr']),
    );
  });
});

describe('proveEngineLoads', () => {
  it('turns an engine failure into an engine-load problem instead of throwing', async () => {
    // Given stored JSON naming an element type bpmn-elements has no behaviour for
    const serialized = JSON.stringify({
      id: 'D',
      type: 'bpmn:Definitions',
      definition: { id: 'D', type: 'bpmn:Definitions' },
      activities: [{ id: 'Weird', type: 'bpmn:ChoreographyTask', parent: { id: 'P', type: 'bpmn:Process' }, behaviour: {} }],
      processes: [{ id: 'P', type: 'bpmn:Process', parent: { id: 'D', type: 'bpmn:Definitions' }, behaviour: { isExecutable: true } }],
      sequenceFlows: [],
      messageFlows: [],
      associations: [],
      dataObjects: [],
      dataStores: [],
      participants: [],
    });
    const sink = new ProblemSink();

    // When the load is proven, Then the failure is a refusal
    await proveEngineLoads(serialized, sink);
    expect(sink.refusals).toEqual([expect.objectContaining({ rule: 'engine-load', message: expect.stringContaining('Unknown activity type bpmn:ChoreographyTask') })]);
  });
});

describe('compileDefinition: segregation of duties', () => {
  const xml = (attrs: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:itsm="http://itsm-orchestrator.dev/schema/bpmn" id="D">
  <bpmn:process id="change" isExecutable="true">
    <bpmn:startEvent id="S"/><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="submit"/>
    <bpmn:userTask id="submit" camunda:candidateGroups="staff"/><bpmn:sequenceFlow id="f2" sourceRef="submit" targetRef="approve"/>
    <bpmn:userTask id="approve" camunda:candidateGroups="cab" ${attrs}/><bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="E"/>
    <bpmn:endEvent id="E"/>
  </bpmn:process>
</bpmn:definitions>`;
  const options = { knownHandlers: new Set<string>(), checkExpression: () => null };

  it('accepts itsm:excludePerformersOf and itsm:excludeUsersIn without warnings about them', async () => {
    const compiled = await compileDefinition(xml('itsm:excludePerformersOf="submit" itsm:excludeUsersIn="initiator, requester"'), options);
    expect(compiled.warnings.filter((w) => /itsm|unknown/.test(w.message))).toEqual([]);
  });

  it('refuses a rule that names something other than an earlier user task', async () => {
    await expect(compileDefinition(xml('itsm:excludePerformersOf="S"'), options)).rejects.toMatchObject({
      details: { problems: [expect.objectContaining({ rule: 'segregation-of-duties', elementId: 'approve' })] },
    });
  });
});

describe('compileDefinition: valid BPMN the engine runs (issue 7 item 10)', () => {
  it('deploys an unconditional flow beside conditional ones, with a warning', async () => {
    const xml = processWith(`
      <bpmn:startEvent id="S" /><bpmn:userTask id="T" camunda:assignee="a" /><bpmn:endEvent id="E1" /><bpmn:endEvent id="E2" />${chain('S', 'T')}
      <bpmn:sequenceFlow id="always" sourceRef="T" targetRef="E1" />
      <bpmn:sequenceFlow id="sometimes" sourceRef="T" targetRef="E2"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${urgent}</bpmn:conditionExpression></bpmn:sequenceFlow>`);
    const compiled = await compileDefinition(xml, options);
    expect(compiled.warnings).toContainEqual(expect.objectContaining({ rule: 'bpmnlint/conditional-flows', elementId: 'always' }));
  });

  it('deploys sequence flows without ids, giving each a stable id from its ends', async () => {
    const xml = processWith(`
      <bpmn:startEvent id="S" /><bpmn:userTask id="T" camunda:assignee="a" /><bpmn:endEvent id="E" />
      <bpmn:sequenceFlow sourceRef="S" targetRef="T" /><bpmn:sequenceFlow sourceRef="T" targetRef="E" />`);
    const compiled = await compileDefinition(xml, options);
    const again = await compileDefinition(xml, options);
    expect(compiled.serialized).toBe(again.serialized);
    const flows = (JSON.parse(compiled.serialized) as { sequenceFlows: { id: string; parent: unknown }[] }).sequenceFlows.map((f) => f.id);
    expect(flows.sort()).toEqual(['SequenceFlow_S_T', 'SequenceFlow_T_E']);
    // and the engine runs them: the process reaches the user task
    const engine = new Engine({ name: 'ids', sourceContext: loadSourceContext(compiled.serialized) as never, moddleOptions: moddleExtensions as never });
    const listener = new EventEmitter();
    const waiting = new Promise<string>((resolve) => listener.once('wait', (api: { id: string }) => resolve(api.id)));
    await engine.execute({ listener });
    expect(await waiting).toBe('T');
    await engine.stop();
  });

  it('deploys a compensation boundary event with its compensation handler', async () => {
    const xml = processWith(`
      <bpmn:startEvent id="S" /><bpmn:userTask id="T" camunda:assignee="a" /><bpmn:intermediateThrowEvent id="Undo"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent><bpmn:endEvent id="E" />${chain('S', 'T', 'Undo', 'E')}
      <bpmn:boundaryEvent id="C" attachedToRef="T"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
      <bpmn:userTask id="Handler" isForCompensation="true" camunda:assignee="a" />
      <bpmn:association id="A" associationDirection="One" sourceRef="C" targetRef="Handler" />`);
    expect((await compileDefinition(xml, options)).processId).toBe('Process_1');
  });
});

describe('compileDefinition: valid BPMN other tools write (issue 7, item 10)', () => {
  /** A document whose targetNamespace "urn:test" is bound to the prefix `tns` (as Activiti/Flowable write it). */
  const withTns = (content: string, extraNamespaces = ''): string =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions ${NAMESPACES} xmlns:tns="urn:test" ${extraNamespaces} id="D" targetNamespace="urn:test">\n${content}\n</bpmn:definitions>`;
  const serializedOf = (compiled: { serialized: string }) => JSON.parse(compiled.serialized) as Record<string, unknown>;

  it('resolves prefixed QName references to elements of the document itself', async () => {
    // Given messageRef, sourceRef/targetRef, attachedToRef, default and errorRef written as tns:id
    const xml = withTns(`<bpmn:message id="Msg" name="report" /><bpmn:error id="Err" errorCode="E1" />
      <bpmn:collaboration id="C"><bpmn:participant id="Pool" processRef="tns:Process_1" /></bpmn:collaboration>
      <bpmn:process id="Process_1" isExecutable="true">
        <bpmn:startEvent id="S"><bpmn:messageEventDefinition messageRef="tns:Msg" /></bpmn:startEvent>
        <bpmn:userTask id="U" camunda:assignee="a" />
        <bpmn:boundaryEvent id="B" attachedToRef="tns:U"><bpmn:errorEventDefinition errorRef="tns:Err" /></bpmn:boundaryEvent>
        <bpmn:exclusiveGateway id="G" default="tns:f3" />
        <bpmn:endEvent id="E" /><bpmn:endEvent id="E2" /><bpmn:endEvent id="E3" />
        <bpmn:sequenceFlow id="f1" sourceRef="tns:S" targetRef="tns:U" /><bpmn:sequenceFlow id="f2" sourceRef="U" targetRef="G" />
        <bpmn:sequenceFlow id="f3" sourceRef="G" targetRef="E" />
        <bpmn:sequenceFlow id="f4" sourceRef="G" targetRef="E3"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${x}</bpmn:conditionExpression></bpmn:sequenceFlow>
        <bpmn:sequenceFlow id="f5" sourceRef="B" targetRef="E2" />
      </bpmn:process>`);
    // When compiled, Then it deploys and the engine's model holds the resolved references
    const compiled = await compileDefinition(xml, options);
    expect(compiled.warnings.filter((w) => w.rule === 'unresolved-reference')).toEqual([]);
    const serialized = serializedOf(compiled) as { sequenceFlows: { id: string; sourceId: string; targetId: string; isDefault?: boolean }[]; activities: { id: string; behaviour: Record<string, unknown> }[] };
    expect(serialized.sequenceFlows.find((f) => f.id === 'f1')).toMatchObject({ sourceId: 'S', targetId: 'U' });
    expect(serialized.sequenceFlows.find((f) => f.id === 'f3')).toMatchObject({ isDefault: true });
    const behaviour = (id: string) => JSON.stringify(serialized.activities.find((a) => a.id === id)?.behaviour);
    expect(behaviour('S')).toContain('"messageRef":{"id":"Msg"');
    expect(behaviour('B')).toContain('"attachedTo":{"id":"U"');
    expect(behaviour('B')).toContain('"errorRef":{"id":"Err"');
    expect(compiled.serialized).toContain('"id":"Pool","type":"bpmn:Participant","processId":"Process_1"');
  });

  it('strips the own-namespace prefix from calledElement', async () => {
    const xml = withTns(`<bpmn:process id="Process_1" isExecutable="true">
        <bpmn:startEvent id="S" /><bpmn:callActivity id="X" calledElement="tns:child" /><bpmn:endEvent id="E" />${chain('S', 'X', 'E')}
      </bpmn:process>`);
    const compiled = await compileDefinition(xml, options);
    expect(compiled.serialized).toContain('"calledElement":"child"');
  });

  it('refuses a QName whose prefix is bound to another namespace, saying so', async () => {
    const xml = withTns(
      `<bpmn:message id="Msg" name="report" /><bpmn:process id="Process_1" isExecutable="true">
        <bpmn:startEvent id="S" /><bpmn:intermediateCatchEvent id="X"><bpmn:messageEventDefinition messageRef="other:Msg" /></bpmn:intermediateCatchEvent><bpmn:endEvent id="E" />${chain('S', 'X', 'E')}
      </bpmn:process>`,
      'xmlns:other="urn:other"',
    );
    const problems = await refusal(xml);
    expect(problems).toContainEqual(expect.objectContaining({ rule: 'missing-message', elementId: 'X', message: expect.stringContaining('bound to "urn:other", not to this document\'s targetNamespace "urn:test"') }));
  });
  it('deploys resources, item definitions, interfaces and resource roles without an assignment expression, ignoring them with warnings', async () => {
    // Given what Signavio writes (MIWG C.1.0): top-level resources, a potentialOwner naming one by resourceRef only
    const xml = definitions(`<bpmn:resource id="Res_Approver" name="Approver" /><bpmn:itemDefinition id="Item_1" structureRef="string" />
      <bpmn:interface id="If_1" name="HR System"><bpmn:operation id="Op_1" name="lookup" /></bpmn:interface>
      <bpmn:process id="Process_1" isExecutable="true">
        <bpmn:startEvent id="Start" />
        <bpmn:userTask id="X" camunda:assignee="a"><bpmn:potentialOwner id="Owner"><bpmn:resourceRef>Res_Approver</bpmn:resourceRef></bpmn:potentialOwner></bpmn:userTask>
        <bpmn:endEvent id="End" />${chain('Start', 'X', 'End')}
      </bpmn:process>`);
    // When compiled, Then it deploys; each ignored element is a warning; the engine's model has none of them
    const compiled = await compileDefinition(xml, options);
    expect(compiled.warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'ignored-element', elementId: 'Res_Approver' }),
        expect.objectContaining({ rule: 'ignored-element', elementId: 'Item_1' }),
        expect.objectContaining({ rule: 'ignored-element', elementId: 'If_1' }),
        expect.objectContaining({ rule: 'resource-role', elementId: 'X', message: expect.stringContaining('"Approver" was ignored') }),
      ]),
    );
    expect(compiled.serialized).not.toContain('Res_Approver');
    expect(compiled.serialized).not.toContain('Owner');
  });
  it('runs message and signal throw events that name no message or signal as none events, with a warning', async () => {
    const xml = processWith(`<bpmn:startEvent id="S" />
      <bpmn:intermediateThrowEvent id="T"><bpmn:signalEventDefinition id="SigDef" /></bpmn:intermediateThrowEvent>
      <bpmn:endEvent id="E"><bpmn:messageEventDefinition id="MsgDef" /></bpmn:endEvent>${chain('S', 'T', 'E')}`);
    const compiled = await compileDefinition(xml, options);
    expect(compiled.warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'nameless-signal-throw', elementId: 'T' }),
        expect.objectContaining({ rule: 'nameless-message-throw', elementId: 'E', message: expect.stringContaining('runs as a none event') }),
      ]),
    );
    // The engine's model has plain events: no (empty) event definitions left
    expect(compiled.serialized).not.toContain('EventDefinition');
    expect(compiled.serialized).not.toContain('eventDefinitions');
  });

  it.each([
    ['a message catch event', '<bpmn:intermediateCatchEvent id="X"><bpmn:messageEventDefinition /></bpmn:intermediateCatchEvent>'],
    ['a receive task', '<bpmn:receiveTask id="X" />'],
  ])('refuses %s that names no message: nothing could deliver to it', async (_case, element) => {
    const problems = await refusal(around(element));
    expect(problems).toContainEqual(expect.objectContaining({ rule: 'missing-message', elementId: 'X', message: expect.stringContaining('nothing could deliver to it') }));
  });
  it('names the Camunda 8 extensions it does not read when refusing a Camunda 8 diagram', async () => {
    const xml = around(
      '<bpmn:sendTask id="X"><bpmn:extensionElements><zeebe:taskDefinition type="notify" /></bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics /></bpmn:sendTask>',
    ).replace('<bpmn:definitions ', '<bpmn:definitions xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" ');
    const problems = await refusal(xml);
    // The job worker's task definition makes it an external task (engine/external-tasks): no refusal for it.
    expect(problems.filter((p) => p.rule === 'service-implementation')).toEqual([]);
    expect(problems).toContainEqual(expect.objectContaining({ rule: 'multi-instance-unbounded', elementId: 'X', message: expect.stringContaining('<zeebe:loopCharacteristics inputCollection> is not read') }));
  });
});
