import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn, linearTasks } from '../support/bpmn';

/** What the modeller's live lint and properties panel ask the server: a deploy dry run, the handler registry, the groups. */
describe('modeller API', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const definitions = async () => (await t.sql.query(`SELECT count(*)::int AS n FROM process_definition`))[0].n as number;

  /** A script task (refused) beside an unknown handler (refused) and an unnamed task (a lint warning). */
  const refused = bpmn(
    'lint-me',
    `<bpmn:startEvent id="start"/>
     <bpmn:scriptTask id="Script" name="Script" scriptFormat="javascript"><bpmn:script>1</bpmn:script></bpmn:scriptTask>
     <bpmn:serviceTask id="Call" name="Call" camunda:delegateExpression="\${noSuchHandler}"/>
     <bpmn:userTask id="Unnamed" camunda:candidateGroups="servicedesk"/>
     <bpmn:endEvent id="end"/>
     <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Script"/>
     <bpmn:sequenceFlow id="f2" sourceRef="Script" targetRef="Call"/>
     <bpmn:sequenceFlow id="f3" sourceRef="Call" targetRef="Unnamed"/>
     <bpmn:sequenceFlow id="f4" sourceRef="Unnamed" targetRef="end"/>`,
  );

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  describe('POST /api/definitions/validate', () => {
    it('answers the refusals a deploy would give, with the same rules and messages, and stores nothing', async () => {
      const before = await definitions();
      const res = await t.as('owner').post('/api/definitions/validate').set('Content-Type', 'application/xml').send(refused).expect(200);
      expect(res.body.valid).toBe(false);
      const rules = res.body.problems.map((p: { rule: string; elementId?: string }) => `${p.rule}@${p.elementId}`);
      expect(rules).toEqual(expect.arrayContaining(['no-script-task@Script', 'unknown-handler@Call']));
      // Warnings found before the refusal are kept, so the canvas shows them too.
      expect(res.body.warnings.map((w: { elementId?: string }) => w.elementId)).toContain('Unnamed');

      const deploy = await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(refused).expect(422);
      expect(deploy.body.problems).toEqual(res.body.problems);
      expect(await definitions()).toBe(before);
    });

    it('answers valid with the warnings a deploy would store, and deploys nothing', async () => {
      const xml = linearTasks('lint-ok', ['review']);
      const res = await t.as('alice').post('/api/definitions/validate').set('Content-Type', 'application/xml').send(xml).expect(200);
      expect(res.body).toMatchObject({ valid: true, problems: [] });
      expect(await definitions()).toBe(0);
      const deployed = await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(201);
      expect(deployed.body.warnings).toEqual(res.body.warnings);
    });

    it('reports a malformed document as a problem, not an error', async () => {
      const res = await t.as('owner').post('/api/definitions/validate').set('Content-Type', 'application/xml').send('<bpmn:definitions').expect(200);
      expect(res.body.valid).toBe(false);
      expect(res.body.problems.length).toBeGreaterThan(0);
    });

    it('refuses a body that is not XML, an empty body and a missing token', async () => {
      const json = await t.as('owner').post('/api/definitions/validate').send({ xml: '<x/>' });
      expect(json.status).toBe(415);
      expect(json.headers['content-type']).toContain('application/problem+json');
      await t.as('owner').post('/api/definitions/validate').set('Content-Type', 'application/xml').send('').expect(400);
      await t.http.post('/api/definitions/validate').set('Content-Type', 'application/xml').send(refused).expect(401);
    });
  });

  it('GET /api/services lists the registered handlers with the inputs they read', async () => {
    const res = await t.as('owner').get('/api/services').expect(200);
    const byName = Object.fromEntries(res.body.map((s: { name: string }) => [s.name, s]));
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['calculatePriority', 'linkRecord', 'startSla', 'businessDueDate']));
    expect(byName.linkRecord.inputs).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'to', required: true })]));
    expect(byName.startSla.inputs).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'calendar', kind: 'calendar' }), expect.objectContaining({ name: 'target', required: true })]));
    expect(byName.calculatePriority.inputs).toEqual([]);
    // Exactly the names deploy accepts: a service task naming a listed handler passes validation.
    const task = (name: string) =>
      bpmn(`svc-${name.toLowerCase()}`, `<bpmn:startEvent id="s"/><bpmn:serviceTask id="t" name="t" camunda:delegateExpression="\${${name}}"/><bpmn:endEvent id="e"/>
        <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="t"/><bpmn:sequenceFlow id="b" sourceRef="t" targetRef="e"/>`);
    for (const name of Object.keys(byName)) {
      const v = await t.as('owner').post('/api/definitions/validate').set('Content-Type', 'application/xml').send(task(name)).expect(200);
      expect(v.body.problems.filter((p: { rule: string }) => p.rule === 'unknown-handler')).toEqual([]);
    }
  });

  it('GET /api/groups: process owners may list the groups they assign tasks to; staff may not', async () => {
    const res = await t.as('owner').get('/api/groups').expect(200);
    expect(res.body.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['servicedesk', 'resolvers']));
    await t.as('alice').get('/api/groups').expect(403);
    await t.as('owner').post('/api/groups').send({ name: 'owners-cannot' }).expect(403);
  });
});
