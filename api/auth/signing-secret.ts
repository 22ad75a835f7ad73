import { randomBytes } from 'node:crypto';
import type { Database } from '../database/database';
import { connection } from './sql';

const SETTING = 'auth.signing-secret';

/**
 * The HS256 key of this server's access tokens: AUTH_SECRET when configured, otherwise one
 * generated on the first start and kept in app_setting, so every server process and every
 * restart signs and accepts the same tokens.
 */
export async function loadSigningSecret(db: Database, configured: string | null): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  const value = await connection(db.dataSource, async (sql) => {
    await sql.rows(`INSERT INTO app_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [SETTING, randomBytes(48).toString('base64url')]);
    const [row] = await sql.rows<{ value: string }>(`SELECT value FROM app_setting WHERE key = $1`, [SETTING]);
    return row.value;
  });
  return new TextEncoder().encode(value);
}
