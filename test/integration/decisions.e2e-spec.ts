import { bpmn } from '../support/bpmn';
import { dmnTable, processDmn } from '../support/dmn';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const PRIORITY = processDmn('incident/decisions/incident-priority.dmn');

/** Prioritise with the incident-priority table, then route on the priority: P1 to the major-incident desk. */
const triage = (decisionAttrs = 'camunda:decisionRef="incident-priority" camunda:resultVariable="priority" camunda:mapDecisionResult="singleEntry"', key = 'decision-triage') =>
  bpmn(
    key,
    `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prioritise"/>
     <bpmn:businessRuleTask id="prioritise" name="Compute priority" ${decisionAttrs}/>
     <bpmn:sequenceFlow id="f2" sourceRef="prioritise" targetRef="major"/>
     <bpmn:exclusiveGateway id="major" default="toNormal"/>
     <bpmn:sequenceFlow id="toMajor" sourceRef="major" targetRef="majorIncident"><bpmn:conditionExpression>\${priority == "P1"}</bpmn:conditionExpression></bpmn:sequenceFlow>
     <bpmn:sequenceFlow id="toNormal" sourceRef="major" targetRef="resolve"/>
     <bpmn:userTask id="majorIncident" name="Major incident" camunda:candidateGroups="servicedesk"/>
     <bpmn:userTask id="resolve" name="Resolve" camunda:candidateGroups="servicedesk"/>
     <bpmn:sequenceFlow id="f3" sourceRef="majorIncident" targetRef="end"/>
     <bpmn:sequenceFlow id="f4" sourceRef="resolve" targetRef="end"/><bpmn:endEvent id="end"/>`,
  );

/** Deploy warnings about decisions (the fixtures have no diagram, which bpmnlint also warns about). */
const decisionWarnings = (warnings: { rule: string }[]) => warnings.filter((w) => w.rule.startsWith('decision'));

describe('decision tables (DMN): deploy, versions, evaluate, business rule tasks', () => {
  let db: TestDatabase;
  let t: ApiTestApp;

  const deployDmn = (xml: string, as = 'admin') => t.as(as).post('/api/decisions').set('Content-Type', 'application/xml').send(xml);
  const deployBpmn = (xml: string) => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml);
  const start = (key: string, variables: Record<string, unknown>) => t.as('alice').post('/api/instances').send({ definitionKey: key, variables });

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('deploys a DMN file as version 1; the same file again is the same version; a change is version 2', async () => {
    // when: the priority matrix is deployed (multipart, like the modeller), then again as an XML body
    const first = await t.as('admin').post('/api/decisions').attach('file', Buffer.from(PRIORITY), 'incident-priority.dmn').expect(201);
    const again = await deployDmn(PRIORITY).expect(200);

    // then
    expect(first.headers.location).toBe('/api/decisions/incident-priority');
    expect(first.body.decisions).toEqual([expect.objectContaining({ key: 'incident-priority', version: 1, hitPolicy: 'UNIQUE', created: true, deployedBy: 'admin' })]);
    expect(again.body.decisions[0]).toMatchObject({ id: first.body.decisions[0].id, version: 1, created: false });

    // when: a process owner changes the table (the example key, to keep incident-priority as shipped)
    const v1 = dmnTable('decision-versions', { inputs: ['x'], outputs: ['y'], rules: [[['-'], ['"one"']]] });
    await deployDmn(v1, 'owner').expect(201);
    const v2 = await deployDmn(v1.replace('"one"', '"two"'), 'owner').expect(201);
    expect(v2.body.decisions[0]).toMatchObject({ key: 'decision-versions', version: 2, deployedBy: 'owner' });

    // then: reads show the latest with every version; evaluate picks the latest or the asked version
    const got = await t.as('alice').get('/api/decisions/decision-versions').expect(200);
    expect(got.body).toMatchObject({ version: 2, versions: [{ version: 2 }, { version: 1 }] });
    expect((await t.as('alice').get('/api/decisions?key=decision-versions').expect(200)).body).toEqual([expect.objectContaining({ version: 2 })]);
    expect((await t.as('alice').get('/api/decisions').expect(200)).body.map((d: { key: string }) => d.key)).toEqual(['decision-versions', 'incident-priority']);
    const xml = await t.as('alice').get('/api/decisions/decision-versions/xml?version=1').expect(200);
    expect(xml.headers['content-type']).toContain('application/xml');
    expect(xml.text).toContain('"one"');
    expect((await t.as('alice').post('/api/decisions/decision-versions/evaluate').send({}).expect(200)).body.result).toEqual({ y: 'two' });
    expect((await t.as('alice').post('/api/decisions/decision-versions/evaluate').send({ version: 1 }).expect(200)).body.result).toEqual({ y: 'one' });

    // and: staff and auditors may not deploy
    await deployDmn(v1, 'alice').expect(403);
    await deployDmn(v1, 'auditor').expect(403);
  });

  it('evaluates the priority matrix: result and matched rules; bad variables and unknown keys are problems', async () => {
    const res = await t.as('bob').post('/api/decisions/incident-priority/evaluate').send({ variables: { impact: 'high', urgency: 'medium' } }).expect(200);
    expect(res.body).toMatchObject({ decision: { key: 'incident-priority', version: 1 }, result: { priority: 'P2' }, matchedRules: ['rule_high_medium'] });

    const none = await t.as('bob').post('/api/decisions/incident-priority/evaluate').send({ variables: { impact: 'unknown' } }).expect(200);
    expect(none.body).toMatchObject({ result: null, matchedRules: [] });

    for (const body of [{ variables: [1, 2] }, { variables: 'high' }, { variables: {}, version: 0 }, { variables: {}, extra: true }]) {
      const bad = await t.as('bob').post('/api/decisions/incident-priority/evaluate').send(body).expect(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
    }
    const missing = await t.as('bob').post('/api/decisions/no-such-decision/evaluate').send({ variables: {} }).expect(404);
    expect(missing.body.detail).toContain('no-such-decision');
    await t.as('bob').post('/api/decisions/incident-priority/evaluate').send({ version: 9 }).expect(404);
    await t.as('bob').get('/api/decisions/no-such-decision').expect(404);
    await t.as('bob').get('/api/decisions/no-such-decision/xml').expect(404);
  });

  it('a UNIQUE table with two matching rules answers 422 naming both rules', async () => {
    await deployDmn(dmnTable('decision-overlap', { inputs: ['n'], outputs: ['band'], rules: [[['> 1'], ['"a"']], [['> 2'], ['"b"']]] })).expect(201);
    const res = await t.as('bob').post('/api/decisions/decision-overlap/evaluate').send({ variables: { n: 5 } }).expect(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.detail).toMatch(/UNIQUE.*decision-overlap_r1, decision-overlap_r2/);
  });

  it('refuses malformed DMN and unsupported tables with a problem naming the decision, and stores nothing', async () => {
    const cases: [string, RegExp][] = [
      ['<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="x"', /not a DMN 1.3 document/],
      ['<?xml version="1.0"?><not-dmn/>', /not a DMN 1.3 document/],
      [dmnTable('decision-bad-hit', { hitPolicy: 'PRIORITY', inputs: ['x'], outputs: ['y'], rules: [] }), /decision "decision-bad-hit" uses hit policy PRIORITY/],
      [dmnTable('decision-bad-feel', { inputs: ['x'], outputs: ['y'], rules: [[['[1..'], ['"a"']]] }), /decision "decision-bad-feel".*not a valid FEEL unary test/],
    ];
    for (const [xml, message] of cases) {
      const res = await deployDmn(xml).expect(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.detail).toMatch(message);
    }
    await t.as('admin').post('/api/decisions').set('Content-Type', 'application/xml').send('').expect(400);
    await t.as('admin').post('/api/decisions').set('Content-Type', 'application/json').send({ xml: PRIORITY }).expect(415);
    expect((await t.as('admin').get('/api/decisions?key=decision-bad-hit').expect(200)).body).toEqual([]);
  });

  it('a business rule task sets the priority and the gateway routes on it', async () => {
    // given: the triage process (the decision is deployed, so no warning)
    const deployed = await deployBpmn(triage()).expect(201);
    expect(decisionWarnings(deployed.body.warnings)).toEqual([]);

    // when: a high impact, high urgency incident starts
    const p1 = await start('decision-triage', { impact: 'high', urgency: 'high' }).expect(201);
    const p3 = await start('decision-triage', { impact: 'low', urgency: 'high' }).expect(201);

    // then: P1 goes to the major-incident desk, P3 to normal resolution; the priority is a variable
    expect(p1.body.instance.variables.priority).toBe('P1');
    expect(p1.body.tasks.map((x: { elementId: string }) => x.elementId)).toEqual(['majorIncident']);
    expect(p3.body.instance.variables.priority).toBe('P3');
    expect(p3.body.tasks.map((x: { elementId: string }) => x.elementId)).toEqual(['resolve']);
    const history = (await t.as('auditor').get(`/api/instances/${p1.body.instance.id}/history`).expect(200)).body;
    const events = (history.items ?? history) as { type: string; elementId: string | null; payload: unknown }[];
    // and: the history says which decision version decided, and how
    const decided = events.filter((e) => e.type === 'decision.evaluated');
    expect(decided).toEqual([
      expect.objectContaining({
        elementId: 'prioritise',
        payload: expect.objectContaining({ decisionKey: 'incident-priority', decisionVersion: 1, matchedRules: ['rule_high_high'], resultVariable: 'priority', result: 'P1' }),
      }),
    ]);
    expect((await t.as('auditor').get(`/api/instances/${p1.body.instance.id}/history/verify`).expect(200)).body).toMatchObject({ valid: true });
  });

  it('mapDecisionResult: singleResult by default, resultList, a pinned version', async () => {
    await deployBpmn(triage('camunda:decisionRef="incident-priority" camunda:resultVariable="out"', 'decision-default-map')).expect(201);
    const single = await start('decision-default-map', { impact: 'medium', urgency: 'medium' }).expect(201);
    expect(single.body.instance.variables.out).toEqual({ priority: 'P3' });

    await deployBpmn(triage('camunda:decisionRef="incident-priority" camunda:resultVariable="out" camunda:mapDecisionResult="resultList"', 'decision-list-map')).expect(201);
    const list = await start('decision-list-map', { impact: 'low', urgency: 'low' }).expect(201);
    expect(list.body.instance.variables.out).toEqual([{ priority: 'P4' }]);

    await deployBpmn(
      triage('camunda:decisionRef="decision-versions" camunda:decisionRefBinding="version" camunda:decisionRefVersion="1" camunda:resultVariable="out" camunda:mapDecisionResult="singleEntry"', 'decision-pinned'),
    ).expect(201);
    expect((await start('decision-pinned', {}).expect(201)).body.instance.variables.out).toBe('one');
  });

  it('a decision that is not deployed: a warning at deploy, 422 naming it when the task runs; deploying it fixes the process', async () => {
    // given
    const deployed = await deployBpmn(triage('camunda:decisionRef="decision-later" camunda:resultVariable="priority" camunda:mapDecisionResult="singleEntry"', 'decision-missing')).expect(201);
    expect(decisionWarnings(deployed.body.warnings)).toEqual([expect.objectContaining({ elementId: 'prioritise', rule: 'decision-unknown-key', message: expect.stringContaining('decision-later') })]);

    // when / then: starting fails as a whole, nothing is stored
    const failed = await start('decision-missing', { impact: 'high' }).expect(422);
    expect(failed.headers['content-type']).toContain('application/problem+json');
    expect(failed.body.detail).toMatch(/prioritise.*no decision with key "decision-later"/);
    const [{ count }] = await t.sql.query(`SELECT count(*)::int AS count FROM process_instance WHERE definition_key = 'decision-missing'`);
    expect(count).toBe(0);

    // when: the decision is deployed later
    await deployDmn(dmnTable('decision-later', { inputs: ['impact'], outputs: ['priority'], rules: [[['"high"'], ['"P1"']], [['-'], ['"P4"']]], hitPolicy: 'FIRST' })).expect(201);
    expect((await start('decision-missing', { impact: 'high' }).expect(201)).body.instance.variables.priority).toBe('P1');
  });

  it('a decision failing at run time (UNIQUE violation) fails the command with 422 and changes nothing', async () => {
    await deployBpmn(triage('camunda:decisionRef="decision-overlap" camunda:resultVariable="priority"', 'decision-failing')).expect(201);
    const res = await start('decision-failing', { n: 5 }).expect(422);
    expect(res.body.detail).toMatch(/UNIQUE/);
    const [{ count }] = await t.sql.query(`SELECT count(*)::int AS count FROM process_instance WHERE definition_key = 'decision-failing'`);
    expect(count).toBe(0);
  });

  it('a business rule task after a user task runs in the completing command (a kept engine) and inside a sub-process', async () => {
    // given: classify (a user task), then prioritise inside a sub-process, then a task named after the priority
    await deployBpmn(
      bpmn(
        'decision-after-task',
        `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="classify"/>
         <bpmn:userTask id="classify" name="Classify" camunda:candidateGroups="servicedesk"/>
         <bpmn:sequenceFlow id="f2" sourceRef="classify" targetRef="sub"/>
         <bpmn:subProcess id="sub"><bpmn:startEvent id="s0"/><bpmn:sequenceFlow id="s1" sourceRef="s0" targetRef="prioritise"/>
           <bpmn:businessRuleTask id="prioritise" camunda:decisionRef="incident-priority" camunda:resultVariable="priority" camunda:mapDecisionResult="singleEntry"/>
           <bpmn:sequenceFlow id="s2" sourceRef="prioritise" targetRef="s3"/><bpmn:endEvent id="s3"/></bpmn:subProcess>
         <bpmn:sequenceFlow id="f3" sourceRef="sub" targetRef="work"/>
         <bpmn:userTask id="work" name="Work on \${priority}" camunda:candidateGroups="servicedesk"/>
         <bpmn:sequenceFlow id="f4" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>`,
      ),
    ).expect(201);
    const started = await start('decision-after-task', {}).expect(201);

    // when: the classification is submitted
    const done = await t.as('alice').post(`/api/tasks/${started.body.tasks[0].id}/complete`).send({ variables: { impact: 'medium', urgency: 'high' } }).expect(200);

    // then
    expect(done.body.instance.variables.priority).toBe('P2');
    expect(done.body.tasks).toEqual([expect.objectContaining({ elementId: 'work', name: 'Work on P2' })]);
  });

  it('refuses business rule tasks it cannot run correctly', async () => {
    const cases: [string, RegExp][] = [
      ['camunda:decisionRef="${key}"', /must be the literal id of a decision/],
      ['camunda:decisionRef="incident-priority" camunda:decisionRefBinding="deployment"', /decisionRefBinding "deployment" is not supported/],
      ['camunda:decisionRef="incident-priority" camunda:decisionRefBinding="version"', /needs camunda:decisionRefVersion/],
      ['camunda:decisionRef="incident-priority" camunda:mapDecisionResult="everything"', /mapDecisionResult "everything"/],
      ['camunda:decisionRef="incident-priority" camunda:delegateExpression="${calculatePriority}"', /both camunda:decisionRef and camunda:delegateExpression/],
    ];
    for (const [attrs, message] of cases) {
      const res = await deployBpmn(triage(attrs, 'decision-refused')).expect(422);
      expect(res.body.detail).toMatch(message);
    }
  });
});
