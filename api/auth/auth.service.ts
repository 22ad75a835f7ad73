import { Inject, Injectable, Logger } from '@nestjs/common';
import { EngineError, EngineErrorCode } from '../../engine';
import type { AuthConfig } from '../config/config';
import { Database } from '../database/database';
import { UsersService, type UserRecord } from '../users/users.service';
import type { AuthUser, Role } from './auth-user';
import { LocalTokens } from './local-tokens';
import { LoginRateLimiter, type LoginOrigin } from './login-rate-limit';
import { verifyPassword } from './passwords';
import { RefreshTokens, type IssuedRefreshToken } from './refresh-tokens';
import { transaction } from './sql';
import { decodeUnverified, TOKEN_VERIFIERS, unauthenticated, type TokenVerifier } from './token-verifier';
import { AUTH_CONFIG } from './tokens';

/** What login, refresh and password change answer (OAuth 2.0 token response style). */
export interface TokenResponse {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds the access token is valid. */
  expiresIn: number;
  refreshToken: string;
  /** Seconds the refresh token is valid (each refresh issues a new one). */
  refreshExpiresIn: number;
  user: { id: string; username: string; displayName: string | null; roles: Role[]; groups: string[] };
}

/** The same answer for every failed login: nothing tells a wrong username from a wrong password. */
const BAD_CREDENTIALS = 'invalid username or password';
const BAD_REFRESH = 'the refresh token is invalid, expired or revoked; sign in again';

/**
 * Login, refresh, logout, password change, and bearer token verification (through the
 * configured TokenVerifiers). Passwords are only ever compared with argon2id hashes; neither
 * passwords nor tokens are logged.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger('auth');
  private readonly refreshTokens: RefreshTokens;
  private readonly limiter: LoginRateLimiter;
  private lastHousekeeping = 0;

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(LocalTokens) private readonly local: LocalTokens,
    @Inject(TOKEN_VERIFIERS) private readonly verifiers: TokenVerifier[],
  ) {
    this.refreshTokens = new RefreshTokens(config.refreshTokenTtlSeconds);
    this.limiter = new LoginRateLimiter({
      maxFailuresPerUser: config.loginMaxFailuresPerUser,
      maxFailuresPerIp: config.loginMaxFailuresPerIp,
      windowSeconds: config.loginWindowSeconds,
      knownDays: config.loginKnownDays,
    });
  }

  /** The caller a bearer token stands for; 401 when no verifier vouches for it. */
  async authenticate(token: string): Promise<AuthUser> {
    const unverified = decodeUnverified(token);
    if (!unverified) throw unauthenticated('the access token is not a JWT');
    const verifier = this.verifiers.find((v) => v.accepts(unverified));
    if (!verifier) throw unauthenticated('the access token comes from an issuer this server does not trust');
    return verifier.verify(token);
  }

  /**
   * Username and password → tokens. 401 (one message for every reason), 429 when throttled (see
   * LoginRateLimiter: an address or device the user signed in from before is not slowed by
   * failures from elsewhere). `origin.device` is the browser's device cookie.
   */
  async login(username: string, password: string, from: LoginOrigin): Promise<TokenResponse> {
    const key = username.trim().toLowerCase();
    const outcome = await transaction(this.db.dataSource, async (sql) => {
      // One login per username at a time across all processes: the limit cannot be raced.
      await sql.rows(`SELECT pg_advisory_xact_lock(hashtext('login:' || $1))`, [key]);
      await this.limiter.check(sql, key, from, await this.limiter.known(sql, key, from));
      const found = await this.users.findCredentials(sql, key);
      const passwordOk = await verifyPassword(found?.passwordHash ?? null, password);
      const ok = passwordOk && !!found && !found.user.disabled;
      await this.limiter.record(sql, key, from, ok);
      if (!ok || !found) return { ok: false as const, reason: !found ? 'unknown user' : passwordOk ? 'user disabled' : found.passwordHash ? 'wrong password' : 'no local password' };
      return { ok: true as const, user: found.user, refresh: await this.refreshTokens.issue(sql, found.user.id, null) };
    });
    this.housekeeping();
    if (!outcome.ok) {
      this.logger.warn({ msg: 'login refused', username: key, ip: from.ip, reason: outcome.reason });
      throw unauthenticated(BAD_CREDENTIALS);
    }
    this.logger.log({ msg: 'login', user: outcome.user.username, ip: from.ip });
    return this.tokenResponse(outcome.user, outcome.refresh);
  }

  /**
   * Rotates a refresh token: the presented one is revoked and a new one issued in its family.
   * A token that was already rotated is a copy in the wrong hands: its whole family is revoked.
   */
  async refresh(token: string): Promise<TokenResponse> {
    const outcome = await transaction(this.db.dataSource, async (sql) => {
      const row = await this.refreshTokens.lock(sql, token);
      if (!row) return { ok: false as const, reason: 'unknown refresh token' };
      if (row.revoked_at) {
        if (!row.replaced_by) return { ok: false as const, reason: 'revoked refresh token', userId: row.user_id };
        const revoked = await this.refreshTokens.revokeFamily(sql, row.family_id, 'reuse-detected');
        return { ok: false as const, reason: `reuse of a rotated refresh token: family revoked (${revoked} live)`, userId: row.user_id };
      }
      if (row.expires_at.getTime() <= Date.now()) return { ok: false as const, reason: 'expired refresh token', userId: row.user_id };
      const user = await this.users.find(row.user_id, sql);
      if (!user || user.disabled) {
        await this.refreshTokens.revokeFamily(sql, row.family_id, 'user-disabled');
        return { ok: false as const, reason: 'user disabled or removed', userId: row.user_id };
      }
      const next = await this.refreshTokens.issue(sql, user.id, row.family_id);
      await this.refreshTokens.markRotated(sql, row.id, next.id);
      return { ok: true as const, user, refresh: next };
    });
    if (!outcome.ok) {
      this.logger.warn({ msg: 'refresh refused', userId: outcome.userId, reason: outcome.reason });
      throw unauthenticated(BAD_REFRESH);
    }
    return this.tokenResponse(outcome.user, outcome.refresh);
  }

  /** Revokes the refresh token's family (this session). Unknown tokens are ignored. */
  async logout(token: string): Promise<void> {
    await transaction(this.db.dataSource, async (sql) => {
      const row = await this.refreshTokens.lock(sql, token);
      if (row) await this.refreshTokens.revokeFamily(sql, row.family_id, 'logout');
    });
  }

  /**
   * The caller changes their own password: the current one must be right (and is rate-limited
   * like a login). Every refresh token of the user is revoked and access tokens issued before
   * now are refused; the answer carries a fresh pair for this session.
   */
  async changePassword(caller: AuthUser, currentPassword: string, newPassword: string, ip: string | null): Promise<TokenResponse> {
    if (caller.source !== 'local') throw new EngineError(EngineErrorCode.Forbidden, 'users of an external identity provider change their password there');
    if (newPassword === currentPassword) throw new EngineError(EngineErrorCode.InvalidRequest, 'invalid password change: newPassword must differ from currentPassword');
    const key = caller.username.toLowerCase();
    const ok = await transaction(this.db.dataSource, async (sql) => {
      await sql.rows(`SELECT pg_advisory_xact_lock(hashtext('login:' || $1))`, [key]);
      const from: LoginOrigin = { ip, device: null };
      // The caller holds a live session: they are known, only this address's own failures count.
      await this.limiter.check(sql, key, from, true);
      const found = await this.users.findCredentials(sql, key);
      const passwordOk = !!found && found.user.id === caller.id && (await verifyPassword(found.passwordHash, currentPassword));
      await this.limiter.record(sql, key, from, passwordOk);
      return passwordOk;
    });
    if (!ok) {
      this.logger.warn({ msg: 'password change refused', user: caller.username, ip, reason: 'wrong current password' });
      throw new EngineError(EngineErrorCode.Forbidden, 'the current password is wrong');
    }
    await this.users.setPassword(caller.id, newPassword);
    this.logger.log({ msg: 'password changed', user: caller.username });
    const user = await this.users.get(caller.id);
    const refresh = await transaction(this.db.dataSource, (sql) => this.refreshTokens.issue(sql, user.id, null));
    return this.tokenResponse(user, refresh);
  }

  /**
   * Forgets old login attempts and long-expired refresh tokens, at most once a minute per
   * process, off the login's transaction; failures here never fail a login.
   */
  private housekeeping(): void {
    const now = Date.now();
    if (now - this.lastHousekeeping < 60_000) return;
    this.lastHousekeeping = now;
    void transaction(this.db.dataSource, async (sql) => {
      await this.limiter.purge(sql);
      await this.refreshTokens.purgeExpired(sql);
    }).catch((error: unknown) => this.logger.warn({ msg: 'identity housekeeping failed', err: error }));
  }

  /** A token pair for a user without a password check (tests, trusted callers). */
  async issueTokens(user: UserRecord): Promise<TokenResponse> {
    const refresh = await transaction(this.db.dataSource, (sql) => this.refreshTokens.issue(sql, user.id, null));
    return this.tokenResponse(user, refresh);
  }

  private async tokenResponse(user: UserRecord, refresh: IssuedRefreshToken): Promise<TokenResponse> {
    const view = { id: user.id, username: user.username, displayName: user.displayName, roles: user.roles, groups: user.groups };
    return {
      accessToken: await this.local.sign(view, refresh.familyId),
      tokenType: 'Bearer',
      expiresIn: this.local.ttlSeconds,
      refreshToken: refresh.token,
      refreshExpiresIn: this.config.refreshTokenTtlSeconds,
      user: view,
    };
  }
}
