import type { Database } from '../database/database';
import { prepared } from '../database/prepared';
import type { UserRecord } from '../users/users.service';

/** What a request needs to know about its caller: the user (null when gone) and whether the token's session is live. */
export interface IdentityCheck {
  user: UserRecord | null;
  alive: boolean;
}

/**
 * Users of this server process, cached with their identity version (app_user.identity_version,
 * moved on by database triggers on every change of the user, their groups or a group's name; see
 * migration 1765400000000). Every request checks the version and the session in one statement,
 * and reloads the user only when the version moved: a user disabled or taken out of a group
 * through any server process sharing the database loses that access on their next request here.
 */
export class UserCache {
  private readonly users = new Map<string, { version: string; user: UserRecord }>();

  constructor(
    private readonly db: Database,
    private readonly load: (id: string) => Promise<UserRecord | null>,
    private readonly size = 10_000,
  ) {}

  /** The user `userId` and whether session `sessionId` (refresh token family) still holds a live refresh token. */
  async check(userId: string, sessionId: string): Promise<IdentityCheck> {
    // a named prepared statement: every request sends it, parsing and planning it cost PostgreSQL
    // about as much as running it
    const rows: { version: string; alive: boolean }[] = await this.db.query(
      prepared(`SELECT u.identity_version::text AS version,
              EXISTS (SELECT 1 FROM refresh_token r WHERE r.family_id = $2 AND r.revoked_at IS NULL AND r.expires_at > now()) AS alive
         FROM app_user u WHERE u.id = $1`),
      [userId, sessionId],
    );
    const row = rows[0];
    if (!row) {
      this.users.delete(userId);
      return { user: null, alive: false };
    }
    const cached = this.users.get(userId);
    if (cached?.version === row.version) return { user: cached.user, alive: row.alive };
    // A change since the version was read makes the next request reload again: never stale, at worst one reload more.
    const user = await this.load(userId);
    this.users.delete(userId);
    if (user) {
      this.users.set(userId, { version: row.version, user });
      if (this.users.size > this.size) this.users.delete(this.users.keys().next().value!);
    }
    return { user, alive: row.alive };
  }
}
