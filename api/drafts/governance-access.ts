import { EngineError, EngineErrorCode } from '../../engine';
import { hasRole, type AuthUser } from '../auth/auth-user';
import type { Sql } from '../auth/sql';

/** A key a process owner may draft and submit: one they own, or one not deployed yet (nobody owns it). */
export async function ownsOrNew(sql: Sql, user: AuthUser, key: string): Promise<boolean> {
  const [row] = await sql.rows<{ owner: boolean; deployed: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM definition_owner o JOIN app_user u ON u.id = o.user_id
                     WHERE o.definition_key = $1 AND lower(u.username) = lower($2)) AS owner,
            EXISTS (SELECT 1 FROM process_definition WHERE key = $1) AS deployed`,
    [key, user.username],
  );
  return Boolean(row?.owner || !row?.deployed);
}

/** Administrators edit every key's drafts; process owners those of keys they own or new keys. */
export async function assertMayEdit(sql: Sql, user: AuthUser, key: string): Promise<void> {
  if (hasRole(user, 'admin')) return;
  if (hasRole(user, 'process-owner') && (await ownsOrNew(sql, user, key))) return;
  throw new EngineError(
    EngineErrorCode.Forbidden,
    hasRole(user, 'process-owner')
      ? `you are not a process owner of "${key}" (an administrator names them: PUT /api/definitions/key/${key}/owners)`
      : 'drafts are edited by administrators and process owners',
  );
}

/**
 * Who reads a draft or request of a key: administrators and auditors every one; a process owner
 * those of keys they own or new keys, and what they wrote themselves.
 */
export async function mayRead(sql: Sql, user: AuthUser, key: string, author: string): Promise<boolean> {
  if (hasRole(user, 'admin', 'auditor')) return true;
  if (!hasRole(user, 'process-owner')) return false;
  return author.toLowerCase() === user.username.toLowerCase() || (await ownsOrNew(sql, user, key));
}

/** SQL filter with the same rule for lists: `$n` is the caller's username. */
export function readableBy(user: AuthUser, keyColumn: string, authorColumn: string, param: string): string {
  // The parameter is referenced either way (PostgreSQL refuses a bound parameter it cannot type).
  if (hasRole(user, 'admin', 'auditor')) return `(${param}::text IS NULL OR TRUE)`;
  return `(lower(${authorColumn}) = lower(${param}::text)
           OR EXISTS (SELECT 1 FROM definition_owner ro JOIN app_user ru ON ru.id = ro.user_id WHERE ro.definition_key = ${keyColumn} AND lower(ru.username) = lower(${param}::text))
           OR NOT EXISTS (SELECT 1 FROM process_definition rd WHERE rd.key = ${keyColumn}))`;
}
