import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { AuthConfig } from '../config/config';
import { Database } from '../database/database';
import { UsersService, type NewUser } from '../users/users.service';
import type { Role } from './auth-user';
import { hashPassword } from './passwords';
import { transaction } from './sql';
import { AUTH_CONFIG } from './tokens';

/** Password of every demo user (embedded default only). */
export const DEMO_PASSWORD = 'demo';

export const DEMO_GROUPS: { name: string; description: string }[] = [
  { name: 'staff', description: 'Service management staff' },
  { name: 'servicedesk', description: 'Service desk (first line)' },
  { name: 'resolvers', description: 'Resolver groups (second line)' },
];

export const DEMO_USERS: { username: string; displayName: string; roles: Role[]; groups: string[] }[] = [
  { username: 'admin', displayName: 'Demo administrator', roles: ['admin'], groups: [] },
  { username: 'owner', displayName: 'Demo process owner', roles: ['process-owner'], groups: [] },
  { username: 'staff', displayName: 'Demo staff member', roles: ['staff'], groups: ['staff', 'servicedesk', 'resolvers'] },
  { username: 'staff2', displayName: 'Second demo staff member', roles: ['staff'], groups: ['staff', 'servicedesk', 'resolvers'] },
  { username: 'auditor', displayName: 'Demo auditor', roles: ['auditor'], groups: [] },
];

const DEMO_MARKER = 'identity.demo-users-seeded';

/**
 * Creates the first users at start, under an advisory lock (several processes may start at once):
 * - the administrator from ADMIN_USERNAME / ADMIN_PASSWORD when there is no user yet;
 * - the demo users and groups, once per database, on the embedded default only (no
 *   DATABASE_URL, not production). A marker in app_setting keeps them from coming back after
 *   an administrator changed or disabled them.
 */
@Injectable()
export class IdentitySeeder implements OnModuleInit {
  private readonly logger = new Logger('auth');

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  async onModuleInit(): Promise<void> {
    await transaction(this.db.dataSource, async (sql) => {
      await sql.rows(`SELECT pg_advisory_xact_lock(hashtext('identity:seed'))`);
      const [{ empty }] = await sql.rows<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM app_user) AS empty`);
      const admin = this.config.initialAdmin;
      if (empty && admin) {
        await this.users.insert(sql, { username: admin.username, displayName: 'Administrator', roles: ['admin'] }, await hashPassword(admin.password));
        this.logger.log({ msg: 'created the first administrator from ADMIN_USERNAME', user: admin.username });
      }
      if (this.config.seedDemoUsers) {
        const claimed = await sql.rows(`INSERT INTO app_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`, [DEMO_MARKER, new Date().toISOString()]);
        if (claimed.length) await this.seedDemo(sql);
      } else if (empty && !admin) {
        this.logger.warn('no user exists: set ADMIN_USERNAME and ADMIN_PASSWORD to create the first administrator');
      }
    });
  }

  private async seedDemo(sql: Parameters<UsersService['insert']>[0]): Promise<void> {
    for (const g of DEMO_GROUPS) await this.users.ensureGroup(sql, g.name, g.description);
    const created: string[] = [];
    for (const u of DEMO_USERS) {
      const [exists] = await sql.rows(`SELECT 1 FROM app_user WHERE lower(username) = lower($1)`, [u.username]);
      if (exists) continue;
      const user: NewUser = { username: u.username, displayName: u.displayName, roles: u.roles, groups: u.groups };
      await this.users.insert(sql, user, await hashPassword(DEMO_PASSWORD));
      created.push(u.username);
    }
    if (created.length) this.logger.warn({ msg: `created demo users with password "${DEMO_PASSWORD}" (embedded default database only)`, users: created });
  }
}
