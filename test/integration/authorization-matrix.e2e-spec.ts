import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { SignJWT } from 'jose';
import { ManualClock, Orchestrator, type ServiceHandler } from '../../engine';
import { LOCAL_ISSUER } from '../../api/config/config';
import { bearer, tokenFor, tokensFor, TEST_PASSWORD } from '../support/auth';
import { bpmn, linearTasks, startSlaTask } from '../support/bpmn';
import { dmnTable } from '../support/dmn';
import { createTestApp, startTestApp, type ApiTestApp, type Http } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Every route × every kind of caller, with the exact answer:
 *   admin    administrator
 *   owner    process owner of the key K (definition_owner)
 *   owner2   process owner, but not of K
 *   alice    staff taking part in instance A (she started it; its task is offered to her group)
 *   bob      staff not taking part in A (he has instance B of his own)
 *   auditor  reads everything, changes nothing
 *   anon     no token
 * Objects: A = alice's instance (:ia) and task (:ta), B = bob's (:ib, :tb), both of key K.
 * 2xx = allowed and done; 401 = no token; 403 = the role forbids it (or the object is visible
 * but the caller may not change it); 404 = the caller may not see the object.
 */
const CALLERS = ['admin', 'owner', 'owner2', 'alice', 'bob', 'auditor', 'anon'] as const;
type Caller = (typeof CALLERS)[number];

const K = 'matrix-k';
const SPARE = 'matrix-spare';

/** K: work offered to the group in `team` under a 4 h SLA; or (path "fail") a timer whose service task always fails. */
const processK = bpmn(
  K,
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="route"/>
   <bpmn:exclusiveGateway id="route" default="toSla"/>
   <bpmn:sequenceFlow id="toSla" sourceRef="route" targetRef="startSla"/>
   <bpmn:sequenceFlow id="toFail" sourceRef="route" targetRef="wait"><bpmn:conditionExpression>\${path == "fail"}</bpmn:conditionExpression></bpmn:sequenceFlow>
   ${startSlaTask('startSla', 'resolution', 'PT4H', '24x7')}
   <bpmn:sequenceFlow id="f2" sourceRef="startSla" targetRef="work"/>
   <bpmn:userTask id="work" name="Work" camunda:candidateGroups="\${team}"/>
   <bpmn:boundaryEvent id="breach" attachedToRef="work" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDate>\${sla.resolution.dueAt}</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:boundaryEvent>
   <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="done"/><bpmn:endEvent id="done"/>
   <bpmn:sequenceFlow id="f4" sourceRef="breach" targetRef="breached"/><bpmn:endEvent id="breached"/>
   <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
   <bpmn:sequenceFlow id="f5" sourceRef="wait" targetRef="page"/>
   <bpmn:serviceTask id="page" camunda:delegateExpression="\${matrixFail}"/>
   <bpmn:sequenceFlow id="f6" sourceRef="page" targetRef="end2"/><bpmn:endEvent id="end2"/>`,
  'itsm:recordType="incident"',
);

/** An external task (topic matrix-topic) whose BPMN error MATRIX a boundary event catches. */
const processExternal = bpmn(
  'matrix-external',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ext"/>
   <bpmn:serviceTask id="ext" camunda:type="external" camunda:topic="matrix-topic"/>
   <bpmn:boundaryEvent id="caught" attachedToRef="ext"><bpmn:errorEventDefinition errorRef="matrixError"/></bpmn:boundaryEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="ext" targetRef="end"/><bpmn:endEvent id="end"/>
   <bpmn:sequenceFlow id="f3" sourceRef="caught" targetRef="end2"/><bpmn:endEvent id="end2"/>`,
).replace('<bpmn:process ', '<bpmn:error id="matrixError" errorCode="MATRIX"/><bpmn:process ');

/** A one-rule decision table. */
const matrixDecision = (key: string) => dmnTable(key, { inputs: ['x'], outputs: ['y'], rules: [[['-'], ['"any"']]] });

const alwaysFails: ServiceHandler = {
  name: 'matrixFail',
  description: 'fails every time (makes incidents)',
  run() {
    throw new Error('paging service unavailable');
  },
};

/** The objects a route names: `:ia` in a path is objects.ia. */
interface Objects {
  ia: string;
  ta: string;
  ib: string;
  tb: string;
  incident: string;
  /** the records (numbers) of ia and ib */
  ra: string;
  rb: string;
  kDef: string;
  spareDef: string;
  /** id of a user only administrators touch */
  target: string;
  caller: Caller;
  refreshToken?: string;
  /** an external task id nothing has (the Camunda 7 layer's routes) */
  xt: string;
  /** a draft of K saved by `owner`, and a pending deploy request of it */
  draft?: string;
  dreq?: string;
  /** an external task (topic matrix-topic), locked by worker "matrix" */
  et?: string;
}

interface Case {
  /** "METHOD /path/:placeholder" */
  route: string;
  /** one status per caller, in CALLERS order */
  expected: number[];
  body?: string | Record<string, unknown> | ((o: Objects) => unknown);
  /** Fresh objects for a command that can succeed once (run before each caller). */
  fresh?: (o: Objects) => Promise<Partial<Objects>>;
  contentType?: string;
  /** A multipart upload (part named after the file, as Camunda Modeler sends it). */
  upload?: (o: Objects) => { name: string; content: string };
}

describe('authorisation matrix: every role × every route × own and other objects', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  const objects = {} as Objects;

  const asCaller = (caller: Caller): Http => (caller === 'anon' ? t.http : t.as(caller));
  const fire = () => t.app.get(Orchestrator).fireDueTimers('matrix');

  /** An instance of K started by `who`, its work offered to `team`. */
  async function startK(who: 'alice' | 'bob', team: string, businessKey?: string): Promise<{ instance: string; task: string }> {
    const res = await t.as(who).post('/api/instances').send({ definitionKey: K, businessKey, variables: { team, path: 'work' } }).expect(201);
    return { instance: res.body.instance.id, task: res.body.tasks[0].id };
  }

  async function freshTaskOfAlice(): Promise<Partial<Objects>> {
    const { instance, task } = await startK('alice', 'team-a');
    return { ia: instance, ta: task };
  }

  /** An open incident of K: after a timer, a handler that fails on every retry. */
  async function freshIncident(): Promise<Partial<Objects>> {
    const id = (await t.as('admin').post('/api/instances').send({ definitionKey: K, variables: { team: 'ops', path: 'fail' } }).expect(201)).body.instance.id;
    // The timer fires at 60 s; the failing handler is retried after 10 s, 10 s and 40 s, then an incident.
    for (const ms of [61_000, 11_000, 11_000, 41_000]) {
      clock.advance(ms);
      await fire();
    }
    const [row] = await t.sql.query(`SELECT id FROM incident WHERE instance_id = $1 AND status = 'open'`, [id]);
    if (!row) throw new Error('no incident was raised');
    return { incident: row.id };
  }

  /** A fresh external task locked by worker "matrix" for a minute. */
  async function freshExternalTask(): Promise<Partial<Objects>> {
    const instance = (await t.as('admin').post('/api/instances').send({ definitionKey: 'matrix-external' }).expect(201)).body.instance.id;
    const [row] = await t.sql.query(`SELECT id FROM external_task WHERE instance_id = $1`, [instance]);
    await t.app.get(Orchestrator).externalTasks.lock(row.id, { workerId: 'matrix', lockDuration: 60_000 }, 'admin');
    return { et: row.id };
  }

  /** A draft of K by its owner (no other request of K pending), and, with `submit`, its pending deploy request. */
  async function freshDraft(submit: boolean): Promise<Partial<Objects>> {
    await t.sql.query(`UPDATE deploy_request SET state = 'withdrawn', decided_by = 'matrix', decided_at = now() WHERE state = 'pending'`);
    const draft = (await t.as('owner').post('/api/drafts').send({ bpmn: processK, comment: 'matrix' }).expect(201)).body.id as string;
    if (!submit) return { draft };
    const dreq = (await t.as('owner').post('/api/deploy-requests').send({ draftId: draft, comment: 'matrix' }).expect(201)).body.id as string;
    return { draft, dreq };
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, {
      clock,
      handlers: [alwaysFails],
      users: [
        { username: 'admin', roles: ['admin'] },
        { username: 'owner', roles: ['process-owner'] },
        { username: 'owner2', roles: ['process-owner'] },
        { username: 'alice', roles: ['staff'], groups: ['team-a'] },
        { username: 'bob', roles: ['staff'], groups: ['team-b'] },
        { username: 'auditor', roles: ['auditor'] },
        { username: 'target', password: null, roles: ['staff'] },
      ],
    });
    const admin = t.as('admin');
    objects.kDef = (await admin.post('/api/definitions').set('Content-Type', 'application/xml').send(processK).expect(201)).body.id;
    await admin.post('/api/definitions').set('Content-Type', 'application/xml').send(processExternal).expect(201);
    objects.spareDef = (await admin.post('/api/definitions').set('Content-Type', 'application/xml').send(linearTasks(SPARE, ['a'])).expect(201)).body.id;
    await admin.put(`/api/definitions/key/${K}/owners`).send({ usernames: ['owner'] }).expect(200);
    await admin.put(`/api/definitions/key/${SPARE}/owners`).send({ usernames: ['owner2'] }).expect(200);
    await admin.post('/api/groups').send({ name: 'matrix-group' }).expect(201);
    await admin.post('/api/decisions').set('Content-Type', 'application/xml').send(matrixDecision('matrix-decision')).expect(201);
    const a = await startK('alice', 'team-a', 'MX-A');
    const b = await startK('bob', 'team-b', 'MX-B');
    Object.assign(objects, { ia: a.instance, ta: a.task, ib: b.instance, tb: b.task }, await freshIncident());
    const recordOf = async (id: string) => (await t.sql.query(`SELECT number FROM record WHERE instance_id = $1`, [id]))[0].number as string;
    Object.assign(objects, { ra: await recordOf(a.instance), rb: await recordOf(b.instance) });
    objects.target = (await t.sql.query(`SELECT id FROM app_user WHERE username = 'target'`))[0].id;
    objects.xt = '00000000-0000-4000-8000-0000000000e7';
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  // prettier-ignore
  const cases: Case[] = [
    //                                                   admin owner owner2 alice bob auditor anon
    // public
    { route: 'GET /api/health',                expected: [200, 200, 200, 200, 200, 200, 200] },
    { route: 'GET /api/health/live',           expected: [200, 200, 200, 200, 200, 200, 200] },
    { route: 'GET /api/health/ready',          expected: [200, 200, 200, 200, 200, 200, 200] },
    { route: 'POST /api/auth/login',           expected: [200, 200, 200, 200, 200, 200, 200], body: { username: 'alice', password: TEST_PASSWORD } },
    { route: 'POST /api/auth/refresh',         expected: [200, 200, 200, 200, 200, 200, 200], body: (o) => ({ refreshToken: o.refreshToken }),
      fresh: async () => ({ refreshToken: (await tokensFor(t, 'alice')).refreshToken }) },
    { route: 'POST /api/auth/logout',          expected: [204, 204, 204, 204, 204, 204, 204], body: (o) => ({ refreshToken: o.refreshToken }),
      fresh: async () => ({ refreshToken: (await tokensFor(t, 'alice')).refreshToken }) },
    { route: 'GET /api/docs/openapi.json',     expected: [200, 200, 200, 200, 200, 200, 200] },
    // the caller
    { route: 'GET /api/auth/me',               expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'POST /api/auth/password',        expected: [400, 400, 400, 400, 400, 400, 401], body: {} }, // (the body is checked after the guard)
    // users and groups: administrators
    { route: 'GET /api/users',                 expected: [200, 403, 403, 403, 403, 403, 401] },
    { route: 'POST /api/users',                expected: [201, 403, 403, 403, 403, 403, 401], body: (o) => ({ username: `new-${o.caller}`, roles: ['staff'] }) },
    { route: 'GET /api/users/:target',         expected: [200, 403, 403, 403, 403, 403, 401] },
    { route: 'PATCH /api/users/:target',       expected: [200, 403, 403, 403, 403, 403, 401], body: (o) => ({ displayName: `renamed by ${o.caller}` }) },
    { route: 'POST /api/users/:target/password', expected: [204, 403, 403, 403, 403, 403, 401], body: { newPassword: 'a-new-password-1' } },
    // process owners list the groups they offer tasks to (the modeller's candidate group picker)
    { route: 'GET /api/groups',                expected: [200, 200, 200, 403, 403, 403, 401] },
    { route: 'POST /api/groups',               expected: [201, 403, 403, 403, 403, 403, 401], body: (o) => ({ name: `group-${o.caller}` }) },
    { route: 'GET /api/groups/matrix-group',   expected: [200, 403, 403, 403, 403, 403, 401] },
    { route: 'POST /api/groups/matrix-group/members', expected: [200, 403, 403, 403, 403, 403, 401], body: { username: 'target' } },
    { route: 'DELETE /api/groups/matrix-group/members/target', expected: [200, 403, 403, 403, 403, 403, 401] },
    // definitions: everybody reads; administrators deploy, suspend, activate and name owners
    { route: 'POST /api/definitions',          expected: [201, 403, 403, 403, 403, 403, 401], contentType: 'application/xml', body: (o) => linearTasks(`deployed-by-${o.caller}`, ['a']) },
    { route: 'GET /api/definitions',           expected: [200, 200, 200, 200, 200, 200, 401] },
    // the deploy checks as a dry run (the modeller's live lint): it changes nothing, so everybody signed in
    { route: 'POST /api/definitions/validate', expected: [200, 200, 200, 200, 200, 200, 401], contentType: 'application/xml', body: (o) => linearTasks(`validated-by-${o.caller}`, ['a']) },
    // the service handlers diagrams may name (the modeller's handler picker)
    { route: 'GET /api/services',              expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: `GET /api/definitions/key/${K}/versions`, expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /api/definitions/:kDef',     expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /api/definitions/:kDef/xml', expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /api/definitions/:kDef/forms', expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'POST /api/definitions/:spareDef/suspend',  expected: [200, 403, 403, 403, 403, 403, 401] },
    { route: 'POST /api/definitions/:spareDef/activate', expected: [200, 403, 403, 403, 403, 403, 401] },
    { route: `GET /api/definitions/key/${K}/owners`,     expected: [200, 403, 403, 403, 403, 200, 401] },
    { route: `PUT /api/definitions/key/${SPARE}/owners`, expected: [200, 403, 403, 403, 403, 403, 401], body: { usernames: ['owner2'] } },
    // decisions: everybody reads and test-evaluates; administrators and process owners deploy
    { route: 'POST /api/decisions',            expected: [201, 201, 201, 403, 403, 403, 401], contentType: 'application/xml', body: (o) => matrixDecision(`decision-by-${o.caller}`) },
    { route: 'GET /api/decisions',             expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /api/decisions/matrix-decision',     expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /api/decisions/matrix-decision/xml', expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'POST /api/decisions/matrix-decision/evaluate', expected: [200, 200, 200, 200, 200, 200, 401], body: { variables: { x: 'a' } } },
    // instances
    { route: 'POST /api/instances',            expected: [201, 201, 201, 201, 201, 403, 401], body: { definitionKey: K, variables: { team: 'team-a', path: 'work' } } },
    { route: 'GET /api/instances',             expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /api/instances/:ia',         expected: [200, 200, 404, 200, 404, 200, 401] },
    { route: 'GET /api/instances/:ib',         expected: [200, 200, 404, 404, 200, 200, 401] },
    { route: 'GET /api/instances/:ia/history', expected: [200, 200, 404, 200, 404, 200, 401] },
    { route: 'GET /api/instances/:ib/history', expected: [200, 200, 404, 404, 200, 200, 401] },
    { route: 'GET /api/instances/:ia/history/verify', expected: [200, 200, 404, 200, 404, 200, 401] },
    { route: 'GET /api/instances/:ib/history/verify', expected: [200, 200, 404, 404, 200, 200, 401] },
    { route: 'GET /api/instances/:ia/replay', expected: [200, 200, 404, 200, 404, 200, 401] },
    { route: 'GET /api/instances/:ib/replay', expected: [200, 200, 404, 404, 200, 200, 401] },
    // the whole history: administrators and auditors
    { route: 'GET /api/history/verify',        expected: [200, 403, 403, 403, 403, 200, 401] },
    { route: 'POST /api/instances/:ia/cancel', expected: [200, 200, 404, 403, 403, 403, 401], body: { reason: 'matrix' }, fresh: freshTaskOfAlice },
    { route: 'POST /api/instances/:ia/sla/resolution/pause', expected: [200, 200, 404, 200, 404, 403, 401], body: { reason: 'awaiting customer' }, fresh: freshTaskOfAlice },
    { route: 'POST /api/instances/:ia/sla/resolution/resume', expected: [200, 200, 404, 200, 404, 403, 401],
      fresh: async () => {
        const o = await freshTaskOfAlice();
        await t.as('admin').post(`/api/instances/${o.ia}/sla/resolution/pause`).send({ reason: 'awaiting customer' }).expect(200);
        return o;
      } },
    // records like their instances; KPIs (aggregates) for everybody signed in
    { route: 'GET /api/records',               expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /api/records/:ra',           expected: [200, 200, 404, 200, 404, 200, 401] },
    { route: 'GET /api/records/:rb',           expected: [200, 200, 404, 404, 200, 200, 401] },
    { route: 'GET /api/kpis',                  expected: [200, 200, 200, 200, 200, 200, 401] },
    // tasks
    { route: 'GET /api/tasks',                 expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /api/tasks/:ta',             expected: [200, 200, 404, 200, 404, 200, 401] },
    { route: 'GET /api/tasks/:tb',             expected: [200, 200, 404, 404, 200, 200, 401] },
    // K's tasks have no form: readers get FORM_NOT_FOUND, others TASK_NOT_FOUND (forms.e2e-spec.ts checks a task with a form)
    { route: 'GET /api/tasks/:ta/form',        expected: [404, 404, 404, 404, 404, 404, 401] },
    { route: 'POST /api/tasks/:ta/claim',      expected: [403, 403, 404, 200, 404, 403, 401], fresh: freshTaskOfAlice },
    { route: 'POST /api/tasks/:tb/claim',      expected: [403, 403, 404, 404, 200, 403, 401],
      fresh: async () => {
        const { instance, task } = await startK('bob', 'team-b');
        return { ib: instance, tb: task };
      } },
    { route: 'POST /api/tasks/:ta/unclaim',    expected: [403, 403, 404, 200, 404, 403, 401],
      fresh: async () => {
        const o = await freshTaskOfAlice();
        await t.as('alice').post(`/api/tasks/${o.ta}/claim`).expect(200);
        return o;
      } },
    { route: 'POST /api/tasks/:ta/complete',   expected: [403, 403, 404, 200, 404, 403, 401], body: { variables: { done: true } }, fresh: freshTaskOfAlice },
    { route: 'POST /api/tasks/:ta/assign',     expected: [200, 403, 403, 403, 403, 403, 401], body: { assignee: 'alice' }, fresh: freshTaskOfAlice },
    // incidents and timers: administrators and auditors, process owners for their keys; administrators retry
    { route: 'GET /api/incidents',             expected: [200, 200, 200, 403, 403, 200, 401] },
    { route: 'GET /api/incidents/:incident',   expected: [200, 200, 404, 403, 403, 200, 401] },
    { route: 'POST /api/incidents/:incident/retry', expected: [200, 403, 403, 403, 403, 403, 401], fresh: freshIncident },
    { route: 'GET /api/timers',                expected: [200, 200, 200, 403, 403, 200, 401] },
    // messages and signals: staff, process owners and administrators send them; auditors do not
    // (a message nobody waits for is a 404, a buffered one a 202; a signal nobody waits for reaches nobody)
    { route: 'POST /api/messages',             expected: [202, 202, 202, 202, 202, 403, 401], body: (o) => ({ name: 'matrix-message', correlationKey: o.caller, timeToLive: 'PT1M' }) },
    { route: 'POST /api/signals',              expected: [200, 200, 200, 200, 200, 403, 401], body: { name: 'matrix-signal' } },
    { route: 'GET /api/subscriptions',         expected: [200, 200, 200, 403, 403, 200, 401] },
    // drafts: administrators and the key's process owners write, auditors read; deploy requests: owners submit, administrators decide
    { route: 'POST /api/drafts',               expected: [201, 201, 403, 403, 403, 403, 401], body: { bpmn: processK, comment: 'matrix' } },
    { route: 'GET /api/drafts',                expected: [200, 200, 200, 403, 403, 200, 401] },
    { route: 'GET /api/drafts/:draft',         expected: [200, 200, 404, 403, 403, 200, 401], fresh: () => freshDraft(false) },
    { route: 'GET /api/drafts/:draft/revisions', expected: [200, 200, 404, 403, 403, 200, 401], fresh: () => freshDraft(false) },
    { route: 'PUT /api/drafts/:draft',         expected: [200, 200, 403, 403, 403, 403, 401], body: { bpmn: processK, comment: 'matrix 2', revision: 1 }, fresh: () => freshDraft(false) },
    { route: 'POST /api/drafts/:draft/deploy', expected: [200, 403, 403, 403, 403, 403, 401], body: {}, fresh: () => freshDraft(false) },
    { route: 'POST /api/deploy-requests',      expected: [403, 201, 403, 403, 403, 403, 401], body: (o) => ({ draftId: o.draft, comment: 'matrix' }), fresh: () => freshDraft(false) },
    { route: 'GET /api/deploy-requests',       expected: [200, 200, 200, 403, 403, 200, 401] },
    { route: 'GET /api/deploy-requests/:dreq', expected: [200, 200, 404, 403, 403, 200, 401], fresh: () => freshDraft(true) },
    { route: 'POST /api/deploy-requests/:dreq/approve', expected: [200, 403, 403, 403, 403, 403, 401], body: {}, fresh: () => freshDraft(true) },
    { route: 'POST /api/deploy-requests/:dreq/reject', expected: [200, 403, 403, 403, 403, 403, 401], body: { reason: 'matrix' }, fresh: () => freshDraft(true) },
    { route: 'POST /api/deploy-requests/:dreq/withdraw', expected: [403, 200, 404, 403, 403, 403, 401], body: {}, fresh: () => freshDraft(true) },
    // the Camunda 7 compatible API (/engine-rest): the same rules as the native routes it maps onto
    // (2xx there are 200 with a body or 204; errors are Camunda's {type, message, code} as application/json)
    { route: 'GET /engine-rest/version',       expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /engine-rest/deployment',    expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /engine-rest/deployment/count', expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /engine-rest/deployment/:kDef', expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'POST /engine-rest/deployment/create', expected: [200, 403, 403, 403, 403, 403, 401],
      upload: (o) => ({ name: `rest-deployed-by-${o.caller}.bpmn`, content: linearTasks(`rest-deployed-by-${o.caller}`, ['a']) }) },
    { route: 'GET /engine-rest/process-definition', expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /engine-rest/process-definition/count', expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: `GET /engine-rest/process-definition/key/${K}`, expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: `GET /engine-rest/process-definition/key/${K}/xml`, expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /engine-rest/process-definition/:kDef', expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /engine-rest/process-definition/:kDef/xml', expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: `POST /engine-rest/process-definition/key/${K}/start`, expected: [200, 200, 200, 200, 200, 403, 401],
      body: { variables: { team: { value: 'team-a', type: 'String' }, path: { value: 'work', type: 'String' } } } },
    { route: 'POST /engine-rest/process-definition/:kDef/start', expected: [200, 200, 200, 200, 200, 403, 401],
      body: { variables: { team: { value: 'team-a', type: 'String' }, path: { value: 'work', type: 'String' } } } },
    { route: 'GET /engine-rest/process-instance', expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /engine-rest/process-instance/count', expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /engine-rest/process-instance/:ia', expected: [200, 200, 404, 200, 404, 200, 401] },
    { route: 'GET /engine-rest/process-instance/:ib', expected: [200, 200, 404, 404, 200, 200, 401] },
    { route: 'GET /engine-rest/process-instance/:ia/variables', expected: [200, 200, 404, 200, 404, 200, 401] },
    { route: 'DELETE /engine-rest/process-instance/:ia', expected: [204, 204, 404, 403, 403, 403, 401], fresh: freshTaskOfAlice },
    { route: 'GET /engine-rest/task',          expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /engine-rest/task/count',    expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /engine-rest/task/:ta',      expected: [200, 200, 404, 200, 404, 200, 401] },
    { route: 'GET /engine-rest/task/:tb',      expected: [200, 200, 404, 404, 200, 200, 401] },
    { route: 'GET /engine-rest/task/:ta/form-variables', expected: [200, 200, 404, 200, 404, 200, 401] },
    { route: 'GET /engine-rest/task/:ta/variables', expected: [200, 200, 404, 200, 404, 200, 401] },
    { route: 'POST /engine-rest/task/:ta/claim', expected: [403, 403, 404, 204, 404, 403, 401], body: (o) => ({ userId: o.caller }), fresh: freshTaskOfAlice },
    { route: 'POST /engine-rest/task/:ta/unclaim', expected: [403, 403, 404, 204, 404, 403, 401],
      fresh: async () => {
        const o = await freshTaskOfAlice();
        await t.as('alice').post(`/api/tasks/${o.ta}/claim`).expect(200);
        return o;
      } },
    { route: 'POST /engine-rest/task/:ta/complete', expected: [403, 403, 404, 204, 404, 403, 401], body: { variables: { done: { value: true, type: 'Boolean' } } }, fresh: freshTaskOfAlice },
    { route: 'POST /engine-rest/task/:ta/submit-form', expected: [403, 403, 404, 204, 404, 403, 401], body: { variables: { done: { value: true, type: 'Boolean' } } }, fresh: freshTaskOfAlice },
    // a message nobody waits for: 400 MismatchingMessageCorrelationException once the caller may send it (Camunda has no buffer)
    { route: 'POST /engine-rest/message',      expected: [400, 400, 400, 400, 400, 403, 401], body: { messageName: 'matrix-message' } },
    { route: 'POST /engine-rest/signal',       expected: [204, 204, 204, 204, 204, 403, 401], body: { name: 'matrix-signal' } },
    // external tasks: administrators (and workers) work them, auditors read them; an unknown task is a 404 to them
    { route: 'POST /engine-rest/external-task/fetchAndLock', expected: [200, 403, 403, 403, 403, 403, 401],
      body: (o) => ({ workerId: `w-${o.caller}`, maxTasks: 1, topics: [{ topicName: 'matrix-none', lockDuration: 1000 }] }) },
    { route: 'GET /engine-rest/external-task', expected: [200, 403, 403, 403, 403, 200, 401] },
    { route: 'GET /engine-rest/external-task/count', expected: [200, 403, 403, 403, 403, 200, 401] },
    { route: 'GET /engine-rest/external-task/:et', expected: [200, 403, 403, 403, 403, 200, 401], fresh: freshExternalTask },
    { route: 'GET /engine-rest/external-task/:xt', expected: [404, 403, 403, 403, 403, 404, 401] },
    { route: 'POST /engine-rest/external-task/:et/complete', expected: [204, 403, 403, 403, 403, 403, 401], body: { workerId: 'matrix', variables: { done: { value: true, type: 'Boolean' } } }, fresh: freshExternalTask },
    { route: 'POST /engine-rest/external-task/:et/failure', expected: [204, 403, 403, 403, 403, 403, 401], body: { workerId: 'matrix', errorMessage: 'matrix', retries: 1, retryTimeout: 0 }, fresh: freshExternalTask },
    { route: 'POST /engine-rest/external-task/:et/bpmnError', expected: [204, 403, 403, 403, 403, 403, 401], body: { workerId: 'matrix', errorCode: 'MATRIX' }, fresh: freshExternalTask },
    { route: 'POST /engine-rest/external-task/:et/extendLock', expected: [204, 403, 403, 403, 403, 403, 401], body: { workerId: 'matrix', newDuration: 1000 }, fresh: freshExternalTask },
    { route: 'POST /engine-rest/external-task/:et/lock', expected: [204, 403, 403, 403, 403, 403, 401], body: { workerId: 'matrix', lockDuration: 1000 }, fresh: freshExternalTask },
    { route: 'POST /engine-rest/external-task/:et/unlock', expected: [204, 403, 403, 403, 403, 403, 401], fresh: freshExternalTask },
    { route: 'PUT /engine-rest/external-task/:et/retries', expected: [204, 403, 403, 403, 403, 403, 401], body: { retries: 2 }, fresh: freshExternalTask },
    // external tasks: administrators and the role worker (external-tasks.e2e-spec.ts) work them; auditors read them
    { route: 'POST /api/external-tasks/fetchAndLock', expected: [200, 403, 403, 403, 403, 403, 401],
      body: { workerId: 'matrix', maxTasks: 1, topics: [{ topicName: 'matrix-none', lockDuration: 1000 }] } },
    { route: 'GET /api/external-tasks',        expected: [200, 403, 403, 403, 403, 200, 401] },
    { route: 'GET /api/external-tasks/:et',    expected: [200, 403, 403, 403, 403, 200, 401], fresh: freshExternalTask },
    { route: 'POST /api/external-tasks/:et/complete', expected: [200, 403, 403, 403, 403, 403, 401], body: { workerId: 'matrix', variables: { done: true } }, fresh: freshExternalTask },
    { route: 'POST /api/external-tasks/:et/failure', expected: [200, 403, 403, 403, 403, 403, 401], body: { workerId: 'matrix', errorMessage: 'matrix', retries: 1 }, fresh: freshExternalTask },
    { route: 'POST /api/external-tasks/:et/bpmnError', expected: [200, 403, 403, 403, 403, 403, 401], body: { workerId: 'matrix', errorCode: 'MATRIX' }, fresh: freshExternalTask },
    { route: 'POST /api/external-tasks/:et/extendLock', expected: [200, 403, 403, 403, 403, 403, 401], body: { workerId: 'matrix', newDuration: 1000 }, fresh: freshExternalTask },
    { route: 'POST /api/external-tasks/:et/lock', expected: [200, 403, 403, 403, 403, 403, 401], body: { workerId: 'matrix', lockDuration: 1000 }, fresh: freshExternalTask },
    { route: 'POST /api/external-tasks/:et/unlock', expected: [200, 403, 403, 403, 403, 403, 401], fresh: freshExternalTask },
    { route: 'PUT /api/external-tasks/:et/retries', expected: [200, 403, 403, 403, 403, 403, 401], body: { retries: 2 }, fresh: freshExternalTask },
    // calendars: everybody reads and checks; administrators change
    { route: 'GET /api/calendars',             expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'GET /api/calendars/24x7',        expected: [200, 200, 200, 200, 200, 200, 401] },
    { route: 'POST /api/calendars/24x7/add',   expected: [200, 200, 200, 200, 200, 200, 401], body: { duration: 'PT1H' } },
    { route: 'PUT /api/calendars/cal-:caller', expected: [201, 403, 403, 403, 403, 403, 401], body: { timeZone: 'UTC', kind: '24x7' } },
    { route: 'DELETE /api/calendars/gone-:caller', expected: [204, 403, 403, 403, 403, 403, 401],
      fresh: async (o) => {
        await t.as('admin').put(`/api/calendars/gone-${o.caller}`).send({ timeZone: 'UTC', kind: '24x7' }).expect(201);
        return {};
      } },
  ];

  it.each(cases.map((c) => [c.route, c] as const))('%s', async (_route, c) => {
    const [method, template] = c.route.split(' ');
    const answers: Record<string, number> = {};
    for (const caller of CALLERS) {
      const o: Objects = { ...objects, caller, ...(c.fresh ? await c.fresh({ ...objects, caller }) : {}) };
      const path = template.replace(/:(\w+)/g, (_m, name: string) => String(o[name as keyof Objects]));
      let req = (asCaller(caller) as any)[method.toLowerCase()](path);
      if (c.contentType) req = req.set('Content-Type', c.contentType);
      if (c.upload) {
        const file = c.upload(o);
        req = req.field('deployment-name', file.name).attach(file.name, Buffer.from(file.content), { filename: file.name, contentType: 'text/xml' });
      }
      const body = typeof c.body === 'function' ? c.body(o) : c.body;
      const res = await (body === undefined ? req : req.send(body));
      answers[caller] = res.status;
      // the Camunda 7 layer answers errors as Camunda does: {type, message, code} in application/json
      if (res.status >= 400 && template.startsWith('/engine-rest/')) expect([res.headers['content-type'], typeof res.body.type]).toEqual(['application/json', 'string']);
      else if (res.status >= 400) expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect(answers).toEqual(Object.fromEntries(CALLERS.map((caller, i) => [caller, c.expected[i]])));
  });

  it('covers every route of the API (a new route must join the matrix)', async () => {
    // given: every controller route, from the OpenAPI document
    const docs = (await t.http.get('/api/docs/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(docs.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));

    // then: each is exercised by a case of the matrix
    const exercised = cases.map((c) => c.route.replace(/:\w+/g, 'x'));
    const pattern = (route: string) => new RegExp(`^${route.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    expect(routes.length).toBeGreaterThan(45);
    expect(routes.filter((r) => !exercised.some((e) => pattern(r).test(e)))).toEqual([]);
  });

  describe('lists hold only what the caller may see (filtered in SQL, paginated)', () => {
    const has = (items: { id: string }[], id: string) => items.some((x) => x.id === id);

    it.each([
      //         caller     sees A  sees B
      ['admin', true, true],
      ['owner', true, true],
      ['owner2', false, false],
      ['alice', true, false],
      ['bob', false, true],
      ['auditor', true, true],
    ] as const)('%s: instances and tasks', async (caller, seesA, seesB) => {
      const instances = (await t.as(caller).get(`/api/instances?key=${K}&size=200`).expect(200)).body;
      const tasks = (await t.as(caller).get('/api/tasks?size=200').expect(200)).body;
      expect([has(instances.items, objects.ia), has(instances.items, objects.ib)]).toEqual([seesA, seesB]);
      expect([has(tasks.items, objects.ta), has(tasks.items, objects.tb)]).toEqual([seesA, seesB]);
      // filters cannot widen the view: asking for B's instance or group gives nothing to those who may not see it
      const byInstance = (await t.as(caller).get(`/api/tasks?instanceId=${objects.ib}`).expect(200)).body;
      expect(byInstance.items.length > 0).toBe(seesB);
      const byBusinessKey = (await t.as(caller).get('/api/instances?businessKey=MX-B').expect(200)).body;
      expect(byBusinessKey.total).toBe(seesB ? 1 : 0);
    });

    it('pages count only the visible: alice pages through exactly her instances', async () => {
      // given: as many instances of bob as of alice, and more
      for (let i = 0; i < 3; i++) await startK('bob', 'team-b', `MX-PAGE-B-${i}`);
      const all = (await t.as('admin').get(`/api/instances?key=${K}&size=200`).expect(200)).body;

      // when: alice reads her list one item per page
      const first = (await t.as('alice').get(`/api/instances?key=${K}&size=1&page=1`).expect(200)).body;
      const seen: string[] = [];
      for (let page = 1; page <= first.total; page++) seen.push(...(await t.as('alice').get(`/api/instances?key=${K}&size=1&page=${page}`).expect(200)).body.items.map((i: { id: string }) => i.id));

      // then: the total is hers (started by her, or work offered to her group), every page holds one of hers
      const hers = all.items
        .filter((i: { startedBy: string; variables: { team?: string } }) => i.startedBy === 'alice' || i.variables.team === 'team-a')
        .map((i: { id: string }) => i.id);
      expect(first.total).toBe(hers.length);
      expect(first.total).toBeLessThan(all.total);
      expect(seen.sort()).toEqual([...hers].sort());
    });

    it('incidents and timers: a process owner sees those of the keys they own only', async () => {
      const incidentsOf = async (caller: string) => (await t.as(caller).get('/api/incidents?size=200').expect(200)).body;
      const timersOf = async (caller: string) => (await t.as(caller).get(`/api/timers?definitionKey=${K}&size=200`).expect(200)).body;
      expect(has((await incidentsOf('owner')).items, objects.incident)).toBe(true);
      expect((await incidentsOf('owner2')).total).toBe(0);
      expect((await timersOf('owner')).total).toBeGreaterThan(0);
      expect((await timersOf('owner2')).total).toBe(0);
      expect((await timersOf('auditor')).total).toBe((await timersOf('owner')).total);
    });
  });

  describe('staff A and staff B', () => {
    it("staff A cannot read, claim or complete staff B's task, nor see it or B's instance in lists", async () => {
      // given: bob's open task and instance
      const { instance, task } = await startK('bob', 'team-b', 'MX-B2');
      const alice = t.as('alice');

      // when
      const read = await alice.get(`/api/tasks/${task}`);
      const claim = await alice.post(`/api/tasks/${task}/claim`);
      const complete = await alice.post(`/api/tasks/${task}/complete`).send({ variables: { approved: true } });
      const instanceRead = await alice.get(`/api/instances/${instance}`);
      const unknown = await alice.get('/api/tasks/00000000-0000-4000-8000-000000000000');

      // then: as if they did not exist (the same answer as an unknown id), and nothing changed
      for (const res of [read, claim, complete]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ ...unknown.body, detail: `no task with id "${task}"`, instance: res.body.instance, requestId: res.body.requestId });
      }
      expect(instanceRead.status).toBe(404);
      expect(instanceRead.body).toMatchObject({ code: 'INSTANCE_NOT_FOUND', detail: `no process instance with id "${instance}"` });
      expect((await alice.get('/api/tasks?size=200')).body.items.map((x: { id: string }) => x.id)).not.toContain(task);
      expect((await alice.get('/api/instances?size=200')).body.items.map((x: { id: string }) => x.id)).not.toContain(instance);
      expect((await t.as('bob').get(`/api/tasks/${task}`)).body).toMatchObject({ status: 'open', assignee: null });
    });

    it('answers 403 (not 404) for a visible task the caller may not act on, and logs every denial with user, route and reason', async () => {
      // given
      const { task } = await startK('alice', 'team-a');
      const warn = jest.spyOn(Logger.prototype, 'warn');

      // when
      const auditor = await t.as('auditor').post(`/api/tasks/${task}/claim`);
      const owner = await t.as('owner').post(`/api/tasks/${task}/claim`);
      const hidden = await t.as('bob').get(`/api/tasks/${task}`);

      // then
      expect(auditor.status).toBe(403);
      expect(owner.status).toBe(403);
      expect(owner.body.detail).toMatch(/only the assignee or a candidate/);
      expect(hidden.status).toBe(404);
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ msg: 'access denied', user: 'auditor', route: `POST /api/tasks/${task}/claim`, reason: expect.stringContaining('roles'), status: 403 }));
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ msg: 'access denied', user: 'owner', route: `POST /api/tasks/${task}/claim`, reason: expect.stringContaining('not its assignee or a candidate'), status: 403 }));
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ msg: 'access denied', user: 'bob', route: `GET /api/tasks/${task}`, reason: expect.stringContaining('not visible'), status: 404 }));
      warn.mockRestore();
    });

    it('records the authenticated user as the actor of every command', async () => {
      // given
      const { instance, task } = await startK('alice', 'team-a');

      // when
      await t.as('alice').post(`/api/tasks/${task}/claim`).expect(200);
      await t.as('admin').post(`/api/tasks/${task}/assign`).send({ assignee: 'alice' }).expect(200);
      await t.as('alice').post(`/api/instances/${instance}/sla/resolution/pause`).send({ reason: 'waiting' }).expect(200);
      await t.as('owner').post(`/api/instances/${instance}/sla/resolution/resume`).expect(200);
      await t.as('alice').post(`/api/tasks/${task}/complete`).send({ variables: {} }).expect(200);

      // then
      const history = (await t.as('auditor').get(`/api/instances/${instance}/history`).expect(200)).body as { type: string; actor: string | null }[];
      expect(history[0]).toMatchObject({ type: 'instance.started', actor: 'alice' });
      expect(history.find((e) => e.type === 'task.claimed')?.actor).toBe('alice');
      expect(history.find((e) => e.type === 'task.completed')?.actor).toBe('alice');
      expect(history.filter((e) => e.type.startsWith('sla.')).map((e) => e.actor)).toEqual(['alice', 'owner']);
    });

    it('lets an administrator reassign a task (not act on it), to an existing user only', async () => {
      const { task } = await startK('alice', 'team-a');
      const admin = t.as('admin');
      expect((await admin.post(`/api/tasks/${task}/complete`).send({})).status).toBe(403);
      expect((await admin.post(`/api/tasks/${task}/assign`).send({ assignee: 'nobody-here' })).status).toBe(404);
      const assigned = await admin.post(`/api/tasks/${task}/assign`).send({ assignee: 'bob' });
      expect(assigned.status).toBe(200);
      expect(assigned.body.assignee).toBe('bob');
      // now bob (the assignee) sees and completes it; alice, a candidate, cannot take it from him
      expect((await t.as('bob').get(`/api/tasks/${task}`)).status).toBe(200);
      expect((await t.as('alice').post(`/api/tasks/${task}/claim`)).status).toBe(409);
      expect((await t.as('bob').post(`/api/tasks/${task}/complete`).send({})).status).toBe(200);
    });
  });

  describe('tokens and public paths', () => {
    async function signingKey(): Promise<Uint8Array> {
      const [row] = await t.sql.query(`SELECT value FROM app_setting WHERE key = 'auth.signing-secret'`);
      return new TextEncoder().encode(row.value);
    }

    it('refuses expired and tampered tokens with 401 on every kind of route', async () => {
      // given
      const [alice] = await t.sql.query(`SELECT id FROM app_user WHERE username = 'alice'`);
      const now = Math.floor(Date.now() / 1000);
      const expired = await new SignJWT({ preferred_username: 'alice', roles: ['staff'], groups: ['team-a'] })
        .setProtectedHeader({ alg: 'HS256' }).setSubject(alice.id).setIssuer(LOCAL_ISSUER).setAudience(LOCAL_ISSUER)
        .setIssuedAt(now - 3600).setExpirationTime(now - 60).sign(await signingKey());
      const [header, payload, signature] = (await tokenFor(t, 'alice')).split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url')}.${signature}`;

      // when / then
      for (const token of [expired, tampered]) {
        for (const [method, path] of [['get', '/api/tasks'], ['get', `/api/instances/${objects.ia}`], ['post', '/api/definitions'], ['get', '/api/users']]) {
          const res = await (t.http as any)[method](path).set('Authorization', bearer(token));
          expect([path, res.status, res.body.code]).toEqual([path, 401, 'UNAUTHENTICATED']);
          expect(res.headers['www-authenticate']).toContain('invalid_token');
        }
      }
    });

    it('serves the OpenAPI document with the bearer scheme, and the browser app, without a token', async () => {
      // given: a server that also serves a built browser app
      const dir = mkdtempSync(join(tmpdir(), 'itsm-static-'));
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ITSM</title>');
      writeFileSync(join(dir, 'app.js'), 'console.log(1)');
      const web = await startTestApp(db, { config: { staticDir: dir } });
      try {
        // when
        const docs = await web.http.get('/api/docs/openapi.json');
        const ui = await web.http.get('/api/docs/');
        const index = await web.http.get('/');
        const deepLink = await web.http.get('/tasks/123');
        const asset = await web.http.get('/app.js');
        const api = await web.http.get('/api/tasks');

        // then
        expect(docs.status).toBe(200);
        expect(docs.body.components.securitySchemes).toEqual({ bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }), basic: expect.objectContaining({ type: 'http', scheme: 'basic' }) });
        expect(docs.body.paths['/api/tasks'].get.security).toEqual([{ bearer: [] }]);
        expect(ui.status).toBe(200);
        expect([index.status, deepLink.status, asset.status]).toEqual([200, 200, 200]);
        expect(index.text).toContain('<title>ITSM</title>');
        expect(api.status).toBe(401);
      } finally {
        await web.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
