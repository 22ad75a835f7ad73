import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn, fixture } from '../support/bpmn';

interface Step {
  event: { seq: number; type: string; elementId: string | null; actor: string | null; payload: Record<string, unknown> | null };
  tokens: string[];
  changed: string[];
  variables?: Record<string, unknown>;
}

/** The variables in force at step `i` (a step without `variables` keeps those of the step before). */
function variablesAt(steps: Step[], i: number): Record<string, unknown> {
  for (let j = i; j >= 0; j--) if (steps[j]!.variables) return steps[j]!.variables!;
  throw new Error('the first step carries no variables');
}

describe('GET /api/instances/:id/replay (HTTP, real database)', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  let instanceId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(fixture('incident-triage.bpmn')).expect(201);
    const started = await t
      .as('alice')
      .post('/api/instances')
      .send({ definitionKey: 'incident-triage', businessKey: 'INC-REPLAY', variables: { reporter: 'alice', urgencyScore: 70, reportedAt: '2026-11-21T08:00:00Z' } })
      .expect(201);
    instanceId = started.body.instance.id;
    const classify = started.body.tasks[0];
    const done = await t.as('bob').post(`/api/tasks/${classify.id}/complete`).send({ variables: { impact: 'medium', urgency: 'low' } }).expect(200);
    await t.as('alice').post(`/api/tasks/${done.body.tasks[0].id}/complete`).send({ variables: { resolution: 'restarted <b>the</b> gateway' } }).expect(200);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('answers one step per history event, the token positions and the variables after each, ending at the stored variables', async () => {
    // when
    const res = await t.as('auditor').get(`/api/instances/${instanceId}/replay`);
    const history = await t.as('auditor').get(`/api/instances/${instanceId}/history`);

    // then: the same events, in order, and a replay that ends where the instance ended
    expect(res.status).toBe(200);
    const steps: Step[] = res.body.steps;
    expect(steps.map((s) => s.event)).toEqual(history.body);
    expect(res.body.consistent).toBe(true);
    expect(res.body.instance).toMatchObject({ id: instanceId, status: 'completed', definitionKey: 'incident-triage', businessKey: 'INC-REPLAY' });
    expect(res.body.instance).not.toHaveProperty('snapshot');
    const last = steps.length - 1;
    expect(variablesAt(steps, last)).toEqual({
      reporter: 'alice', urgencyScore: 70, reportedAt: '2026-11-21T08:00:00Z', impact: 'medium', urgency: 'low', priority: 'P4', majorIncidentCandidate: false,
      resolution: 'restarted <b>the</b> gateway',
    });
    expect(steps[last]!.tokens).toEqual([]);

    // the first step holds the start variables
    expect(steps[0]!.event.type).toBe('instance.started');
    expect(steps[0]!.variables).toEqual({ reporter: 'alice', urgencyScore: 70, reportedAt: '2026-11-21T08:00:00Z' });

    // waiting at "classify": one token there, and nothing classified yet
    const waiting = steps.findIndex((s) => s.event.type === 'element.waiting' && s.event.elementId === 'classify');
    expect(steps[waiting]!.tokens).toEqual(['classify']);
    expect(variablesAt(steps, waiting)).not.toHaveProperty('impact');

    // the completion is by bob with what he submitted; the variables change when its command commits them
    const completed = steps.findIndex((s) => s.event.type === 'task.completed' && s.event.elementId === 'classify');
    expect(steps[completed]!.event).toMatchObject({ actor: 'bob', payload: { variables: { impact: 'medium', urgency: 'low' } } });
    const committed = steps.findIndex((s, i) => i > completed && s.event.type === 'variables.changed');
    expect(steps[committed]!.changed.sort()).toEqual(['impact', 'majorIncidentCandidate', 'priority', 'urgency']);
    expect(variablesAt(steps, committed)).toMatchObject({ impact: 'medium', priority: 'P4' });
    // between them the token went on from classify through the service task to resolve
    const resolveWaits = steps.findIndex((s) => s.event.type === 'element.waiting' && s.event.elementId === 'resolve');
    expect(resolveWaits).toBeGreaterThan(completed);
    expect(steps[resolveWaits]!.tokens).toEqual(['resolve']);
    expect(steps.slice(completed, resolveWaits).some((s) => s.tokens.includes('prioritise'))).toBe(true);
    // steps without a change carry no copy of the variables
    expect(steps.filter((s) => s.variables).length).toBe(steps.filter((s, i) => i === 0 || s.changed.length).length);
  });

  it('replays the variables the engine sets at the start (record number, initiator) from instance.started', async () => {
    // given: a record-keeping process whose start event names its initiator
    const xml = bpmn(
      'replay-record',
      `<bpmn:startEvent id="start" camunda:initiator="requester"/>
       <bpmn:userTask id="confirm" camunda:assignee="\${requester}"/>
       <bpmn:endEvent id="end"/>
       <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="confirm"/>
       <bpmn:sequenceFlow id="f2" sourceRef="confirm" targetRef="end"/>`,
      'itsm:recordType="audit"',
    );
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(201);
    const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'replay-record', variables: { title: 'Access review' } }).expect(201);
    await t.as('alice').post(`/api/tasks/${started.body.tasks[0].id}/complete`).send({ variables: { confirmed: true } }).expect(200);

    // when
    const res = await t.as('auditor').get(`/api/instances/${started.body.instance.id}/replay`);

    // then: the first step holds what the instance started with, the caller's and the engine's
    const steps: Step[] = res.body.steps;
    expect(steps[0]!.event.payload).toMatchObject({ variables: { title: 'Access review' }, assignedVariables: { requester: 'alice', recordNumber: 'AUD0000001' } });
    expect(steps[0]!.variables).toEqual({ title: 'Access review', requester: 'alice', recordNumber: 'AUD0000001' });
    expect(res.body.consistent).toBe(true);
    expect(variablesAt(steps, steps.length - 1)).toEqual({ title: 'Access review', requester: 'alice', recordNumber: 'AUD0000001', confirmed: true });
  });

  it('leaves the hash chain as it was', async () => {
    const verify = await t.as('auditor').get(`/api/instances/${instanceId}/history/verify`);
    expect(verify.body).toMatchObject({ valid: true, firstInvalid: null });
  });

  it('answers 404 to a user who does not see the instance, and for an unknown id', async () => {
    await t.user({ username: 'carol', roles: ['staff'], groups: ['other'] });
    const hidden = await t.as('carol').get(`/api/instances/${instanceId}/replay`);
    expect(hidden.status).toBe(404);
    expect(hidden.headers['content-type']).toContain('application/problem+json');
    const unknown = await t.as('auditor').get('/api/instances/00000000-0000-4000-8000-000000000000/replay');
    expect(unknown.status).toBe(404);
    const malformed = await t.as('auditor').get('/api/instances/not-a-uuid/replay');
    expect(malformed.status).toBe(404);
  });
});
