import { createHmac, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { EngineErrorCode } from '../../engine';
import { AccessDenied } from '../auth/access-denied';
import type { AuthenticatedRequest, AuthUser } from '../auth/auth-user';
import { LoginRateLimiter } from '../auth/login-rate-limit';
import { verifyPassword } from '../auth/passwords';
import { transaction } from '../auth/sql';
import { AUTH_CONFIG } from '../auth/tokens';
import type { AuthConfig } from '../config/config';
import { Database } from '../database/database';
import { UsersService, type UserRecord } from '../users/users.service';
import { sendCamundaError } from './camunda-errors';

/** How long a verified username and password is trusted before argon2 checks it again. */
const VERIFIED_TTL_MS = 60_000;
const MAX_CACHED = 1000;

/**
 * HTTP Basic authentication for /engine-rest (what Camunda Modeler and the Camunda clients
 * send): the username and password of a local user, checked like a login (argon2id; the same
 * rate limits, so Basic is no way around them). A bearer token is left to the global AuthGuard.
 *
 * argon2 costs tens of milliseconds by design, and a worker sends its credentials with every
 * poll: a verified pair is remembered for a minute under an HMAC with a per-process random key
 * (never the password itself). The user is re-read on every request, so a disabled user,
 * changed roles or groups, and a password changed since the check take effect at once.
 */
@Injectable()
export class BasicAuthMiddleware implements NestMiddleware {
  private readonly logger = new Logger('auth');
  private readonly key = randomBytes(32);
  private readonly verified = new Map<string, { userId: string; at: number }>();
  private readonly limiter: LoginRateLimiter;

  constructor(
    @Inject(AUTH_CONFIG) config: AuthConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(UsersService) private readonly users: UsersService,
  ) {
    this.limiter = new LoginRateLimiter({
      maxFailuresPerUser: config.loginMaxFailuresPerUser,
      maxFailuresPerIp: config.loginMaxFailuresPerIp,
      windowSeconds: config.loginWindowSeconds,
      knownDays: config.loginKnownDays,
    });
  }

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const header = req.headers.authorization;
    const match = header ? /^Basic\s+([A-Za-z0-9+/=]{1,4096})\s*$/i.exec(header) : null;
    if (!match) {
      if (header && /^Basic\b/i.test(header)) return sendCamundaError(denied('the Authorization header must be "Basic <base64 of username:password>"'), req, res);
      return next();
    }
    try {
      const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) throw denied('the Basic credentials must be base64 of "username:password"');
      const username = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      if (username.length > 128 || password.length > 1024 || /[\u0000-\u001f]/.test(username)) throw denied('invalid username or password'); // eslint-disable-line no-control-regex
      (req as AuthenticatedRequest).authUser = await this.authenticate(username, password, req.ip ?? null);
      next();
    } catch (error) {
      sendCamundaError(error, req, res);
    }
  }

  private async authenticate(username: string, password: string, ip: string | null): Promise<AuthUser> {
    const cacheKey = createHmac('sha256', this.key).update(username.toLowerCase()).update('\u0000').update(password).digest('base64');
    const cached = this.verified.get(cacheKey);
    if (cached && Date.now() - cached.at < VERIFIED_TTL_MS) {
      const user = await this.users.find(cached.userId);
      if (user && !user.disabled && !(user.passwordChangedAt && Date.parse(user.passwordChangedAt) >= cached.at)) return toAuthUser(user);
      this.verified.delete(cacheKey);
    }
    const key = username.trim().toLowerCase();
    const origin = { ip, device: null };
    const outcome = await transaction(this.db.dataSource, async (sql) => {
      await sql.rows(`SELECT pg_advisory_xact_lock(hashtext('login:' || $1))`, [key]);
      await this.limiter.check(sql, key, origin, await this.limiter.known(sql, key, origin));
      const found = await this.users.findCredentials(sql, key);
      const ok = (await verifyPassword(found?.passwordHash ?? null, password)) && !!found && !found.user.disabled;
      await this.limiter.record(sql, key, origin, ok);
      return ok && found ? found.user : null;
    });
    if (!outcome) {
      this.logger.warn({ msg: 'basic authentication refused', username: key, ip });
      throw denied('invalid username or password');
    }
    if (this.verified.size >= MAX_CACHED) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(cacheKey, { userId: outcome.id, at: Date.now() });
    return toAuthUser(outcome);
  }
}

function denied(message: string): AccessDenied {
  return new AccessDenied(EngineErrorCode.Unauthenticated, message, message);
}

function toAuthUser(user: UserRecord): AuthUser {
  return { id: user.id, username: user.username, displayName: user.displayName, roles: user.roles, groups: user.groups, source: 'local' };
}
