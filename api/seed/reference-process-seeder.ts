import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HistoryKeyring, Orchestrator, ServiceHandlerRegistry } from '../../engine';
import { transaction } from '../auth/sql';
import { CalendarService } from '../calendars/calendar.service';
import type { AppConfig } from '../config/config';
import { Database } from '../database/database';
import { APP_CONFIG } from '../engine-host/tokens';
import { catalogueDocuments, defaultProcessesDir, readCatalogue } from './catalogue';
import { createDemoData } from './demo-data';

const MARKER = 'seed.reference-processes';
const DEMO_MARKER = 'seed.demo-data';
const ACTOR = 'system:seed';

/** The marker row's value while a seed runs; once done it is `{"state":"done",...}` (an older ISO date value also counts as done). */
interface SeedClaim {
  state: 'running' | 'done';
  owner?: string;
  /** `flows` (deploying, idempotent: a successor redoes it) or `demo` (creating the demo data set: never redone). */
  phase?: 'flows' | 'demo';
  skipped?: boolean;
  at?: string;
}

/** How the seed coordinates between processes on one database (tests shorten the times). */
export interface SeedCoordination {
  /** A running seed whose owner did not refresh the marker for this long is taken over (its process died). */
  leaseMs: number;
  /** How often a waiting process looks again. */
  pollMs: number;
  /** Longest a process waits for another one's seed before it goes on without it. */
  maxWaitMs: number;
  /** Test hook: runs after each deployment of the catalogue (a throw stands for a crash there). */
  afterDeploy?: (index: number, key: string) => void | Promise<void>;
}

export const DEFAULT_SEED_COORDINATION: SeedCoordination = { leaseMs: 60_000, pollMs: 500, maxWaitMs: 15 * 60_000 };

type Decision = { action: 'seed'; phase: 'flows' | 'demo' } | { action: 'wait' } | { action: 'skip' };

/**
 * First start: deploys every flow of `processes/catalogue.json` (version 1 of each key, through
 * the real multi-file deploy), creates the groups its lanes need and, on the embedded default,
 * puts the demo users in them and creates a demo data set. It runs in onModuleInit of the root
 * module: after the demo users exist (AuthModule) and before the timer poller starts
 * (onApplicationBootstrap), so the poller's real clock never fires the demo clock's timers.
 *
 * Several processes on one database (WORKERS > 1, several servers): exactly one seeds. The marker
 * row `seed.reference-processes` in `app_setting` is claimed under an advisory lock as
 * `{"state":"running","owner":…}` and refreshed (`updated_at`, the database clock) while the seed
 * runs; the others wait until it reads `done`, so none of them serves or fires timers before the
 * flows are there. It is written `done` only at the end. A seed that dies half-way (a crash, a
 * failed deploy) leaves `running`: a failing process gives its claim back at once, a dead one's
 * claim expires after `leaseMs`, and the next process takes it over and redoes the deployments,
 * which are idempotent (an identical deploy keeps version 1; groups and memberships are inserted
 * if absent). A database without the marker that already holds process definitions (an existing
 * installation) is left alone. The demo data set is created at most once: a seed taken over
 * during the demo phase does not start it again (it would duplicate records).
 */
@Injectable()
export class ReferenceProcessSeeder implements OnModuleInit {
  private readonly logger = new Logger('seed');
  private readonly owner = randomUUID();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(ServiceHandlerRegistry) private readonly handlers: ServiceHandlerRegistry,
    @Inject(CalendarService) private readonly calendars: CalendarService,
    @Inject(HistoryKeyring) private readonly ring: HistoryKeyring,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.seedProcesses) return;
    await this.seed(DEFAULT_SEED_COORDINATION);
  }

  /** Seeds, waits for another process's seed, or does nothing; answers what it did. */
  async seed(coordination: SeedCoordination = DEFAULT_SEED_COORDINATION): Promise<'seeded' | 'skipped'> {
    const waitUntil = Date.now() + coordination.maxWaitMs;
    for (;;) {
      const decision = await this.decide(coordination);
      if (decision.action === 'skip') return 'skipped';
      if (decision.action === 'seed') {
        await this.run(decision.phase, coordination);
        return 'seeded';
      }
      if (Date.now() > waitUntil) {
        this.logger.warn({ msg: 'gave up waiting for another process to seed the reference flows; starting without them', waitedMs: coordination.maxWaitMs });
        return 'skipped';
      }
      await new Promise((resolve) => setTimeout(resolve, coordination.pollMs));
    }
  }

  /** One look at the marker, under the advisory lock: claim it, take over an expired claim, wait, or skip. */
  private decide(coordination: SeedCoordination): Promise<Decision> {
    return transaction(this.db.dataSource, async (sql) => {
      await sql.rows(`SELECT pg_advisory_xact_lock(hashtext('seed:reference-processes'))`);
      const [row] = await sql.rows<{ value: string; stale: boolean }>(
        `SELECT value, updated_at < now() - make_interval(secs => $2::double precision / 1000) AS stale FROM app_setting WHERE key = $1`,
        [MARKER, coordination.leaseMs],
      );
      if (!row) {
        const [{ empty }] = await sql.rows<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM process_definition) AS empty`);
        const claim: SeedClaim = empty ? { state: 'running', owner: this.owner, phase: 'flows' } : { state: 'done', skipped: true, at: new Date().toISOString() };
        await sql.rows(`INSERT INTO app_setting (key, value, updated_at) VALUES ($1, $2, now())`, [MARKER, JSON.stringify(claim)]);
        return empty ? { action: 'seed', phase: 'flows' } : { action: 'skip' };
      }
      const claim = parseClaim(row.value);
      if (claim.state !== 'running') return { action: 'skip' };
      if (claim.owner !== this.owner && !row.stale) return { action: 'wait' };
      const phase = claim.phase === 'demo' ? 'demo' : 'flows';
      this.logger.warn({ msg: 'taking over a reference-flow seed that did not finish', previousOwner: claim.owner, phase });
      await sql.rows(`UPDATE app_setting SET value = $2, updated_at = now() WHERE key = $1`, [MARKER, JSON.stringify({ ...claim, owner: this.owner, phase })]);
      return { action: 'seed', phase };
    });
  }

  /** The seed itself, with the claim refreshed meanwhile; `done` at the end, the claim given back on failure. */
  private async run(phase: 'flows' | 'demo', coordination: SeedCoordination): Promise<void> {
    const heartbeat = setInterval(() => {
      this.db.dataSource
        .query(`UPDATE app_setting SET updated_at = now() WHERE key = $1 AND value::jsonb ->> 'owner' = $2`, [MARKER, this.owner])
        .catch((error: unknown) => this.logger.warn({ msg: 'could not refresh the seed claim', error: String(error) }));
    }, Math.max(50, Math.floor(coordination.leaseMs / 4)));
    heartbeat.unref?.();
    try {
      const dir = this.config.processesDir ?? defaultProcessesDir();
      const catalogue = readCatalogue(dir);
      const documents = catalogueDocuments(dir, catalogue);
      if (phase === 'flows') {
        await this.deployFlows(catalogue, documents, coordination);
        await this.setClaim({ state: 'running', owner: this.owner, phase: 'demo' });
        await this.demoData(catalogue, documents);
      } else {
        this.logger.warn({ msg: 'the demo data set was being created by a process that stopped; it is not created again' });
      }
      await this.setClaim({ state: 'done', at: new Date().toISOString() });
    } catch (error) {
      // Give the claim back at once (expired): the next start, or a waiting process, redoes the seed.
      await this.db.dataSource
        .query(`UPDATE app_setting SET updated_at = '-infinity' WHERE key = $1 AND value::jsonb ->> 'owner' = $2`, [MARKER, this.owner])
        .catch(() => undefined);
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async setClaim(claim: SeedClaim): Promise<void> {
    await this.db.dataSource.query(`UPDATE app_setting SET value = $2, updated_at = now() WHERE key = $1`, [MARKER, JSON.stringify(claim)]);
  }

  private async deployFlows(catalogue: ReturnType<typeof readCatalogue>, documents: ReturnType<typeof catalogueDocuments>, coordination: SeedCoordination): Promise<void> {
    const deployed: string[] = [];
    for (const [index, doc] of documents.entries()) {
      const result = await this.orchestrator.deploy({ document: doc.xml, forms: doc.forms, decisions: doc.decisions, actor: ACTOR });
      deployed.push(`${result.definition.key} v${result.definition.version}`);
      if (result.definition.warnings?.length) this.logger.warn({ msg: 'reference flow deployed with warnings', key: result.definition.key, warnings: result.definition.warnings });
      await coordination.afterDeploy?.(index, result.definition.key);
    }
    await transaction(this.db.dataSource, async (sql) => {
      for (const g of catalogue.groups) {
        await sql.rows(`INSERT INTO app_group (id, name, description) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [randomUUID(), g.name, g.description]);
      }
      if (!this.config.auth?.seedDemoUsers) return;
      for (const [username, groups] of Object.entries(catalogue.demoMembers)) {
        for (const group of groups) {
          await sql.rows(
            `INSERT INTO group_member (group_id, user_id)
             SELECT g.id, u.id FROM app_group g, app_user u WHERE g.name = $1 AND lower(u.username) = lower($2)
             ON CONFLICT DO NOTHING`,
            [group, username],
          );
        }
      }
    });
    for (const name of ['24x7', 'business-hours']) {
      if (!this.calendars.get(name)) this.logger.warn({ msg: 'business calendar missing: SLA targets that name it cannot be computed', calendar: name });
    }
    this.logger.log({ msg: 'deployed the reference flows', deployed, groups: catalogue.groups.length });
  }

  private async demoData(catalogue: ReturnType<typeof readCatalogue>, documents: ReturnType<typeof catalogueDocuments>): Promise<void> {
    if (!this.config.demoData || this.config.production) return;
    const [demo] = await this.db.dataSource.query(`INSERT INTO app_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`, [DEMO_MARKER, new Date().toISOString()]);
    if (!demo) return;
    const users = ((await this.db.dataSource.query(`SELECT username FROM app_user WHERE NOT disabled AND username = ANY($1) ORDER BY username`, [Object.keys(catalogue.demoMembers)])) as { username: string }[]).map((u) => u.username);
    if (!users.length) return;
    const summary = await createDemoData({
      dataSource: this.db.dataSource,
      ring: this.ring,
      handlers: this.handlers,
      calendars: (name) => this.calendars.get(name),
      timeZone: this.config.timeZone,
      documents,
      keys: catalogue.deployments.flatMap((d) => d.demo ?? []),
      startVariables: catalogue.demoVariables,
      records: this.config.demoRecords ?? 200,
      users,
    });
    this.logger.log({ msg: 'created the demo data set', ...summary });
  }
}

function parseClaim(value: string): SeedClaim {
  try {
    const parsed = JSON.parse(value) as SeedClaim;
    if (parsed && typeof parsed === 'object' && (parsed.state === 'running' || parsed.state === 'done')) return parsed;
  } catch {
    // an older marker: the ISO date of a finished seed
  }
  return { state: 'done', at: value };
}
