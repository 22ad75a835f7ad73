import { CalendarService } from '../../api/calendars/calendar.service';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestApp, type ApiTestApp } from '../support/test-app';

const lunch = [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }];
const office = [{ start: '08:00', end: '18:00' }];
const berlinOffice = { timeZone: 'Europe/Berlin', kind: 'working-hours', week: { mon: office, tue: office, wed: office, thu: office, fri: office }, holidays: ['2026-12-25'] };

/** Business calendars over HTTP: CRUD, validation as problem+json, and the "add" check. */
describe('business calendars', () => {
  let db: TestDatabase;
  let t: ApiTestApp;

  const rows = async () => (await t.sql.query(`SELECT name, definition FROM business_calendar ORDER BY name`)) as { name: string; definition: unknown }[];
  const expectProblem = (res: { status: number; headers: Record<string, string>; body: { status: number; detail: string } }, status: number, detail: RegExp) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.status).toBe(status);
    expect(res.body.detail).toMatch(detail);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('ships the 24x7 and business-hours calendars', async () => {
    // when
    const res = await t.as('alice').get('/api/calendars').expect(200);

    // then
    expect(res.body.map((c: { name: string }) => c.name)).toEqual(['24x7', 'business-hours']);
    const hours = await t.as('alice').get('/api/calendars/business-hours').expect(200);
    expect(hours.body).toMatchObject({ name: 'business-hours', kind: 'working-hours', timeZone: 'UTC', builtIn: true, holidays: [] });
    expect(hours.body.week.mon).toEqual(office);
    expect(hours.body.week.sat).toEqual([]);
  });

  it('creates (201), reads, replaces (200) and deletes (204) a calendar', async () => {
    // given: a new calendar with a lunch break
    const created = await t.as('admin').put('/api/calendars/berlin-office').send({ ...berlinOffice, week: { ...berlinOffice.week, mon: lunch }, description: 'Berlin office' });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/api/calendars/berlin-office');
    expect(created.body).toMatchObject({ name: 'berlin-office', builtIn: false, timeZone: 'Europe/Berlin', description: 'Berlin office' });
    expect(created.body.week.mon).toEqual(lunch);

    // when: read back, then replaced with what GET answered (read-only fields are ignored)
    const read = await t.as('alice').get('/api/calendars/berlin-office').expect(200);
    expect(read.body).toEqual(created.body);
    const replaced = await t.as('admin').put('/api/calendars/berlin-office').send({ ...read.body, holidays: ['2026-12-26', '2026-12-25'] });

    // then
    expect(replaced.status).toBe(200);
    expect(replaced.body.holidays).toEqual(['2026-12-25', '2026-12-26']);
    expect(replaced.body.createdAt).toBe(created.body.createdAt);
    expect((await rows()).find((r) => r.name === 'berlin-office')?.definition).toMatchObject({ holidays: ['2026-12-25', '2026-12-26'] });

    // and deleted
    await t.as('admin').delete('/api/calendars/berlin-office').expect(204);
    expectProblem(await t.as('alice').get('/api/calendars/berlin-office'), 404, /no business calendar named "berlin-office"/);
    expect((await rows()).map((r) => r.name)).toEqual(['24x7', 'business-hours']);
  });

  it('lets the built-ins be replaced but not deleted', async () => {
    // when
    const replaced = await t.as('admin').put('/api/calendars/business-hours').send({ ...berlinOffice });
    const deleted = await t.as('admin').delete('/api/calendars/24x7');

    // then
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ builtIn: true, timeZone: 'Europe/Berlin' });
    expectProblem(deleted, 409, /built in/);
    expect((await rows()).map((r) => r.name)).toEqual(['24x7', 'business-hours']);
  });

  it.each([
    ['overlapping windows', 'x', { ...berlinOffice, week: { mon: [{ start: '08:00', end: '12:00' }, { start: '11:00', end: '13:00' }] } }, /week\.mon\.1: window 11:00–13:00 overlaps 08:00–12:00/],
    ['an end before the start', 'x', { ...berlinOffice, week: { tue: [{ start: '18:00', end: '08:00' }] } }, /week\.tue\.0\.end: must be after start/],
    ['an unknown time zone', 'x', { ...berlinOffice, timeZone: 'Europe/Atlantis' }, /timeZone: unknown time zone "Europe\/Atlantis"/],
    ['a bad holiday', 'x', { ...berlinOffice, holidays: ['2026-13-01'] }, /holidays\.0: "2026-13-01" is not a date/],
    ['an unknown kind', 'x', { ...berlinOffice, kind: 'office-hours' }, /kind:/],
    ['a missing time zone', 'x', { kind: '24x7' }, /timeZone:/],
    ['an unknown field', 'x', { ...berlinOffice, holiday: [] }, /Unrecognized key/],
    ['a name that differs from the URL', 'x', { ...berlinOffice, name: 'y' }, /name: "y" does not match the URL/],
    ['an invalid name', 'bad name!', berlinOffice, /name: must be/],
    ['holidays on a 24x7 calendar', 'x', { timeZone: 'UTC', kind: '24x7', holidays: ['2026-12-25'] }, /holidays: a 24x7 calendar has no holidays/],
  ])('refuses %s with 400 and stores nothing', async (_what, name, body, detail) => {
    const before = await rows();
    const res = await t.as('admin').put(`/api/calendars/${encodeURIComponent(name)}`).send(body);
    expectProblem(res, 400, detail);
    expect(res.body.code).toBe('INVALID_REQUEST');
    expect(res.body.issues?.length).toBeGreaterThan(0);
    expect(await rows()).toEqual(before);
  });

  it('adds 4 business hours to Friday 16:00: Monday 10:00', async () => {
    // given: Mon-Fri 08:00-18:00 in Berlin
    await t.as('admin').put('/api/calendars/berlin').send(berlinOffice).expect(201);

    // when: Friday 2026-11-20 16:00 (CET) plus PT4H
    const res = await t.as('alice').post('/api/calendars/berlin/add').send({ from: '2026-11-20T16:00:00+01:00', duration: 'PT4H' });

    // then: Monday 10:00 CET
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ calendar: 'berlin', from: '2026-11-20T15:00:00.000Z', duration: 'PT4H', dueAt: '2026-11-23T09:00:00.000Z', businessMs: 4 * 3_600_000 });

    // and in business days: Friday 16:00 + 2 business days = Tuesday 16:00
    const days = await t.as('alice').post('/api/calendars/berlin/add').send({ from: '2026-11-20T16:00:00+01:00', duration: 'P2D' }).expect(200);
    expect(days.body.dueAt).toBe('2026-11-24T15:00:00.000Z');
    // 24x7 is plain addition
    const always = await t.as('alice').post('/api/calendars/24x7/add').send({ from: '2026-11-20T16:00:00Z', duration: 'PT4H' }).expect(200);
    expect(always.body.dueAt).toBe('2026-11-20T20:00:00.000Z');
  });

  it('keeps the in-memory calendars of the service in step with its own writes', async () => {
    // given
    const service = t.app.get(CalendarService);
    await t.as('admin').put('/api/calendars/cached').send({ ...berlinOffice, week: { fri: lunch } }).expect(201);

    // then: visible at once, without a database round trip
    expect(service.addBusinessTime('cached', new Date('2026-11-20T11:00:00+01:00'), 'PT2H').toISOString()).toBe('2026-11-20T13:00:00.000Z');
    await t.as('admin').delete('/api/calendars/cached').expect(204);
    expect(() => service.get('cached')).toThrow(/no business calendar named "cached"/);

    // and a reload from the database gives the same snapshot
    await service.reload();
    expect(service.get('business-hours').timeZone).toBe('Europe/Berlin');
  });

  it.each([
    ['an unknown calendar', '/api/calendars/nope/add', { from: '2026-11-20T16:00:00Z', duration: 'PT4H' }, 404, /no business calendar named "nope"/],
    ['a bad duration', '/api/calendars/24x7/add', { from: '2026-11-20T16:00:00Z', duration: '4 hours' }, 400, /invalid duration "4 hours"/],
    ['months', '/api/calendars/24x7/add', { from: '2026-11-20T16:00:00Z', duration: 'P1M' }, 400, /years, months and weeks/],
    ['a date without offset', '/api/calendars/24x7/add', { from: '2026-11-20 16:00', duration: 'PT1H' }, 400, /from: must be an ISO 8601 date-time/],
    ['a missing duration', '/api/calendars/24x7/add', { from: '2026-11-20T16:00:00Z' }, 400, /duration/],
  ])('refuses to add with %s', async (_what, path, body, status, detail) => {
    expectProblem(await t.as('alice').post(path).send(body), status, detail);
  });

  it('lets every signed-in user read and check calendars, and only administrators change them', async () => {
    // when: staff read and check
    expect((await t.as('bob').get('/api/calendars')).status).toBe(200);
    expect((await t.as('auditor').post('/api/calendars/24x7/add').send({ duration: 'PT1H' })).status).toBe(200);

    // then: staff, process owners and auditors may not change them; nobody anonymous reads them
    for (const user of ['alice', 'owner', 'auditor']) {
      expectProblem(await t.as(user).put('/api/calendars/mine').send(berlinOffice), 403, /roles: admin/);
      expectProblem(await t.as(user).delete('/api/calendars/business-hours'), 403, /roles: admin/);
    }
    expectProblem(await t.http.get('/api/calendars'), 401, /authentication required/);
    expect((await rows()).map((r) => r.name)).not.toContain('mine');
  });

  it('answers 404 for unknown calendars', async () => {
    expectProblem(await t.as('alice').get('/api/calendars/nope'), 404, /no business calendar named "nope"/);
    expectProblem(await t.as('admin').delete('/api/calendars/nope'), 404, /no business calendar named "nope"/);
    expectProblem(await t.as('alice').get('/api/calendars/%20bad'), 404, /no business calendar/);
  });
});
