import type { MigrationInterface, QueryRunner } from 'typeorm';

const day = [{ start: '08:00', end: '18:00' }];
const allDay = [{ start: '00:00', end: '24:00' }];

/** The two built-in calendars, in the normalised form the API returns (see engine/calendar). */
const BUILT_IN = [
  {
    name: '24x7',
    description: 'Every hour of every day (P1/P2 incident targets).',
    timeZone: 'UTC',
    kind: '24x7',
    week: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
    holidays: [],
  },
  {
    // UTC on purpose (migrations do not read the environment): PUT it with your zone and holidays.
    name: 'business-hours',
    description: 'Monday to Friday 08:00-18:00 (P3/P4 incident and request targets).',
    timeZone: 'UTC',
    kind: 'working-hours',
    week: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] },
    holidays: [],
  },
];

/** Business calendars (ITSM reference §1.5): name → JSON definition, with the 24x7 and business-hours built-ins. */
export class BusinessCalendars1763750000000 implements MigrationInterface {
  name = 'BusinessCalendars1763750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE business_calendar (
        name       text PRIMARY KEY,
        definition jsonb       NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    for (const calendar of BUILT_IN) {
      await q.query(`INSERT INTO business_calendar (name, definition) VALUES ($1, $2::jsonb)`, [calendar.name, JSON.stringify(calendar)]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE business_calendar`);
  }
}
