import { createHash } from 'node:crypto';
import { EngineError, EngineErrorCode } from '../../engine';
import type { Sql } from './sql';

export interface RateLimitSettings {
  /** Failures for one username from one address (since that pair's last success) before that pair waits. */
  maxFailuresPerUser: number;
  /** Failures from one address (any username) before that address waits. */
  maxFailuresPerIp: number;
  windowSeconds: number;
  /** How long an address or device a user signed in from stays known. */
  knownDays: number;
}

/** Where a login comes from. */
export interface LoginOrigin {
  ip: string | null;
  /** The browser's device cookie (itsm_device), if any. */
  device: string | null;
}

/**
 * Login throttling kept in PostgreSQL (login_attempt, login_known), so it holds across server
 * processes. Three limits, none of which an attacker can turn against a user who signs in from
 * where they signed in before:
 * - a username from one address: after `maxFailuresPerUser` failures since that pair's last
 *   success within the window, that address waits until the oldest counted failure leaves the
 *   window (the attacker's address, not the user's);
 * - one address, any username: after `maxFailuresPerIp` failures within the window;
 * - a username from anywhere (failures spread over many addresses): after `maxFailuresPerUser`
 *   failures within the window, a login from an address or device the user has not signed in
 *   from within `knownDays` waits a delay that doubles with each further failure (1 s, 2 s, 4 s,
 *   ... up to the window) after the last failure; a known address or device is not delayed.
 * Unknown usernames are counted like known ones (nothing to learn from the limit).
 */
export class LoginRateLimiter {
  constructor(private readonly settings: RateLimitSettings) {}

  /** Whether the user signed in from this address or device within `knownDays`. */
  async known(sql: Sql, username: string, origin: LoginOrigin): Promise<boolean> {
    if (!origin.ip && !origin.device) return false;
    const [row] = await sql.rows(
      `SELECT 1 FROM login_known
        WHERE username = $1 AND last_at > $4
          AND ((kind = 'address' AND value = $2) OR (kind = 'device' AND value = $3))
        LIMIT 1`,
      [username, origin.ip ?? '', origin.device ? deviceHash(origin.device) : '', new Date(Date.now() - this.settings.knownDays * 86_400_000)],
    );
    return Boolean(row);
  }

  /** Throws TOO_MANY_REQUESTS (details.retryAfterSeconds, details.limit) when the next attempt is not allowed. */
  async check(sql: Sql, username: string, origin: LoginOrigin, known: boolean): Promise<void> {
    const now = Date.now();
    const windowMs = this.settings.windowSeconds * 1000;
    const since = new Date(now - windowMs);
    const waits: { until: number; limit: string }[] = [];
    if (origin.ip) {
      const [byPair] = await sql.rows<{ at: Date }>(
        `SELECT at FROM login_attempt
          WHERE username = $1 AND ip = $2 AND NOT success AND at > $3
            AND at > COALESCE((SELECT max(at) FROM login_attempt WHERE username = $1 AND ip = $2 AND success), '-infinity')
          ORDER BY at DESC OFFSET $4 LIMIT 1`,
        [username, origin.ip, since, this.settings.maxFailuresPerUser - 1],
      );
      if (byPair) waits.push({ until: byPair.at.getTime() + windowMs, limit: 'username-and-address' });
      const [byIp] = await sql.rows<{ at: Date }>(`SELECT at FROM login_attempt WHERE ip = $1 AND NOT success AND at > $2 ORDER BY at DESC OFFSET $3 LIMIT 1`, [
        origin.ip,
        since,
        this.settings.maxFailuresPerIp - 1,
      ]);
      if (byIp) waits.push({ until: byIp.at.getTime() + windowMs, limit: 'address' });
    }
    if (!known) {
      const [byUser] = await sql.rows<{ n: number; last: Date | null }>(
        `SELECT count(*)::int AS n, max(at) AS last FROM login_attempt WHERE username = $1 AND NOT success AND at > $2`,
        [username, since],
      );
      if (byUser && byUser.last && byUser.n >= this.settings.maxFailuresPerUser) {
        const delayMs = Math.min(windowMs, 1000 * 2 ** Math.min(30, byUser.n - this.settings.maxFailuresPerUser));
        waits.push({ until: byUser.last.getTime() + delayMs, limit: 'username' });
      }
    }
    const wait = waits.filter((w) => w.until > now).sort((a, b) => b.until - a.until)[0];
    if (!wait) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((wait.until - now) / 1000));
    throw new EngineError(EngineErrorCode.TooManyRequests, `too many failed sign-in attempts; try again in ${retryAfterSeconds} seconds`, {
      details: { retryAfterSeconds, limit: wait.limit },
    });
  }

  async record(sql: Sql, username: string, origin: LoginOrigin, success: boolean): Promise<void> {
    await sql.rows(`INSERT INTO login_attempt (username, ip, at, success) VALUES ($1, $2, $3, $4)`, [username, origin.ip, new Date(), success]);
    if (!success) return;
    const known = [...(origin.ip ? [['address', origin.ip]] : []), ...(origin.device ? [['device', deviceHash(origin.device)]] : [])];
    for (const [kind, value] of known) {
      await sql.rows(
        `INSERT INTO login_known (username, kind, value, last_at) VALUES ($1, $2, $3, now()) ON CONFLICT (username, kind, value) DO UPDATE SET last_at = now()`,
        [username, kind, value],
      );
    }
  }

  /** Forgets attempts older than a day (the window is at most that) and addresses and devices no longer known. */
  async purge(sql: Sql): Promise<void> {
    await sql.rows(`DELETE FROM login_attempt WHERE at < $1`, [new Date(Date.now() - Math.max(24 * 3600, this.settings.windowSeconds) * 1000)]);
    await sql.rows(`DELETE FROM login_known WHERE last_at < $1`, [new Date(Date.now() - this.settings.knownDays * 86_400_000)]);
  }
}

/** Device cookies are stored as their SHA-256 only. */
function deviceHash(device: string): string {
  return createHash('sha256').update(device, 'utf8').digest('hex');
}
