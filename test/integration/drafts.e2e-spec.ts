import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';
import { bpmn } from '../support/bpmn';
import { dmnTable } from '../support/dmn';

/** start → triage (a form) → end; `extra` adds a second user task with its own form. */
const PROCESS = (key: string, extra = false) =>
  bpmn(
    key,
    `<bpmn:startEvent id="start"/>
     <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="triage"/>
     <bpmn:userTask id="triage" name="Triage" camunda:candidateGroups="servicedesk" camunda:formRef="triage-form"/>
     ${
       extra
         ? `<bpmn:sequenceFlow id="f2" sourceRef="triage" targetRef="review"/>
            <bpmn:userTask id="review" name="Review" camunda:candidateGroups="servicedesk" camunda:formRef="review-form"/>
            <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end"/>`
         : `<bpmn:sequenceFlow id="f2" sourceRef="triage" targetRef="end"/>`
     }
     <bpmn:endEvent id="end"/>`,
  );
const form = (id: string) => JSON.stringify({ id, type: 'default', schemaVersion: 16, components: [{ type: 'textfield', key: 'summary', label: 'Summary' }] });
const TRIAGE = { name: 'triage.form', content: form('triage-form') };
const REVIEW = { name: 'review.form', content: form('review-form') };
const DMN = { name: 'route.dmn', content: dmnTable('draft_route', { inputs: ['impact'], outputs: ['team'], rules: [[['"high"'], ['"l2"']], [['-'], ['"l1"']]] }) };

interface Draft {
  id: string;
  key: string;
  revision: number;
  comment: string;
  updatedBy: string;
  bpmn: string;
  forms: { name: string; content: string }[];
  decisions: { name: string; content: string }[];
  pendingRequestId: string | null;
}

describe('drafts and governed deployment', () => {
  let db: TestDatabase;
  let t: ApiTestApp;
  const versions = async (key: string) => (await t.as('admin').get(`/api/definitions/key/${key}/versions`).expect(200)).body as { id: string; version: number }[];
  const requests = async (user = 'admin', query = '') => (await t.as(user).get(`/api/deploy-requests${query}`).expect(200)).body as Record<string, unknown>[];

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
    await t.user({ username: 'owner2', roles: ['process-owner'] });
    // v1 of "gov_flow", owned by `owner`
    await t.as('admin').post('/api/drafts').send({ bpmn: PROCESS('gov_flow'), forms: [TRIAGE], comment: 'first version' }).expect(201);
    const [first] = (await t.as('admin').get('/api/drafts?key=gov_flow').expect(200)).body as Draft[];
    await t.as('admin').post(`/api/drafts/${first!.id}/deploy`).send({}).expect(201);
    await t.as('admin').put('/api/definitions/key/gov_flow/owners').send({ usernames: ['owner'] }).expect(200);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  let draft: Draft;

  it('saves a draft with its forms and decision tables; each PUT appends a revision with author, time and comment', async () => {
    // given a process owner of the key
    const base = (await versions('gov_flow'))[0]!;
    // when they save a draft and then a second revision
    const created = await t.as('owner').post('/api/drafts').send({ bpmn: PROCESS('gov_flow'), forms: [TRIAGE], comment: 'start', baseDefinitionId: base.id }).expect(201);
    expect(created.headers.location).toBe(`/api/drafts/${created.body.id}`);
    expect(created.body).toMatchObject({ key: 'gov_flow', revision: 1, baseVersion: 1, createdBy: 'owner', comment: 'start', formCount: 1 });
    const saved = await t
      .as('owner')
      .put(`/api/drafts/${created.body.id}`)
      .send({ bpmn: PROCESS('gov_flow', true), forms: [TRIAGE, REVIEW], decisions: [DMN], comment: 'adds a review step', revision: 1 })
      .expect(200);
    draft = saved.body;
    // then the draft shows the latest revision, lists both, and keeps revision 1 readable
    expect(draft).toMatchObject({ revision: 2, comment: 'adds a review step', updatedBy: 'owner', formCount: 2, decisionCount: 1 });
    expect(draft.bpmn).toContain('id="review"');
    const revisions = (await t.as('auditor').get(`/api/drafts/${draft.id}/revisions`).expect(200)).body;
    expect(revisions.map((r: { revision: number; comment: string; author: string }) => [r.revision, r.comment, r.author])).toEqual([
      [2, 'adds a review step', 'owner'],
      [1, 'start', 'owner'],
    ]);
    const old = (await t.as('owner').get(`/api/drafts/${draft.id}?revision=1`).expect(200)).body;
    expect(old).toMatchObject({ shownRevision: 1, revision: 2 });
    expect(old.bpmn).not.toContain('id="review"');
    const listed = (await t.as('owner').get('/api/drafts?key=gov_flow').expect(200)).body as Draft[];
    expect(listed[0]).toMatchObject({ id: draft.id, revision: 2 });
    expect(listed[0]).not.toHaveProperty('bpmn');
  });

  it('refuses a stale save, a changed process id and bad content with problem+json, changing nothing', async () => {
    const stale = await t.as('owner').put(`/api/drafts/${draft.id}`).send({ bpmn: PROCESS('gov_flow'), comment: 'x', revision: 1 }).expect(409);
    expect(stale.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(stale.body.detail).toMatch(/saved meanwhile/);
    await t.as('owner').put(`/api/drafts/${draft.id}`).send({ bpmn: PROCESS('other_key'), comment: 'x', revision: 2 }).expect(400);
    await t.as('owner').put(`/api/drafts/${draft.id}`).send({ bpmn: PROCESS('gov_flow'), revision: 2 }).expect(400); // no comment
    await t.as('owner').put(`/api/drafts/${draft.id}`).send({ bpmn: '<not xml', comment: 'x', revision: 2 }).expect(422);
    await t.as('owner').put(`/api/drafts/${draft.id}`).send({ bpmn: PROCESS('gov_flow'), forms: [{ name: 'a.form', content: '[1]' }], comment: 'x', revision: 2 }).expect(422);
    await t.as('owner').put(`/api/drafts/${draft.id}`).send({ bpmn: PROCESS('gov_flow'), forms: [{ name: '../a.form', content: '{}' }], comment: 'x', revision: 2 }).expect(400);
    await t.as('owner').put(`/api/drafts/${draft.id}`).send({ bpmn: PROCESS('gov_flow'), decisions: [{ name: 'a.dmn', content: '<x/>' }], comment: 'x', revision: 2 }).expect(422);
    await t.as('owner').put(`/api/drafts/${draft.id}`).send({ bpmn: PROCESS('gov_flow'), comment: 'x', revision: 2, extra: 1 }).expect(400);
    await t.as('owner').get('/api/drafts/not-a-uuid').expect(404);
    await t.as('owner').get('/api/drafts/00000000-0000-4000-8000-000000000000').expect(404);
    expect((await t.as('owner').get(`/api/drafts/${draft.id}`).expect(200)).body.revision).toBe(2);
  });

  it('lets only administrators and the key’s process owners write drafts; staff read nothing', async () => {
    await t.as('alice').get('/api/drafts').expect(403);
    await t.as('alice').post('/api/drafts').send({ bpmn: PROCESS('gov_flow'), comment: 'x' }).expect(403);
    await t.as('auditor').post('/api/drafts').send({ bpmn: PROCESS('gov_flow'), comment: 'x' }).expect(403);
    // owner2 owns nothing: not this key, but a new key is fine
    const refused = await t.as('owner2').post('/api/drafts').send({ bpmn: PROCESS('gov_flow'), comment: 'x' }).expect(403);
    expect(refused.body.detail).toMatch(/not a process owner of "gov_flow"/);
    await t.as('owner2').put(`/api/drafts/${draft.id}`).send({ bpmn: PROCESS('gov_flow'), comment: 'x', revision: 2 }).expect(403);
    await t.as('owner2').get(`/api/drafts/${draft.id}`).expect(404);
    await t.as('owner2').post('/api/drafts').send({ bpmn: PROCESS('brand_new'), forms: [TRIAGE], comment: 'new process' }).expect(201);
  });

  let requestId: string;

  it('a process owner submits; staff, auditors and administrators cannot submit; one pending request per key', async () => {
    await t.as('alice').post('/api/deploy-requests').send({ draftId: draft.id, comment: 'please' }).expect(403);
    await t.as('auditor').post('/api/deploy-requests').send({ draftId: draft.id, comment: 'please' }).expect(403);
    const admin = await t.as('admin').post('/api/deploy-requests').send({ draftId: draft.id, comment: 'please' }).expect(403);
    expect(admin.body.code).toBe('FORBIDDEN');
    await t.as('owner2').post('/api/deploy-requests').send({ draftId: draft.id, comment: 'please' }).expect(403);
    await t.as('owner').post('/api/deploy-requests').send({ draftId: draft.id }).expect(400);
    await t.as('owner').post('/api/deploy-requests').send({ draftId: draft.id, revision: 9, comment: 'x' }).expect(404);
    await t.as('owner').post('/api/deploy-requests').send({ draftId: '00000000-0000-4000-8000-000000000000', comment: 'x' }).expect(404);

    const res = await t.as('owner').post('/api/deploy-requests').send({ draftId: draft.id, revision: 2, comment: 'adds the review step' }).expect(201);
    requestId = res.body.id;
    expect(res.body).toMatchObject({ state: 'pending', kind: 'request', key: 'gov_flow', draftRevision: 2, submittedBy: 'owner', decidedBy: null });
    await t.as('owner').post('/api/deploy-requests').send({ draftId: draft.id, comment: 'again' }).expect(409);
    expect((await t.as('owner').get(`/api/drafts/${draft.id}`).expect(200)).body.pendingRequestId).toBe(requestId);
    await t.as('alice').get('/api/deploy-requests').expect(403);
    expect((await requests('auditor', '?state=pending')).map((r) => r.id)).toEqual([requestId]);
    expect(await requests('owner2', '?key=gov_flow')).toEqual([]);
    await t.as('admin').get('/api/deploy-requests?state=nonsense').expect(400);
  });

  it('only an administrator decides, a rejection needs a reason; approval deploys the revision with its forms and decisions and records who and when', async () => {
    await t.as('owner').post(`/api/deploy-requests/${requestId}/approve`).send({}).expect(403);
    await t.as('auditor').post(`/api/deploy-requests/${requestId}/approve`).send({}).expect(403);
    await t.as('alice').post(`/api/deploy-requests/${requestId}/reject`).send({ reason: 'no' }).expect(403);
    await t.as('admin').post(`/api/deploy-requests/${requestId}/reject`).send({}).expect(400);
    await t.as('admin').post(`/api/deploy-requests/${requestId}/approve`).send({ versionTag: '' }).expect(400);
    expect(await versions('gov_flow')).toHaveLength(1);

    const approved = await t.as('admin').post(`/api/deploy-requests/${requestId}/approve`).send({ comment: 'looks right' }).expect(200);
    expect(approved.body).toMatchObject({ created: true, definition: { key: 'gov_flow', version: 2, deployedBy: 'admin' } });
    expect(approved.body.request).toMatchObject({ state: 'approved', decidedBy: 'admin', reason: 'looks right', definitionVersion: 2, created: true });
    expect(approved.body.request.decidedAt).toEqual(expect.any(String));
    const forms = (await t.as('admin').get(`/api/definitions/${approved.body.definition.id}/forms`).expect(200)).body;
    expect(forms.map((f: { formId: string }) => f.formId)).toEqual(['review-form', 'triage-form']);
    await t.as('admin').get('/api/decisions/draft_route').expect(200);

    // deciding again is a conflict and changes nothing
    await t.as('admin').post(`/api/deploy-requests/${requestId}/approve`).send({}).expect(409);
    await t.as('admin').post(`/api/deploy-requests/${requestId}/reject`).send({ reason: 'late' }).expect(409);
    expect(await versions('gov_flow')).toHaveLength(2);
  });

  it('approving unchanged content records the approval but makes no new version', async () => {
    const req = await t.as('owner').post('/api/deploy-requests').send({ draftId: draft.id, comment: 'same again' }).expect(201);
    const res = await t.as('admin').post(`/api/deploy-requests/${req.body.id}/approve`).send({}).expect(200);
    expect(res.body).toMatchObject({ created: false, definition: { version: 2 }, request: { state: 'approved', created: false, definitionVersion: 2 } });
    expect(await versions('gov_flow')).toHaveLength(2);
  });

  it('a draft the engine refuses leaves the request pending and deploys nothing; a rejection is recorded with its reason', async () => {
    const bad = PROCESS('gov_flow').replace('camunda:formRef="triage-form"', 'camunda:formRef="missing-form"');
    await t.as('owner').put(`/api/drafts/${draft.id}`).send({ bpmn: bad, forms: [TRIAGE], comment: 'broken', revision: 2 }).expect(200);
    const req = await t.as('owner').post('/api/deploy-requests').send({ draftId: draft.id, comment: 'broken one' }).expect(201);
    const refused = await t.as('admin').post(`/api/deploy-requests/${req.body.id}/approve`).send({}).expect(422);
    expect(refused.body.problems[0]).toMatchObject({ rule: 'form-missing', elementId: 'triage' });
    expect((await t.as('admin').get(`/api/deploy-requests/${req.body.id}`).expect(200)).body.state).toBe('pending');
    expect(await versions('gov_flow')).toHaveLength(2);

    const rejected = await t.as('admin').post(`/api/deploy-requests/${req.body.id}/reject`).send({ reason: 'the triage form is missing' }).expect(200);
    expect(rejected.body).toMatchObject({ state: 'rejected', decidedBy: 'admin', reason: 'the triage form is missing', definitionId: null });
    const listed = await requests('auditor', '?key=gov_flow');
    expect(listed.map((r) => [r.state, r.kind, r.submittedBy, r.decidedBy])).toEqual([
      ['rejected', 'request', 'owner', 'admin'],
      ['approved', 'request', 'owner', 'admin'],
      ['approved', 'request', 'owner', 'admin'],
      ['approved', 'direct', 'admin', 'admin'],
    ]);
  });

  it('the submitter withdraws a pending request; nobody else may', async () => {
    const req = await t.as('owner').post('/api/deploy-requests').send({ draftId: draft.id, revision: 2, comment: 'try again' }).expect(201);
    await t.as('admin').post(`/api/deploy-requests/${req.body.id}/withdraw`).send({}).expect(403);
    const res = await t.as('owner').post(`/api/deploy-requests/${req.body.id}/withdraw`).send({ reason: 'not yet' }).expect(200);
    expect(res.body).toMatchObject({ state: 'withdrawn', decidedBy: 'owner', reason: 'not yet' });
  });

  it('approving a new process makes its submitter the process owner of the new key', async () => {
    const [fresh] = (await t.as('owner2').get('/api/drafts?key=brand_new').expect(200)).body as Draft[];
    const req = await t.as('owner2').post('/api/deploy-requests').send({ draftId: fresh!.id, comment: 'new flow' }).expect(201);
    await t.as('admin').post(`/api/deploy-requests/${req.body.id}/approve`).send({}).expect(200);
    const owners = (await t.as('admin').get('/api/definitions/key/brand_new/owners').expect(200)).body;
    expect(owners.owners.map((o: { username: string }) => o.username)).toEqual(['owner2']);
  });

  it('concurrent approvals of one request deploy once', async () => {
    await t.as('owner').put(`/api/drafts/${draft.id}`).send({ bpmn: PROCESS('gov_flow'), forms: [TRIAGE], comment: 'back to one step', revision: 3 }).expect(200);
    const req = await t.as('owner').post('/api/deploy-requests').send({ draftId: draft.id, comment: 'simpler' }).expect(201);
    const answers = await Promise.all([1, 2, 3].map(() => t.as('admin').post(`/api/deploy-requests/${req.body.id}/approve`).send({})));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    expect((await versions('gov_flow')).map((v) => v.version)).toEqual([3, 2, 1]);
  });

  it('redeploying an opened version whose forms were re-serialised (same JSON, other text) makes no new version; a changed form does', async () => {
    // given the latest version (v3: PROCESS + TRIAGE) opened in the editor, which writes the form back pretty-printed
    const pretty = { name: 'triage-form.form', content: JSON.stringify(JSON.parse(TRIAGE.content), null, 2) };
    const opened = await t.as('admin').post('/api/drafts').send({ bpmn: PROCESS('gov_flow'), forms: [pretty], comment: 'opened v3' }).expect(201);
    // when it is deployed unchanged
    const same = await t.as('admin').post(`/api/drafts/${opened.body.id}/deploy`).send({}).expect(200);
    // then the latest version answers, recorded as a direct deploy that created nothing
    expect(same.body).toMatchObject({ created: false, definition: { version: 3 }, request: { kind: 'direct', state: 'approved', created: false, definitionVersion: 3 } });
    const changed = { name: 'triage-form.form', content: form('triage-form').replace('"Summary"', '"Short summary"') };
    const edited = await t.as('admin').put(`/api/drafts/${opened.body.id}`).send({ bpmn: PROCESS('gov_flow'), forms: [changed], comment: 'relabel', revision: 1 }).expect(200);
    const deployed = await t.as('admin').post(`/api/drafts/${edited.body.id}/deploy`).send({}).expect(201);
    expect(deployed.body).toMatchObject({ created: true, definition: { version: 4 } });
  });
});
