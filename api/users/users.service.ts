import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode } from '../../engine';
import { isRole, type Role } from '../auth/auth-user';
import { hashPassword } from '../auth/passwords';
import { connection, isUniqueViolation, transaction, type Sql } from '../auth/sql';
import type { Page } from '../common/validation';
import { Database } from '../database/database';

/** A user as the API shows it: never the password hash. */
export interface UserRecord {
  id: string;
  username: string;
  displayName: string | null;
  email: string | null;
  roles: Role[];
  groups: string[];
  disabled: boolean;
  /** False for users who sign in through an external OpenID Connect provider only. */
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
  passwordChangedAt: string | null;
}

export interface GroupRecord {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
  /** Usernames, sorted. */
  members: string[];
}

export interface NewUser {
  username: string;
  displayName?: string | null;
  email?: string | null;
  /** Clear text, hashed here; absent for external (OIDC-only) users. */
  password?: string | null;
  roles?: Role[];
  /** Names of existing groups. */
  groups?: string[];
  disabled?: boolean;
}

export interface UserPatch {
  displayName?: string | null;
  email?: string | null;
  roles?: Role[];
  disabled?: boolean;
}

const USER_COLUMNS = `u.id, u.username, u.display_name, u.email, u.roles, u.disabled, u.created_at, u.updated_at, u.password_changed_at,
  (u.password_hash IS NOT NULL) AS has_password,
  ARRAY(SELECT g.name FROM group_member m JOIN app_group g ON g.id = m.group_id WHERE m.user_id = u.id ORDER BY lower(g.name)) AS groups`;

const GROUP_COLUMNS = `g.id, g.name, g.description, g.created_at,
  ARRAY(SELECT u.username FROM group_member m JOIN app_user u ON u.id = m.user_id WHERE m.group_id = g.id ORDER BY lower(u.username)) AS members`;

/** Serialises changes that could leave no enabled administrator. */
const ADMIN_LOCK = `SELECT pg_advisory_xact_lock(hashtext('identity:admins'))`;

interface UserRow {
  id: string;
  username: string;
  display_name: string | null;
  email: string | null;
  roles: string[];
  disabled: boolean;
  created_at: Date;
  updated_at: Date;
  password_changed_at: Date | null;
  has_password: boolean;
  groups: string[];
}

interface GroupRow {
  id: string;
  name: string;
  description: string | null;
  created_at: Date;
  members: string[];
}

function toUser(r: UserRow): UserRecord {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    email: r.email,
    roles: r.roles.filter(isRole),
    groups: r.groups,
    disabled: r.disabled,
    hasPassword: r.has_password,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    passwordChangedAt: r.password_changed_at ? r.password_changed_at.toISOString() : null,
  };
}

function toGroup(r: GroupRow): GroupRecord {
  return { id: r.id, name: r.name, description: r.description, createdAt: r.created_at.toISOString(), members: r.members };
}

const userNotFound = (what: string) => new EngineError(EngineErrorCode.UserNotFound, `no user ${what}`);
const groupNotFound = (name: string) => new EngineError(EngineErrorCode.GroupNotFound, `no group named "${name}"`);

/**
 * Users, groups and memberships in PostgreSQL (raw SQL). Usernames and group names are unique
 * whatever their case and are looked up case-insensitively; they are stored as first written.
 */
@Injectable()
export class UsersService {
  constructor(@Inject(Database) private readonly db: Database) {}

  async list(page: { page: number; size: number }): Promise<Page<UserRecord>> {
    return connection(this.db.dataSource, async (sql) => {
      const rows = await sql.rows<UserRow>(`SELECT ${USER_COLUMNS} FROM app_user u ORDER BY lower(u.username) LIMIT $1 OFFSET $2`, [
        page.size,
        (page.page - 1) * page.size,
      ]);
      const [{ total }] = await sql.rows<{ total: string }>(`SELECT count(*) AS total FROM app_user`);
      return { items: rows.map(toUser), page: page.page, size: page.size, total: Number(total) };
    });
  }

  async get(id: string): Promise<UserRecord> {
    const user = await this.find(id);
    if (!user) throw userNotFound(`with id "${id}"`);
    return user;
  }

  /**
   * By id, or null. Inside a transaction pass its `sql`: the embedded PGlite runs one session at
   * a time, so a second connection would wait for the transaction to end.
   */
  async find(id: string, sql?: Sql): Promise<UserRecord | null> {
    const query = (s: Sql) => s.rows<UserRow>(`SELECT ${USER_COLUMNS} FROM app_user u WHERE u.id = $1`, [id]);
    const rows = sql ? await query(sql) : await connection(this.db.dataSource, query);
    return rows[0] ? toUser(rows[0]) : null;
  }

  /** By username (any case), or null. */
  async findByUsername(username: string): Promise<UserRecord | null> {
    const rows = await connection(this.db.dataSource, (sql) =>
      sql.rows<UserRow>(`SELECT ${USER_COLUMNS} FROM app_user u WHERE lower(u.username) = lower($1)`, [username]),
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  /** The user and their password hash, for the login check only. */
  async findCredentials(sql: Sql, username: string): Promise<{ user: UserRecord; passwordHash: string | null } | null> {
    const rows = await sql.rows<UserRow & { password_hash: string | null }>(
      `SELECT ${USER_COLUMNS}, u.password_hash FROM app_user u WHERE lower(u.username) = lower($1)`,
      [username],
    );
    return rows[0] ? { user: toUser(rows[0]), passwordHash: rows[0].password_hash } : null;
  }

  /** The password hash of a user by id, for the password change check only. */
  async passwordHash(id: string): Promise<string | null> {
    const rows = await connection(this.db.dataSource, (sql) => sql.rows<{ password_hash: string | null }>(`SELECT password_hash FROM app_user WHERE id = $1`, [id]));
    return rows[0]?.password_hash ?? null;
  }

  async create(input: NewUser): Promise<UserRecord> {
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    return transaction(this.db.dataSource, (sql) => this.insert(sql, input, passwordHash));
  }

  /** Inserts a user (inside the caller's transaction); 409 when the username is taken. */
  async insert(sql: Sql, input: NewUser, passwordHash: string | null): Promise<UserRecord> {
    const id = randomUUID();
    try {
      await sql.rows(
        `INSERT INTO app_user (id, username, display_name, email, password_hash, roles, disabled, password_changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, input.username, input.displayName ?? null, input.email ?? null, passwordHash, input.roles ?? [], input.disabled ?? false, passwordHash ? new Date() : null],
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new EngineError(EngineErrorCode.Conflict, `a user named "${input.username}" already exists`);
      throw error;
    }
    for (const name of input.groups ?? []) await this.addMemberIn(sql, name, id);
    const rows = await sql.rows<UserRow>(`SELECT ${USER_COLUMNS} FROM app_user u WHERE u.id = $1`, [id]);
    return toUser(rows[0]);
  }

  /**
   * Changes profile, roles or the disabled flag. Refuses (409) to leave no enabled administrator.
   * Disabling a user revokes their refresh tokens.
   */
  async update(id: string, patch: UserPatch): Promise<UserRecord> {
    return transaction(this.db.dataSource, async (sql) => {
      await sql.rows(ADMIN_LOCK);
      const [current] = await sql.rows<{ roles: string[]; disabled: boolean }>(`SELECT roles, disabled FROM app_user WHERE id = $1 FOR UPDATE`, [id]);
      if (!current) throw userNotFound(`with id "${id}"`);
      const roles = patch.roles ?? current.roles;
      const disabled = patch.disabled ?? current.disabled;
      const wasAdmin = current.roles.includes('admin') && !current.disabled;
      const staysAdmin = roles.includes('admin') && !disabled;
      if (wasAdmin && !staysAdmin) {
        const [{ others }] = await sql.rows<{ others: string }>(
          `SELECT count(*) AS others FROM app_user WHERE id <> $1 AND 'admin' = ANY (roles) AND NOT disabled`,
          [id],
        );
        if (Number(others) === 0) throw new EngineError(EngineErrorCode.Conflict, 'this is the last enabled administrator: it cannot be disabled or lose the admin role');
      }
      const sets: string[] = [];
      const params: unknown[] = [id];
      const set = (column: string, value: unknown) => {
        params.push(value);
        sets.push(`${column} = $${params.length}`);
      };
      if (patch.displayName !== undefined) set('display_name', patch.displayName);
      if (patch.email !== undefined) set('email', patch.email);
      if (patch.roles !== undefined) set('roles', patch.roles);
      if (patch.disabled !== undefined) set('disabled', patch.disabled);
      if (sets.length) await sql.rows(`UPDATE app_user SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
      if (disabled && !current.disabled) await revokeAllRefreshTokens(sql, id, 'user-disabled');
      const rows = await sql.rows<UserRow>(`SELECT ${USER_COLUMNS} FROM app_user u WHERE u.id = $1`, [id]);
      return toUser(rows[0]);
    });
  }

  /**
   * Sets a new password: stores its hash, stamps password_changed_at (access tokens issued
   * before it are refused) and revokes every refresh token of the user.
   */
  async setPassword(id: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await transaction(this.db.dataSource, async (sql) => {
      // This server's clock, not the database's: it is compared with the `iat` this server signs.
      const changed = await sql.affected(`UPDATE app_user SET password_hash = $2, password_changed_at = $3, updated_at = now() WHERE id = $1`, [id, passwordHash, new Date()]);
      if (!changed) throw userNotFound(`with id "${id}"`);
      await revokeAllRefreshTokens(sql, id, 'password-changed');
    });
  }

  async listGroups(): Promise<GroupRecord[]> {
    const rows = await connection(this.db.dataSource, (sql) => sql.rows<GroupRow>(`SELECT ${GROUP_COLUMNS} FROM app_group g ORDER BY lower(g.name)`));
    return rows.map(toGroup);
  }

  async getGroup(name: string): Promise<GroupRecord> {
    return connection(this.db.dataSource, (sql) => this.groupIn(sql, name));
  }

  async createGroup(input: { name: string; description?: string | null }): Promise<GroupRecord> {
    return transaction(this.db.dataSource, async (sql) => {
      try {
        await sql.rows(`INSERT INTO app_group (id, name, description) VALUES ($1, $2, $3)`, [randomUUID(), input.name, input.description ?? null]);
      } catch (error) {
        if (isUniqueViolation(error)) throw new EngineError(EngineErrorCode.Conflict, `a group named "${input.name}" already exists`);
        throw error;
      }
      return this.groupIn(sql, input.name);
    });
  }

  /** Creates the group unless one of that name exists (seeding). */
  async ensureGroup(sql: Sql, name: string, description: string | null): Promise<void> {
    await sql.rows(`INSERT INTO app_group (id, name, description) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [randomUUID(), name, description]);
  }

  /** Adds a member (no-op when already one). */
  async addMember(groupName: string, username: string): Promise<GroupRecord> {
    return transaction(this.db.dataSource, async (sql) => {
      const [user] = await sql.rows<{ id: string }>(`SELECT id FROM app_user WHERE lower(username) = lower($1)`, [username]);
      if (!user) throw userNotFound(`named "${username}"`);
      await this.addMemberIn(sql, groupName, user.id);
      return this.groupIn(sql, groupName);
    });
  }

  /** Removes a member (no-op when not one). */
  async removeMember(groupName: string, username: string): Promise<GroupRecord> {
    return transaction(this.db.dataSource, async (sql) => {
      const group = await this.groupIn(sql, groupName);
      const [user] = await sql.rows<{ id: string }>(`SELECT id FROM app_user WHERE lower(username) = lower($1)`, [username]);
      if (!user) throw userNotFound(`named "${username}"`);
      await sql.rows(`DELETE FROM group_member WHERE group_id = $1 AND user_id = $2`, [group.id, user.id]);
      return this.groupIn(sql, groupName);
    });
  }

  private async addMemberIn(sql: Sql, groupName: string, userId: string): Promise<void> {
    const [group] = await sql.rows<{ id: string }>(`SELECT id FROM app_group WHERE lower(name) = lower($1)`, [groupName]);
    if (!group) throw groupNotFound(groupName);
    await sql.rows(`INSERT INTO group_member (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [group.id, userId]);
  }

  private async groupIn(sql: Sql, name: string): Promise<GroupRecord> {
    const [row] = await sql.rows<GroupRow>(`SELECT ${GROUP_COLUMNS} FROM app_group g WHERE lower(g.name) = lower($1)`, [name]);
    if (!row) throw groupNotFound(name);
    return toGroup(row);
  }
}

/** Revokes every live refresh token of a user. */
export async function revokeAllRefreshTokens(sql: Sql, userId: string, reason: string, exceptFamily: string | null = null): Promise<void> {
  await sql.rows(
    `UPDATE refresh_token SET revoked_at = now(), revoke_reason = $2
      WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR family_id <> $3::uuid)`,
    [userId, reason, exceptFamily],
  );
}
