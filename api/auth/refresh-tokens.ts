import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Sql } from './sql';

export interface IssuedRefreshToken {
  id: string;
  familyId: string;
  /** The opaque token, shown to the client once; only its SHA-256 is stored. */
  token: string;
  expiresAt: Date;
}

export interface RefreshTokenRow {
  id: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  revoked_at: Date | null;
  replaced_by: string | null;
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Opaque, rotating refresh tokens (256 random bits). Each login starts a family; every refresh
 * revokes the presented token and issues its successor in the same family. Presenting a token
 * that was already rotated means it was copied: the whole family is revoked.
 */
export class RefreshTokens {
  constructor(private readonly ttlSeconds: number) {}

  async issue(sql: Sql, userId: string, familyId: string | null): Promise<IssuedRefreshToken> {
    const issued = {
      id: randomUUID(),
      familyId: familyId ?? randomUUID(),
      token: randomBytes(32).toString('base64url'),
      expiresAt: new Date(Date.now() + this.ttlSeconds * 1000),
    };
    await sql.rows(`INSERT INTO refresh_token (id, user_id, family_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
      issued.id,
      userId,
      issued.familyId,
      hashRefreshToken(issued.token),
      new Date(),
      issued.expiresAt,
    ]);
    return issued;
  }

  /** The token's row, locked for the rest of the transaction (concurrent refreshes queue). */
  async lock(sql: Sql, token: string): Promise<RefreshTokenRow | null> {
    const [row] = await sql.rows<RefreshTokenRow>(
      `SELECT id, user_id, family_id, expires_at, revoked_at, replaced_by FROM refresh_token WHERE token_hash = $1 FOR UPDATE`,
      [hashRefreshToken(token)],
    );
    return row ?? null;
  }

  async markRotated(sql: Sql, id: string, replacedBy: string): Promise<void> {
    await sql.rows(`UPDATE refresh_token SET revoked_at = $2, revoke_reason = 'rotated', replaced_by = $3 WHERE id = $1`, [id, new Date(), replacedBy]);
  }

  /** Revokes every live token of a family; the number revoked. */
  async revokeFamily(sql: Sql, familyId: string, reason: string): Promise<number> {
    return sql.affected(`UPDATE refresh_token SET revoked_at = $2, revoke_reason = $3 WHERE family_id = $1 AND revoked_at IS NULL`, [familyId, new Date(), reason]);
  }

  /** Forgets tokens that expired more than a day ago (nothing can use them any more). */
  async purgeExpired(sql: Sql): Promise<void> {
    await sql.rows(`DELETE FROM refresh_token WHERE expires_at < $1`, [new Date(Date.now() - 24 * 3600 * 1000)]);
  }
}
