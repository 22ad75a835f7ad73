import { ManualClock, Orchestrator, type ServiceHandler } from '../../engine';
import { createApp } from '../../api/app';
import { TypeormTimerClaimer } from '../../api/engine-host/typeorm-timer-store';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, testConfig, type ApiTestApp } from '../support/test-app';
import { bpmn, startSlaTask } from '../support/bpmn';

const HOUR = 3_600_000;
const MINUTE = 60_000;

const escalation = bpmn(
  'sla-escalation',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="triage"/>
   <bpmn:userTask id="triage" name="Triage" camunda:candidateGroups="servicedesk"/>
   <bpmn:boundaryEvent id="slaBreached" attachedToRef="triage"><bpmn:timerEventDefinition><bpmn:timeDuration>PT4H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="triage" targetRef="done"/><bpmn:endEvent id="done"/>
   <bpmn:sequenceFlow id="f3" sourceRef="slaBreached" targetRef="escalate"/>
   <bpmn:userTask id="escalate" name="Escalate to incident manager" camunda:candidateGroups="incident-managers"/>
   <bpmn:sequenceFlow id="f4" sourceRef="escalate" targetRef="escalated"/><bpmn:endEvent id="escalated"/>`,
);

const reminders = bpmn(
  'approval-reminders',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve"/>
   <bpmn:userTask id="approve" name="Approve change" camunda:candidateGroups="cab"/>
   <bpmn:boundaryEvent id="remind" attachedToRef="approve" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="done"/><bpmn:endEvent id="done"/>
   <bpmn:sequenceFlow id="f3" sourceRef="remind" targetRef="reminded"/><bpmn:endEvent id="reminded"/>`,
);

const monthlyReview = (id: string, cycle: string) =>
  bpmn(
    id,
    `<bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeCycle>${cycle}</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
     <bpmn:sequenceFlow id="f1" sourceRef="tick" targetRef="review"/>
     <bpmn:userTask id="review" name="Review service levels" camunda:candidateGroups="service-level-managers"/>
     <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="done"/><bpmn:endEvent id="done"/>`,
  );

let failing = true;
const flaky: ServiceHandler = {
  name: 'notifyOnCall',
  description: 'test handler that fails while `failing` is set',
  run() {
    if (failing) throw new Error('paging service unavailable');
    return { paged: true };
  },
};

const paging = bpmn(
  'paging',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
   <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT15M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="page"/>
   <bpmn:serviceTask id="page" camunda:delegateExpression="\${notifyOnCall}"/>
   <bpmn:sequenceFlow id="f3" sourceRef="page" targetRef="done"/><bpmn:endEvent id="done"/>`,
);

describe('durable timers', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  const fire = () => t.app.get(Orchestrator).fireDueTimers('test-worker');
  const deploy = (xml: string) => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(xml).expect(201);
  const timersOf = async (instanceId: string) => (await t.as('auditor').get(`/api/timers?instanceId=${instanceId}`)).body.items;
  const history = async (instanceId: string) => (await t.as('auditor').get(`/api/instances/${instanceId}/history`)).body as { type: string; elementId: string; payload: any; actor: string }[];

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock, handlers: [flaky] });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('fires an interrupting boundary timer once, after a restart, never early', async () => {
    // given: an instance waiting at triage with a 4 h SLA timer
    await deploy(escalation);
    const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'sla-escalation' }).expect(201);
    const id = started.body.instance.id;
    const [job] = await timersOf(id);
    expect(job).toMatchObject({ elementId: 'slaBreached', kind: 'instance', status: 'pending', spec: 'PT4H' });
    expect(new Date(job.dueAt).getTime() - clock.now().getTime()).toBeGreaterThan(4 * HOUR - MINUTE);
    expect((await fire()).fired).toBe(0); // not due yet

    // when: the server stops, time passes the due date, a new server starts with its poller on
    await t.close();
    clock.advance(4 * HOUR + MINUTE);
    t = await createTestApp(db, { clock, handlers: [flaky], config: { timerPollMs: 25 } });
    await waitFor(async () => (await t.as('auditor').get(`/api/tasks?instanceId=${id}`)).body.items.some((x: { elementId: string }) => x.elementId === 'escalate'));
    await fire(); // a second attempt finds nothing

    // then: the escalation path ran exactly once and triage was interrupted
    const tasks = (await t.as('auditor').get(`/api/tasks?instanceId=${id}&status=open`)).body.items;
    expect(tasks.map((x: { elementId: string }) => x.elementId)).toEqual(['escalate']);
    expect((await t.as('auditor').get(`/api/tasks/${started.body.tasks[0].id}`)).body.status).toBe('cancelled');
    const events = await history(id);
    const fired = events.filter((e) => e.type === 'timer.fired');
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ elementId: 'slaBreached', payload: { jobId: job.id, dueAt: job.dueAt } });
    expect(new Date(fired[0]!.payload.firedAt).getTime()).toBeGreaterThanOrEqual(new Date(job.dueAt).getTime());
    expect(events.filter((e) => e.type === 'task.created' && e.elementId === 'escalate')).toHaveLength(1);
    expect(await timersOf(id)).toEqual([]);
    expect((await t.as('auditor').get(`/api/instances/${id}/history/verify`)).body.valid).toBe(true);
    await t.close();
    t = await createTestApp(db, { clock, handlers: [flaky] });
  });

  it('fires an R3/PT1H reminder three times and stops; completing the task first cancels the rest', async () => {
    // given
    const cab = await t.user({ username: 'carol', roles: ['staff'], groups: ['cab'] });
    await deploy(reminders);
    const a = (await t.as('alice').post('/api/instances').send({ definitionKey: 'approval-reminders' }).expect(201)).body;
    const b = (await t.as('alice').post('/api/instances').send({ definitionKey: 'approval-reminders' }).expect(201)).body;

    // when: four hours pass, one at a time; b's task is completed after the first reminder
    for (let hour = 1; hour <= 4; hour++) {
      clock.advance(HOUR + 1000);
      await fire();
      if (hour === 1) await cab.post(`/api/tasks/${b.tasks[0].id}/complete`).send({ variables: { approved: true } }).expect(200);
    }

    // then
    const firedA = (await history(a.instance.id)).filter((e) => e.type === 'timer.fired' && e.elementId === 'remind');
    expect(firedA).toHaveLength(3);
    expect(await timersOf(a.instance.id)).toEqual([]);
    expect((await t.as('auditor').get(`/api/tasks?instanceId=${a.instance.id}`)).body.items.map((x: { elementId: string }) => x.elementId)).toEqual(['approve']);
    const eventsB = await history(b.instance.id);
    expect(eventsB.filter((e) => e.type === 'timer.fired')).toHaveLength(1);
    expect(eventsB.filter((e) => e.type === 'timer.cancelled')).toHaveLength(1);
    expect(await timersOf(b.instance.id)).toEqual([]);
    const [row] = await t.sql.query(`SELECT count(*)::int AS n FROM timer_job WHERE instance_id = ANY($1)`, [[a.instance.id, b.instance.id]]);
    expect(row.n).toBe(0);
  });

  it('fires a cron reminder (weekdays 09:00) on each match', async () => {
    // given
    await deploy(reminders.replace('approval-reminders', 'cron-reminders').replace('R3/PT1H', '0 9 * * 1-5'));
    const id = (await t.as('alice').post('/api/instances').send({ definitionKey: 'cron-reminders' }).expect(201)).body.instance.id;
    const nextWeekday9 = (from: Date) => {
      const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate(), 9));
      while (d <= from || d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
      return d;
    };
    const [first] = await timersOf(id);
    const expected = nextWeekday9(clock.now());
    expect(first).toMatchObject({ elementId: 'remind', spec: '0 9 * * 1-5' });
    expect(Math.abs(new Date(first.dueAt).getTime() - expected.getTime())).toBeLessThan(2000);

    // when: time reaches the match
    clock.advance(new Date(first.dueAt).getTime() - clock.now().getTime() + 1000);
    await fire();

    // then: fired once, and re-armed for the next weekday 09:00
    expect((await history(id)).filter((e) => e.type === 'timer.fired' && e.elementId === 'remind')).toHaveLength(1);
    const [second] = await timersOf(id);
    expect(Math.abs(new Date(second.dueAt).getTime() - nextWeekday9(expected).getTime())).toBeLessThan(2000);
  });

  it('starts instances from a timer start cycle; a new version replaces the schedule; suspension stops it', async () => {
    // given
    const v1 = (await deploy(monthlyReview('sl-review', 'R/PT10M'))).body;
    const schedule = async () => (await t.as('auditor').get('/api/timers?definitionKey=sl-review&kind=start')).body.items;
    const instances = async () => (await t.as('auditor').get('/api/instances?key=sl-review')).body.total;
    expect(await schedule()).toEqual([expect.objectContaining({ definitionId: v1.id, elementId: 'tick', spec: 'R/PT10M' })]);

    // when: two periods pass
    clock.advance(10 * MINUTE + 1000);
    await fire();
    clock.advance(10 * MINUTE);
    await fire();

    // then: two instances, each waiting at its review task
    expect(await instances()).toBe(2);
    const tasks = (await t.as('auditor').get('/api/tasks?candidateGroup=service-level-managers')).body.items;
    expect(tasks).toHaveLength(2);

    // when: a new version is deployed
    const v2 = (await deploy(monthlyReview('sl-review', 'R/PT30M'))).body;

    // then: only the new schedule remains
    expect(await schedule()).toEqual([expect.objectContaining({ definitionId: v2.id, spec: 'R/PT30M' })]);
    clock.advance(30 * MINUTE + 1000);
    await fire();
    const list = (await t.as('auditor').get('/api/instances?key=sl-review')).body.items;
    expect(list).toHaveLength(3);
    expect(list[0].definitionVersion).toBe(2);

    // when: suspended, time passes
    await t.as('admin').post(`/api/definitions/${v2.id}/suspend`).expect(200);
    expect(await schedule()).toEqual([]);
    clock.advance(2 * HOUR);
    await fire();
    expect(await instances()).toBe(3);
    const refused = await t.as('alice').post('/api/instances').send({ definitionKey: 'sl-review' });
    expect(refused.status).toBe(409);

    // when: activated again
    await t.as('admin').post(`/api/definitions/${v2.id}/activate`).expect(200);
    expect(await schedule()).toHaveLength(1);
    clock.advance(30 * MINUTE + 1000);
    await fire();
    expect(await instances()).toBe(4);
  });

  it('retries a failing timer with backoff, then raises an incident that can be retried', async () => {
    // given: the paging service is down
    failing = true;
    await deploy(paging);
    const id = (await t.as('alice').post('/api/instances').send({ definitionKey: 'paging' }).expect(201)).body.instance.id;
    clock.advance(15 * MINUTE + 1000);

    const job = async () => (await timersOf(id))[0];

    // when: the timer fires and the paging handler fails, the timer's work commits and the service
    // task waits for its retry job (a technical handler failure never fails the command)
    expect((await fire()).fired).toBe(1);
    expect(await job()).toMatchObject({ elementId: 'page', spec: 'service-retry', status: 'pending', attempts: 0 });
    expect((await history(id)).filter((e) => e.type === 'timer.fired').map((e) => e.elementId)).toEqual(['wait']);
    clock.advance(10_000 + 1000);

    // when: three retries fail (each retry waits for its backoff)
    expect((await fire()).failed).toBe(1);
    expect(await job()).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/paging service unavailable/) });
    expect((await fire()).failed).toBe(0); // backoff: not yet
    clock.advance(10_000 + 1000);
    expect((await fire()).failed).toBe(1);
    clock.advance(40_000 + 1000);
    expect((await fire()).failed).toBe(1);
    clock.advance(HOUR);
    expect((await fire()).failed).toBe(0); // failed for good: an incident, no more attempts
    expect(await job()).toMatchObject({ status: 'failed', attempts: 3 });

    // then
    const incidents = (await t.as('auditor').get(`/api/incidents?instanceId=${id}`)).body.items;
    expect(incidents).toEqual([expect.objectContaining({ status: 'open', type: 'service-failed', elementId: 'page', attempts: 3, message: expect.stringMatching(/paging service unavailable/) })]);
    expect((await history(id)).filter((e) => e.type === 'incident.created')).toHaveLength(1);
    expect((await t.as('auditor').get(`/api/instances/${id}`)).body.status).toBe('running');

    // when: the service is back and the incident is retried
    failing = false;
    const retried = await t.as('admin').post(`/api/incidents/${incidents[0].id}/retry`);
    expect(retried.status).toBe(200);
    expect((await fire()).fired).toBe(1);

    // then
    const instance = (await t.as('auditor').get(`/api/instances/${id}`)).body;
    expect(instance).toMatchObject({ status: 'completed', variables: { paged: true } });
    expect((await t.as('auditor').get(`/api/incidents/${incidents[0].id}`)).body).toMatchObject({ status: 'resolved', resolvedBy: 'admin' });
    expect((await t.as('admin').post(`/api/incidents/${incidents[0].id}/retry`)).status).toBe(409);
    expect((await t.as('auditor').post(`/api/incidents/${incidents[0].id}/retry`)).status).toBe(403);
    expect((await t.as('auditor').get(`/api/instances/${id}/history/verify`)).body.valid).toBe(true);
  });

  it('fires the due timers of several instances in one transaction; a failing one is retried alone, the others fire once', async () => {
    // given: three instances whose 4 h escalation is due, and after them a paging retry that fails again
    failing = true;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await t.as('alice').post('/api/instances').send({ definitionKey: 'sla-escalation' }).expect(201)).body.instance.id);
    clock.advance(3 * HOUR + 45 * MINUTE - 5000);
    const pagingId = (await t.as('alice').post('/api/instances').send({ definitionKey: 'paging' }).expect(201)).body.instance.id;
    clock.advance(15 * MINUTE + 1000);
    await fire(); // the paging timer: the handler fails, its retry is due 10 s later (after the escalations)
    expect(await timersOf(pagingId)).toEqual([expect.objectContaining({ spec: 'service-retry', attempts: 0 })]);
    clock.advance(MINUTE);

    // when: fired as the poller fires them on PostgreSQL, up to 8 instances per transaction
    const summary = await t.app.get(Orchestrator).fireDueTimers('group-worker', { batchSize: 64, concurrency: 2, groupSize: 8 });

    // then: the retry's failure is recorded once; each escalation fired once, then and there
    expect(summary.failed).toBe(1);
    expect(await timersOf(pagingId)).toEqual([expect.objectContaining({ spec: 'service-retry', status: 'pending', attempts: 1, lastError: expect.stringMatching(/paging service unavailable/) })]);
    for (const id of ids) {
      expect((await history(id)).filter((e) => e.type === 'timer.fired').map((e) => e.elementId)).toEqual(['slaBreached']);
      expect((await t.as('auditor').get(`/api/tasks?instanceId=${id}&status=open`)).body.items.map((x: { elementId: string }) => x.elementId)).toEqual(['escalate']);
      expect((await t.as('auditor').get(`/api/instances/${id}/history/verify`)).body.valid).toBe(true);
    }
    expect(await timersOf(ids[0]!)).toEqual([]);
    failing = false;
  });

  it('lets another worker take over a claim whose worker died; the late worker fires nothing', async () => {
    // given: a due timer claimed by a worker that then dies
    await deploy(escalation.replace('sla-escalation', 'claims'));
    const id = (await t.as('alice').post('/api/instances').send({ definitionKey: 'claims' }).expect(201)).body.instance.id;
    clock.advance(4 * HOUR + MINUTE);
    const claimer = new TypeormTimerClaimer(t.sql);
    const claimed = await claimer.claimDue('dead-worker', 100, 200, clock.offsetMs());
    expect(claimed.length).toBeGreaterThanOrEqual(1);

    // when: another worker polls before and after the claim expires
    const before = await t.app.get(Orchestrator).fireDueTimers('worker-b');
    await new Promise((r) => setTimeout(r, 300));
    const after = await t.app.get(Orchestrator).fireDueTimers('worker-b');

    // then
    expect(before.claimed).toBe(0);
    expect(after.fired).toBeGreaterThanOrEqual(1);
    expect((await history(id)).filter((e) => e.type === 'timer.fired')).toHaveLength(1);
  });

  it('refuses a movable clock in production mode', async () => {
    await expect(createApp(testConfig(db, { production: true }), { clock })).rejects.toThrow(/refused in production/);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached in time');
}


const slaProcess = bpmn(
  'sla-clock',
  `<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="startSla"/>
   ${startSlaTask('startSla', 'resolution', 'PT4H', '24x7')}
   <bpmn:sequenceFlow id="f2" sourceRef="startSla" targetRef="resolve"/>
   <bpmn:userTask id="resolve" name="Resolve" camunda:candidateGroups="servicedesk"/>
   <bpmn:boundaryEvent id="breach" attachedToRef="resolve"><bpmn:timerEventDefinition><bpmn:timeDate>\${sla.resolution.dueAt}</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:boundaryEvent>
   <bpmn:boundaryEvent id="warn75" attachedToRef="resolve" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDate>\${sla.resolution.escalations.at75}</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:boundaryEvent>
   <bpmn:sequenceFlow id="f3" sourceRef="resolve" targetRef="done"/><bpmn:endEvent id="done"/>
   <bpmn:sequenceFlow id="f4" sourceRef="breach" targetRef="breached"/><bpmn:userTask id="breached" camunda:candidateGroups="incident-managers"/>
   <bpmn:sequenceFlow id="f5" sourceRef="breached" targetRef="end2"/><bpmn:endEvent id="end2"/>
   <bpmn:sequenceFlow id="f6" sourceRef="warn75" targetRef="warned"/><bpmn:endEvent id="warned"/>`,
);

describe('SLA clocks', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const clock = new ManualClock();
  const fire = () => t.app.get(Orchestrator).fireDueTimers('sla-worker');

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, { clock });
    await t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').send(slaProcess).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('pausing for 3 hours moves the due date and re-arms the timers; the breach fires only at the new due date', async () => {
    // given: a 4 h resolution target (24x7) with a breach timer and a 75 % warning
    const started = (await t.as('alice').post('/api/instances').send({ definitionKey: 'sla-clock' }).expect(201)).body;
    const id = started.instance.id;
    const sla0 = started.instance.variables.sla.resolution;
    expect(sla0).toMatchObject({ status: 'running', calendar: '24x7', targetMs: 4 * HOUR, pauses: [] });
    const jobs0 = (await t.as('auditor').get(`/api/timers?instanceId=${id}`)).body.items;
    expect(jobs0.map((j: { elementId: string; dueAt: string }) => [j.elementId, j.dueAt]).sort()).toEqual(
      [['breach', sla0.dueAt], ['warn75', sla0.escalations.at75]].sort(),
    );

    // when: one hour in, the clock pauses for three hours (awaiting customer)
    clock.advance(HOUR);
    const paused = await t.as('alice').post(`/api/instances/${id}/sla/resolution/pause`).send({ reason: 'awaiting customer' });
    expect(paused.status).toBe(200);
    expect(paused.body.instance.variables.sla.resolution).toMatchObject({ status: 'paused', dueAt: null });
    expect((await t.as('alice').post(`/api/instances/${id}/sla/resolution/pause`).send({ reason: 'again' })).status).toBe(409);
    clock.advance(3 * HOUR + MINUTE); // past the original due date
    expect((await fire()).fired).toBe(0); // parked: nothing fires while paused
    const resumed = await t.as('alice').post(`/api/instances/${id}/sla/resolution/resume`).send({});

    // then: the due date moved by exactly the paused time; the jobs follow it
    expect(resumed.status).toBe(200);
    const sla1 = resumed.body.instance.variables.sla.resolution;
    const pausedMs = new Date(sla1.pauses[0].to).getTime() - new Date(sla1.pauses[0].from).getTime();
    expect(pausedMs).toBeGreaterThanOrEqual(3 * HOUR + MINUTE); // (+ the few ms real time takes between the calls)
    expect(pausedMs).toBeLessThan(3 * HOUR + MINUTE + 5000);
    expect(new Date(sla1.dueAt).getTime() - new Date(sla0.dueAt).getTime()).toBe(pausedMs);
    const jobs1 = (await t.as('auditor').get(`/api/timers?instanceId=${id}`)).body.items;
    expect(jobs1.find((j: { elementId: string }) => j.elementId === 'breach').dueAt).toBe(sla1.dueAt);

    // when: a user command resumes the engine after the ORIGINAL due date: no early breach
    expect((await t.as('auditor').get(`/api/tasks?instanceId=${id}`)).body.items.map((x: { elementId: string }) => x.elementId)).toEqual(['resolve']);
    const unclaimed = await t.as('alice').post(`/api/tasks/${started.tasks[0].id}/claim`);
    expect(unclaimed.status).toBe(200);

    // when: time reaches the new due date
    clock.advance(new Date(sla1.dueAt).getTime() - clock.now().getTime() + 1000);
    await fire();

    // then: warned once, breached once
    const events = (await t.as('auditor').get(`/api/instances/${id}/history`)).body as { type: string; elementId: string }[];
    expect(events.filter((e) => e.type === 'timer.fired').map((e) => e.elementId).sort()).toEqual(['breach', 'warn75']);
    expect(events.filter((e) => e.type === 'timer.rearmed')).toHaveLength(4);
    expect((await t.as('auditor').get(`/api/tasks?instanceId=${id}`)).body.items.map((x: { elementId: string }) => x.elementId)).toEqual(['breached']);
    expect((await t.as('auditor').get(`/api/instances/${id}/history/verify`)).body.valid).toBe(true);
  });

  it('fires the overdue timers of many instances side by side, each instance\'s in due order', async () => {
    // given: six instances whose 75 % warning and breach are both overdue
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await t.as('alice').post('/api/instances').send({ definitionKey: 'sla-clock' }).expect(201)).body.instance.id);
    clock.advance(5 * HOUR);

    // when: the poller's way on PostgreSQL, several transactions at once, several instances in each
    const summary = await t.app.get(Orchestrator).fireDueTimers('sla-worker', { batchSize: 64, concurrency: 4, groupSize: 4 });

    // then: every warning fired before its breach (a breach first would cancel the warning), once each
    expect(summary).toMatchObject({ claimed: 12, fired: 12, failed: 0 });
    for (const id of ids) {
      const events = (await t.as('auditor').get(`/api/instances/${id}/history`)).body as { type: string; elementId: string }[];
      expect(events.filter((e) => e.type === 'timer.fired').map((e) => e.elementId)).toEqual(['warn75', 'breach']);
      expect((await t.as('auditor').get(`/api/tasks?instanceId=${id}`)).body.items.map((x: { elementId: string }) => x.elementId)).toEqual(['breached']);
    }
  });

  it('claims batch after batch while they come back full; each instance\'s timers fire once, in due order, across batches', async () => {
    // given: six instances whose 75 % warning and breach are both overdue (claimed in due order:
    // the six warnings, then the six breaches)
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await t.as('alice').post('/api/instances').send({ definitionKey: 'sla-clock' }).expect(201)).body.instance.id);
    clock.advance(5 * HOUR);

    // when: batches of 5 (three claims), so a breach may be claimed while its instance's warning still fires
    const summary = await t.app.get(Orchestrator).fireDueTimers('sla-worker', { batchSize: 5, concurrency: 4, groupSize: 2, maxBatches: 10 });

    // then: every job claimed and fired once (a breach before its warning would cancel the warning), in due order
    expect(summary).toMatchObject({ claimed: 12, fired: 12, skipped: 0, failed: 0 });
    for (const id of ids) {
      const events = (await t.as('auditor').get(`/api/instances/${id}/history`)).body as { type: string; elementId: string }[];
      expect(events.filter((e) => e.type === 'timer.fired').map((e) => e.elementId)).toEqual(['warn75', 'breach']);
      expect((await t.as('auditor').get(`/api/tasks?instanceId=${id}`)).body.items.map((x: { elementId: string }) => x.elementId)).toEqual(['breached']);
    }
  });

  it('answers 404 for an unknown SLA clock', async () => {
    const started = (await t.as('alice').post('/api/instances').send({ definitionKey: 'sla-clock' }).expect(201)).body;
    const res = await t.as('alice').post(`/api/instances/${started.instance.id}/sla/response/pause`).send({ reason: 'x' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('SLA_NOT_FOUND');
  });
});
