import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn } from '../support/bpmn';

/**
 * Hostile diagrams and hostile values for their timers: each is refused with a 4xx problem that
 * names the rule and the element, or runs correctly; nothing hangs, nothing is stored by a refused
 * command, and the server answers health right after each attempt.
 */

const REQUEST_TIMEOUT_MS = 15_000;

const flow = (id: string, from: string, to: string) => `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"/>`;
const timer = (field: string, value: string) => `<bpmn:timerEventDefinition><bpmn:${field}>${value}</bpmn:${field}></bpmn:timerEventDefinition>`;

/** start → user task (with a boundary timer) → end. */
const withBoundaryTimer = (key: string, field: string, value: string, interrupting = false) =>
  bpmn(
    key,
    `<bpmn:startEvent id="s"/>${flow('f1', 's', 'work')}<bpmn:userTask id="work" camunda:candidateGroups="servicedesk"/>${flow('f2', 'work', 'e')}<bpmn:endEvent id="e"/>
     <bpmn:boundaryEvent id="remind" attachedToRef="work" cancelActivity="${interrupting}">${timer(field, value)}</bpmn:boundaryEvent>${flow('f3', 'remind', 'e2')}<bpmn:endEvent id="e2"/>`,
  );

/** start → first task → timer catch → end: the timer is reached when `first` is completed. */
const timerAfterTask = (key: string, field: string, value: string) =>
  bpmn(
    key,
    `<bpmn:startEvent id="s"/>${flow('f1', 's', 'first')}<bpmn:userTask id="first" camunda:candidateGroups="servicedesk"/>${flow('f2', 'first', 'wait')}
     <bpmn:intermediateCatchEvent id="wait">${timer(field, value)}</bpmn:intermediateCatchEvent>${flow('f3', 'wait', 'e')}<bpmn:endEvent id="e"/>`,
  );

describe('hostile diagrams and timer values', () => {
  let db: TestDatabase;
  let t: ApiTestApp;

  const counts = async () => {
    const [row] = await t.sql.query(
      `SELECT (SELECT count(*) FROM process_definition)::int AS definitions, (SELECT count(*) FROM process_instance)::int AS instances,
              (SELECT count(*) FROM user_task)::int AS tasks, (SELECT count(*) FROM timer_job)::int AS timers,
              (SELECT count(*) FROM history_event)::int AS history, (SELECT COALESCE(sum(revision), 0) FROM process_instance)::int AS revisions`,
    );
    return row;
  };
  const deploy = (xml: string | Buffer) => t.as('admin').post('/api/definitions').set('Content-Type', 'application/xml').timeout(REQUEST_TIMEOUT_MS).send(xml);
  const healthy = async () => {
    const started = Date.now();
    const res = await t.http.get('/api/health').timeout(2000);
    expect(res.status).toBe(200);
    return Date.now() - started;
  };
  /** A refused deploy: 422 problem+json naming the rule (and element), nothing stored, health fine. */
  const expectRefused = async (xml: string, rule: string, elementId?: string) => {
    const before = await counts();
    const res = await deploy(xml);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = (res.body.problems as { rule: string; elementId?: string; message: string }[]).find((p) => p.rule === rule);
    expect(problem).toEqual(expect.objectContaining({ rule, message: expect.any(String), ...(elementId ? { elementId } : {}) }));
    expect(await counts()).toEqual(before);
    await healthy();
    return res;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  describe('timer cycles that never advance', () => {
    it.each([
      ['timeCycle', 'R/PT0S'],
      ['timeCycle', 'R/P0D'],
      ['timeCycle', 'R/PT0.0S'],
      ['timeCycle', 'R5/PT0M'],
      ['timeCycle', 'R/P0Y0M0DT0H0M0S'],
      ['timeCycle', 'R/2026-01-01T00:00:00Z/PT0S'],
      ['timeCycle', 'R/PT0.001S'],
      ['timeCycle', 'R/0001-01-01T00:00:00Z/PT1S'],
      ['timeDuration', 'R/PT0S'],
      ['timeDate', '+275760-09-13T00:00:00Z'],
      ['timeDuration', 'P9000Y'],
    ])('refuses a boundary timer with %s %s at deploy', async (field, value) => {
      await expectRefused(withBoundaryTimer('zero_cycle', field, value), 'timer-invalid', 'remind');
    });

    it('refuses a zero-period cycle on a timer start event and on an event sub-process start', async () => {
      await expectRefused(bpmn('zero_start', `<bpmn:startEvent id="tick">${timer('timeCycle', 'R/PT0S')}</bpmn:startEvent>${flow('f1', 'tick', 'e')}<bpmn:endEvent id="e"/>`), 'timer-invalid', 'tick');
      await expectRefused(
        bpmn(
          'zero_esp',
          `<bpmn:startEvent id="s"/>${flow('f1', 's', 'work')}<bpmn:userTask id="work" camunda:candidateGroups="servicedesk"/>${flow('f2', 'work', 'e')}<bpmn:endEvent id="e"/>
           <bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="espStart" isInterrupting="false">${timer('timeCycle', 'R/PT0S')}</bpmn:startEvent>${flow('f3', 'espStart', 'espEnd')}<bpmn:endEvent id="espEnd"/></bpmn:subProcess>`,
        ),
        'timer-invalid',
        'espStart',
      );
    });

    it('still deploys and arms a valid cycle (R/PT1H)', async () => {
      expect((await deploy(withBoundaryTimer('valid_cycle', 'timeCycle', 'R/PT1H'))).status).toBe(201);
      const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'valid_cycle' }).expect(201);
      const [{ n }] = await t.sql.query(`SELECT count(*)::int AS n FROM timer_job WHERE instance_id = $1`, [started.body.instance.id]);
      expect(n).toBe(1);
    });
  });

  describe('timer values supplied at run time', () => {
    beforeAll(async () => {
      expect((await deploy(withBoundaryTimer('runtime_cycle', 'timeCycle', '${reminder}'))).status).toBe(201);
      expect((await deploy(timerAfterTask('runtime_date', 'timeDate', '${due}'))).status).toBe(201);
      expect(
        (
          await deploy(
            bpmn(
              'runtime_esp',
              `<bpmn:startEvent id="s"/>${flow('f1', 's', 'work')}<bpmn:userTask id="work" camunda:candidateGroups="servicedesk"/>${flow('f2', 'work', 'e')}<bpmn:endEvent id="e"/>
               <bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="espStart" isInterrupting="false">${timer('timeCycle', '${every}')}</bpmn:startEvent>${flow('f3', 'espStart', 'espEnd')}<bpmn:endEvent id="espEnd"/></bpmn:subProcess>`,
            ),
          )
        ).status,
      ).toBe(201);
    });

    it.each([
      ['runtime_cycle', { reminder: 'R/PT0S' }, 'remind'],
      ['runtime_cycle', { reminder: 'R/P0D' }, 'remind'],
      ['runtime_cycle', { reminder: 'R/0001-01-01T00:00:00Z/PT1S' }, 'remind'],
      ['runtime_cycle', { reminder: 12 }, 'remind'],
      ['runtime_esp', { every: 'R/PT0S' }, 'espStart'],
    ])('refuses to start %s with %j: 422 naming the element, nothing stored', async (key, variables, elementId) => {
      const before = await counts();
      const res = await t.as('alice').post('/api/instances').timeout(REQUEST_TIMEOUT_MS).send({ definitionKey: key, variables });
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.detail).toContain(`"${elementId}"`);
      expect(await counts()).toEqual(before);
      await healthy();
    });

    it('refuses a completion whose timeDate variable lies beyond the year 9999, and the task stays open', async () => {
      const started = await t.as('alice').post('/api/instances').send({ definitionKey: 'runtime_date' }).expect(201);
      const task = started.body.tasks[0];
      const before = await counts();
      const res = await t.as('alice').post(`/api/tasks/${task.id}/complete`).timeout(REQUEST_TIMEOUT_MS).send({ variables: { due: '+275760-09-13T00:00:00Z' } });
      expect(res.status).toBe(422);
      expect(res.body.detail).toContain('"wait"');
      expect(res.body.detail).toMatch(/9999/);
      expect(await counts()).toEqual(before);
      expect((await t.as('alice').get(`/api/tasks/${task.id}`).expect(200)).body.status).toBe('open');
      // the same completion with a usable date goes through and arms the timer
      await t.as('alice').post(`/api/tasks/${task.id}/complete`).send({ variables: { due: '2999-01-01T00:00:00Z' } }).expect(200);
      const [{ due }] = await t.sql.query(`SELECT due_at AS due FROM timer_job WHERE instance_id = $1`, [started.body.instance.id]);
      expect(new Date(due).toISOString()).toBe('2999-01-01T00:00:00.000Z');
    });

    it('treats a user task due date beyond the year 9999 or a priority beyond int4 as absent, as it treats unparsable ones', async () => {
      const xml = bpmn('runtime_task_meta', `<bpmn:startEvent id="s"/>${flow('f1', 's', 'work')}<bpmn:userTask id="work" camunda:candidateGroups="servicedesk" camunda:dueDate="\${due}" camunda:priority="\${p}"/>${flow('f2', 'work', 'e')}<bpmn:endEvent id="e"/>`);
      expect((await deploy(xml)).status).toBe(201);
      const res = await t.as('alice').post('/api/instances').timeout(REQUEST_TIMEOUT_MS).send({ definitionKey: 'runtime_task_meta', variables: { due: '+275760-09-13T00:00:00Z', p: 1e12 } });
      expect(res.status).toBe(201);
      expect(res.body.tasks[0]).toEqual(expect.objectContaining({ dueAt: null, priority: 50 }));
    });

    it('starts with a usable run-time cycle', async () => {
      await t.as('alice').post('/api/instances').send({ definitionKey: 'runtime_cycle', variables: { reminder: 'R3/PT10M' } }).expect(201);
    });
  });

  describe('structure', () => {
    it('refuses a boundary event without an event definition', async () => {
      await expectRefused(
        bpmn('bare_boundary', `<bpmn:startEvent id="s"/>${flow('f1', 's', 'work')}<bpmn:userTask id="work" camunda:candidateGroups="servicedesk"/>${flow('f2', 'work', 'e')}<bpmn:endEvent id="e"/><bpmn:boundaryEvent id="bare" attachedToRef="work"/>${flow('f3', 'bare', 'e')}`),
        'boundary-without-trigger',
        'bare',
      );
    });

    it('refuses an incoming or outgoing list naming a flow that does not exist', async () => {
      await expectRefused(
        bpmn('ghost_flow', `<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>${flow('f1', 's', 'work')}<bpmn:userTask id="work" camunda:candidateGroups="servicedesk"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>ghost</bpmn:incoming></bpmn:userTask>${flow('f2', 'work', 'e')}<bpmn:endEvent id="e"/>`),
        'missing-flow',
        'work',
      );
    });

    it('refuses a message flow between two elements of the same pool', async () => {
      const xml = bpmn('one_pool', `<bpmn:startEvent id="s"/>${flow('f1', 's', 'send')}<bpmn:task id="send"/>${flow('f2', 'send', 'receive')}<bpmn:receiveTask id="receive" messageRef="m"/>${flow('f3', 'receive', 'e')}<bpmn:endEvent id="e"/>`)
        .replace('<bpmn:process', '<bpmn:message id="m" name="m"/><bpmn:collaboration id="c"><bpmn:participant id="pool" processRef="one_pool"/><bpmn:messageFlow id="mf" sourceRef="send" targetRef="receive"/></bpmn:collaboration><bpmn:process');
      await expectRefused(xml, 'message-flow-same-pool', 'mf');
    });

    it('refuses both loop markers on one task', async () => {
      await expectRefused(
        bpmn(
          'two_loops',
          `<bpmn:startEvent id="s"/>${flow('f1', 's', 'work')}<bpmn:userTask id="work" camunda:candidateGroups="servicedesk"><bpmn:standardLoopCharacteristics loopMaximum="3"><bpmn:loopCondition>\${false}</bpmn:loopCondition></bpmn:standardLoopCharacteristics><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>${flow('f2', 'work', 'e')}<bpmn:endEvent id="e"/>`,
        ),
        'loop-markers',
        'work',
      );
    });

    it.each(['10000000', '1001'])('refuses a literal loopCardinality of %s', async (cardinality) => {
      await expectRefused(
        bpmn('huge_loop', `<bpmn:startEvent id="s"/>${flow('f1', 's', 'work')}<bpmn:userTask id="work" camunda:candidateGroups="servicedesk"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>${cardinality}</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>${flow('f2', 'work', 'e')}<bpmn:endEvent id="e"/>`),
        'loop-too-large',
        'work',
      );
    });

    it('refuses a 1.8 MB chain of 40,000 elements at once, without a memory spike', async () => {
      const parts = ['<startEvent id="s"/>'];
      for (let i = 0; i < 20_000; i++) parts.push(`<task id="t${i}"/><sequenceFlow id="f${i}" sourceRef="${i ? `t${i - 1}` : 's'}" targetRef="t${i}"/>`);
      const xml = `<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x"><process id="chain" isExecutable="true">${parts.join('')}</process></definitions>`;
      expect(xml.length).toBeGreaterThan(1_600_000);
      const rss = process.memoryUsage().rss;
      const started = Date.now();
      await expectRefused(xml, 'too-many-elements');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(process.memoryUsage().rss - rss).toBeLessThan(300 * 1024 * 1024);
    });

    it('refuses more flow elements than the limit, and nesting deeper than the limit', async () => {
      const parts = ['<bpmn:startEvent id="s"/>'];
      for (let i = 0; i < 1_100; i++) parts.push(`<bpmn:task id="t${i}"/>${flow(`f${i}`, i ? `t${i - 1}` : 's', `t${i}`)}`);
      await expectRefused(bpmn('wide', parts.join('')), 'too-many-flow-elements');
      let nested = '<bpmn:task id="inner"/>';
      for (let i = 0; i < 80; i++) nested = `<bpmn:subProcess id="sp${i}">${nested}</bpmn:subProcess>`;
      await expectRefused(bpmn('deep', `<bpmn:startEvent id="s"/>${nested}`), 'xml-depth');
    });

    it('refuses NUL and lone surrogates written as character references', async () => {
      const base = bpmn('charrefs', `<bpmn:startEvent id="s"/>${flow('f1', 's', 'work')}<bpmn:userTask id="work" name="NAME" camunda:candidateGroups="servicedesk"/>${flow('f2', 'work', 'e')}<bpmn:endEvent id="e"/>`);
      await expectRefused(base.replace('NAME', 'a&#0;b'), 'xml-forbidden-character');
      await expectRefused(base.replace('NAME', 'a&#xD800;b'), 'xml-forbidden-character');
      await expectRefused(base.replace('NAME', 'a&#x1;b'), 'xml-forbidden-character');
    });
  });

  describe('compensation', () => {
    // bpmn-engine runs compensation handlers; verified here end to end, automatic and with a user task.
    it('runs an automatic compensation handler to completion', async () => {
      const xml = bpmn(
        'compensate_auto',
        `<bpmn:startEvent id="s"/>${flow('f1', 's', 'book')}<bpmn:task id="book"/><bpmn:boundaryEvent id="onUndo" attachedToRef="book"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>
         <bpmn:task id="unbook" isForCompensation="true"/>${flow('f2', 'book', 'undo')}<bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>${flow('f3', 'undo', 'e')}<bpmn:endEvent id="e"/>
         <bpmn:association id="a1" associationDirection="One" sourceRef="onUndo" targetRef="unbook"/>`,
      );
      expect((await deploy(xml)).status).toBe(201);
      const res = await t.as('alice').post('/api/instances').timeout(REQUEST_TIMEOUT_MS).send({ definitionKey: 'compensate_auto' });
      expect(res.status).toBe(201);
      expect(res.body.instance.status).toBe('completed');
      const history = await t.as('admin').get(`/api/instances/${res.body.instance.id}/history`).expect(200);
      expect(JSON.stringify(history.body)).toContain('unbook');
      await healthy();
    });

    it('creates the user task of a compensation handler when an end event compensates', async () => {
      const xml = bpmn(
        'compensate_user',
        `<bpmn:startEvent id="s"/>${flow('f1', 's', 'book')}<bpmn:userTask id="book" camunda:candidateGroups="servicedesk"/><bpmn:boundaryEvent id="onUndo" attachedToRef="book"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>
         <bpmn:userTask id="unbook" isForCompensation="true" camunda:candidateGroups="servicedesk"/>${flow('f2', 'book', 'undo')}<bpmn:endEvent id="undo"><bpmn:compensateEventDefinition/></bpmn:endEvent>
         <bpmn:association id="a1" associationDirection="One" sourceRef="onUndo" targetRef="unbook"/>`,
      );
      expect((await deploy(xml)).status).toBe(201);
      const started = await t.as('alice').post('/api/instances').timeout(REQUEST_TIMEOUT_MS).send({ definitionKey: 'compensate_user' }).expect(201);
      const done = await t.as('alice').post(`/api/tasks/${started.body.tasks[0].id}/complete`).timeout(REQUEST_TIMEOUT_MS).send({});
      expect(done.status).toBe(200);
      const tasks = await t.as('admin').get(`/api/tasks?instanceId=${started.body.instance.id}&status=open`).expect(200);
      expect(tasks.body.items.map((task: { elementId: string }) => task.elementId)).toEqual(['unbook']);
      const undone = await t.as('alice').post(`/api/tasks/${tasks.body.items[0].id}/complete`).timeout(REQUEST_TIMEOUT_MS).send({}).expect(200);
      expect(undone.body.instance.status).toBe('completed');
      await healthy();
    });
  });

  describe('raw bytes', () => {
    it('refuses a raw NUL byte in a BPMN attribute with 400 naming where it is', async () => {
      const before = await counts();
      const xml = bpmn('raw_nul', `<bpmn:startEvent id="s" name="a\u0000b"/>${flow('f1', 's', 'e')}<bpmn:endEvent id="e"/>`);
      const raw = await deploy(Buffer.from(xml));
      expect(raw.status).toBe(400);
      expect(raw.body.detail).toMatch(/NUL character at line \d+, column \d+/);
      const upload = await t.as('admin').post('/api/definitions').attach('file', Buffer.from(xml), 'model.bpmn');
      expect(upload.status).toBe(400);
      expect(upload.body.detail).toMatch(/file field "file" \(model.bpmn\) contains a NUL character/);
      expect(await counts()).toEqual(before);
    });
  });
});
