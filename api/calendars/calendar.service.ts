import { ConflictException, Inject, Injectable, Logger, NotFoundException, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  addBusinessDuration,
  fromSlaClockRecord,
  parseBusinessCalendar,
  startSlaClock,
  type BusinessCalendar,
  type SlaClock,
  type SlaClockRecord,
} from '../../engine';
import type { AppConfig } from '../config/config';
import { Database } from '../database/database';
import { APP_CONFIG } from '../engine-host/tokens';

/** Calendars shipped by the migration: they may be replaced (PUT) but not deleted. */
export const BUILT_IN_CALENDARS: readonly string[] = ['24x7', 'business-hours'];

/** A calendar as the API shows it: the normalised definition plus bookkeeping. */
export interface StoredCalendar extends BusinessCalendar {
  builtIn: boolean;
  createdAt: string;
  updatedAt: string;
}

interface CalendarRow {
  name: string;
  definition: BusinessCalendar;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'name, definition, created_at, updated_at';

/**
 * Business calendars: storage (table `business_calendar`, raw SQL) and an in-memory snapshot of
 * all of them for time arithmetic.
 *
 * The snapshot is loaded at start, updated at once by this process's own writes and, when the
 * database may be shared with other server processes (`DATABASE_URL` set), reloaded every
 * {@link CalendarService.REFRESH_MS} (one SELECT), so {@link get} and {@link addBusinessTime}
 * never touch the database: service-task handlers may call them inside a command's transaction
 * (on embedded PGlite, a second connection would wait for that transaction to end). A change
 * made by another server process is seen within `REFRESH_MS`. Reads through the API (`find`,
 * `list`) go to the database.
 */
@Injectable()
export class CalendarService implements OnModuleInit, OnModuleDestroy {
  /** Reload interval (the cache TTL) in ms. */
  static readonly REFRESH_MS = 15_000;

  private readonly logger = new Logger('calendars');
  private snapshot = new Map<string, BusinessCalendar>();
  /** Bumped by every local write, so a reload that started before it does not undo it. */
  private generation = 0;
  private reloading: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    if (!this.config.databaseUrl) return; // embedded database of this one process: every write passes through here
    this.timer = setInterval(() => void this.reload().catch((err) => this.logger.warn({ err }, 'calendar reload failed; keeping the previous snapshot')), CalendarService.REFRESH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.reloading?.catch(() => undefined);
  }

  /** Reloads the snapshot from the database (shared when one is already running). */
  reload(): Promise<void> {
    this.reloading ??= (async () => {
      const generation = this.generation;
      const rows: CalendarRow[] = await this.db.dataSource.query(`SELECT ${COLUMNS} FROM business_calendar`);
      const next = new Map<string, BusinessCalendar>();
      for (const row of rows) {
        try {
          next.set(row.name, parseBusinessCalendar({ ...row.definition, name: row.name }));
        } catch (err) {
          this.logger.error({ err, calendar: row.name }, 'stored calendar is invalid; ignored');
        }
      }
      if (generation === this.generation) this.snapshot = next;
    })().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  // --- time arithmetic (memory only) ---------------------------------------------------------

  /** The calendar from the in-memory snapshot (no database access); 404 when unknown. */
  get(name: string): BusinessCalendar {
    const calendar = this.snapshot.get(name);
    if (!calendar) throw notFound(name);
    return calendar;
  }

  /**
   * `from` plus an ISO 8601 duration in the named calendar: `PT4H` = 4 business hours, `P2D` =
   * 2 business days, `P1DT4H` both (see engine `addBusinessDuration`). Memory only.
   */
  addBusinessTime(name: string, from: Date, durationIso: string): Date {
    return addBusinessDuration(this.get(name), from, durationIso);
  }

  /** A new SLA clock in the named calendar; `target` is business ms or an ISO 8601 duration. */
  startSlaClock(name: string, startedAt: Date, target: number | string): SlaClock {
    return startSlaClock(this.get(name), startedAt, target);
  }

  /** An SLA clock back from its JSON record (e.g. a process variable), with its calendar. */
  slaClock(record: SlaClockRecord): SlaClock {
    return fromSlaClockRecord(record, this.get(String(record?.calendar)));
  }

  // --- storage ---------------------------------------------------------------------------------

  async list(): Promise<StoredCalendar[]> {
    const rows: CalendarRow[] = await this.db.dataSource.query(`SELECT ${COLUMNS} FROM business_calendar ORDER BY name`);
    return rows.map(toStored);
  }

  /** The stored calendar, read from the database; 404 when unknown. */
  async find(name: string): Promise<StoredCalendar> {
    const rows: CalendarRow[] = await this.db.dataSource.query(`SELECT ${COLUMNS} FROM business_calendar WHERE name = $1`, [name]);
    if (!rows[0]) throw notFound(name);
    return toStored(rows[0]);
  }

  /** Creates or replaces a calendar (already validated by `parseBusinessCalendar`). */
  async put(calendar: BusinessCalendar, now: Date): Promise<{ calendar: StoredCalendar; created: boolean }> {
    const rows: (CalendarRow & { created: boolean })[] = await this.db.dataSource.query(
      `INSERT INTO business_calendar (name, definition, created_at, updated_at) VALUES ($1, $2::jsonb, $3, $3)
       ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition, updated_at = EXCLUDED.updated_at
       RETURNING ${COLUMNS}, (xmax = 0) AS created`,
      [calendar.name, JSON.stringify(calendar), now],
    );
    this.generation++;
    this.snapshot = new Map(this.snapshot).set(calendar.name, calendar);
    return { calendar: toStored(rows[0]), created: rows[0].created };
  }

  /** Deletes a calendar; 404 when unknown, 409 for a built-in one. */
  async delete(name: string): Promise<void> {
    if (BUILT_IN_CALENDARS.includes(name)) throw new ConflictException(`calendar "${name}" is built in: it can be replaced (PUT) but not deleted`);
    // TypeORM answers a DELETE with [rows, rowCount]
    const [, deleted]: [unknown[], number] = await this.db.dataSource.query(`DELETE FROM business_calendar WHERE name = $1`, [name]);
    if (!deleted) throw notFound(name);
    this.generation++;
    const next = new Map(this.snapshot);
    next.delete(name);
    this.snapshot = next;
  }
}

function notFound(name: string): NotFoundException {
  return new NotFoundException(`no business calendar named "${name}"`);
}

function toStored(row: CalendarRow): StoredCalendar {
  return {
    ...row.definition,
    name: row.name,
    builtIn: BUILT_IN_CALENDARS.includes(row.name),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
