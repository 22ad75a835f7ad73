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

/**
 * First start: deploys every flow of `processes/catalogue.json` (version 1 of each key, through
 * the real multi-file deploy), creates the groups its lanes need and, on the embedded default,
 * puts the demo users in them and creates a demo data set. Runs once per database: the first
 * process to insert the marker row (under an advisory lock) does it, and only when the database
 * holds no process definition yet. It runs in onModuleInit of the root module: after the demo users
 * exist (AuthModule) and before the timer poller starts (onApplicationBootstrap), so the poller's
 * real clock never fires the demo clock's timers.
 */
@Injectable()
export class ReferenceProcessSeeder implements OnModuleInit {
  private readonly logger = new Logger('seed');

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
    const claimed = await transaction(this.db.dataSource, async (sql) => {
      await sql.rows(`SELECT pg_advisory_xact_lock(hashtext('seed:reference-processes'))`);
      const [{ empty }] = await sql.rows<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM process_definition) AS empty`);
      const won = await sql.rows(`INSERT INTO app_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`, [MARKER, new Date().toISOString()]);
      return won.length > 0 && empty;
    });
    if (!claimed) return;
    const dir = this.config.processesDir ?? defaultProcessesDir();
    const catalogue = readCatalogue(dir);
    const documents = catalogueDocuments(dir, catalogue);
    const deployed: string[] = [];
    for (const doc of documents) {
      const result = await this.orchestrator.deploy({ document: doc.xml, forms: doc.forms, decisions: doc.decisions, actor: ACTOR });
      deployed.push(`${result.definition.key} v${result.definition.version}`);
      if (result.definition.warnings?.length) this.logger.warn({ msg: 'reference flow deployed with warnings', key: result.definition.key, warnings: result.definition.warnings });
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
