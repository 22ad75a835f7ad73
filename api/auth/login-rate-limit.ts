import { EngineError, EngineErrorCode } from '../../engine';
import type { Sql } from './sql';

export interface RateLimitSettings {
  maxFailuresPerUser: number;
  maxFailuresPerIp: number;
  windowSeconds: number;
}

/**
 * Login rate limit kept in PostgreSQL (login_attempt), so it holds across server processes:
 * after `maxFailuresPerUser` failed logins for one username since its last success, or
 * `maxFailuresPerIp` failed logins from one client address, within the window, further
 * attempts are refused with 429 until the oldest counted failure leaves the window. Unknown
 * usernames are counted like known ones (nothing to learn from the limit).
 */
export class LoginRateLimiter {
  constructor(private readonly settings: RateLimitSettings) {}

  /** Throws TOO_MANY_REQUESTS (details.retryAfterSeconds) when the next attempt is not allowed. */
  async check(sql: Sql, username: string, ip: string | null): Promise<void> {
    const now = Date.now();
    const since = new Date(now - this.settings.windowSeconds * 1000);
    const [byUser] = await sql.rows<{ at: Date }>(
      `SELECT at FROM login_attempt
        WHERE username = $1 AND NOT success AND at > $2
          AND at > COALESCE((SELECT max(at) FROM login_attempt WHERE username = $1 AND success), '-infinity')
        ORDER BY at DESC OFFSET $3 LIMIT 1`,
      [username, since, this.settings.maxFailuresPerUser - 1],
    );
    const [byIp] = ip
      ? await sql.rows<{ at: Date }>(`SELECT at FROM login_attempt WHERE ip = $1 AND NOT success AND at > $2 ORDER BY at DESC OFFSET $3 LIMIT 1`, [
          ip,
          since,
          this.settings.maxFailuresPerIp - 1,
        ])
      : [];
    const blockedUntil = Math.max(byUser ? byUser.at.getTime() : 0, byIp ? byIp.at.getTime() : 0) + this.settings.windowSeconds * 1000;
    if (!byUser && !byIp) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((blockedUntil - now) / 1000));
    throw new EngineError(EngineErrorCode.TooManyRequests, `too many failed sign-in attempts; try again in ${retryAfterSeconds} seconds`, {
      details: { retryAfterSeconds },
    });
  }

  async record(sql: Sql, username: string, ip: string | null, success: boolean): Promise<void> {
    await sql.rows(`INSERT INTO login_attempt (username, ip, at, success) VALUES ($1, $2, $3, $4)`, [username, ip, new Date(), success]);
  }

  /** Forgets attempts older than a day (the window is at most that). */
  async purge(sql: Sql): Promise<void> {
    await sql.rows(`DELETE FROM login_attempt WHERE at < $1`, [new Date(Date.now() - Math.max(24 * 3600, this.settings.windowSeconds) * 1000)]);
  }
}
