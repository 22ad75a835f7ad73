import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { EngineError, EngineErrorCode } from '../../engine';
import type { AuthConfig } from '../config/config';
import { parse } from '../common/validation';
import { UsersService } from '../users/users.service';
import type { AuthUser } from './auth-user';
import { AuthService, type TokenResponse } from './auth.service';
import { CurrentUser, Public } from './decorators';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords';
import { AUTH_CONFIG } from './tokens';

/** The browser's refresh token: httpOnly, SameSite=Strict, sent only to /api/auth. */
export const REFRESH_COOKIE = 'itsm_refresh';
/**
 * The browser's device cookie: a random id set at the first sign-in, so that a user signing in
 * from a browser they used before is not slowed by failed attempts of others (login-rate-limit.ts).
 */
export const DEVICE_COOKIE = 'itsm_device';
const DEVICE_MAX_AGE_MS = 400 * 24 * 3600 * 1000;
const COOKIE_PATH = '/api/auth';

const LoginBody = z.object({ username: z.string().min(1).max(256), password: z.string().min(1).max(MAX_PASSWORD_LENGTH) }).strict();
const RefreshBody = z.object({ refreshToken: z.string().min(1).max(512).optional() }).strict();
const PasswordBody = z
  .object({
    currentPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
    newPassword: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(MAX_PASSWORD_LENGTH),
  })
  .strict();

/**
 * Sign-in for API clients (bearer access token + refresh token in the body) and browsers (the
 * same, plus the refresh token in an httpOnly cookie, so page scripts never hold it).
 */
@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Username and password → access token (JWT, Bearer) and refresh token; also sets the itsm_refresh cookie. 401 on bad credentials, 429 when rate-limited.' })
  @ApiBody({ schema: { example: { username: 'staff', password: 'demo' } } })
  async login(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenResponse> {
    const { username, password } = parse(LoginBody, body, 'login request');
    const presented = cookie(req, DEVICE_COOKIE);
    const device = presented && /^[A-Za-z0-9_-]{43}$/.test(presented) ? presented : randomBytes(32).toString('base64url');
    try {
      const tokens = await this.auth.login(username, password, { ip: req.ip ?? null, device });
      if (device !== presented) res.cookie(DEVICE_COOKIE, device, { httpOnly: true, sameSite: 'strict', secure: this.config.cookieSecure, path: COOKIE_PATH, maxAge: DEVICE_MAX_AGE_MS });
      return this.answer(res, tokens);
    } catch (error) {
      throw withRetryAfter(res, error);
    }
  }

  @Post('refresh')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Rotate a refresh token (body refreshToken, or the itsm_refresh cookie) → new token pair. Reusing a rotated token revokes the whole session.' })
  async refresh(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenResponse> {
    const token = this.refreshTokenOf(body, req);
    if (!token) throw new EngineError(EngineErrorCode.Unauthenticated, 'no refresh token: send {"refreshToken"} or the itsm_refresh cookie');
    try {
      return this.answer(res, await this.auth.refresh(token));
    } catch (error) {
      if (error instanceof EngineError && error.code === EngineErrorCode.Unauthenticated) this.clearCookie(res);
      throw error;
    }
  }

  @Post('logout')
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke the refresh token (body or cookie) and clear the cookie. Always 204.' })
  async logout(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const token = this.refreshTokenOf(body, req);
    if (token) await this.auth.logout(token);
    this.clearCookie(res);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The authenticated caller: id, username, roles, groups, source (local or oidc).' })
  async me(@CurrentUser() user: AuthUser): Promise<AuthUser & { email: string | null }> {
    const email = user.source === 'local' ? ((await this.users.find(user.id))?.email ?? null) : null;
    return { ...user, email };
  }

  @Post('password')
  @ApiBearerAuth()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Change your own password {currentPassword, newPassword (8+ characters)}; revokes every other session and answers a fresh token pair.' })
  async changePassword(@Body() body: unknown, @CurrentUser() user: AuthUser, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenResponse> {
    const { currentPassword, newPassword } = parse(PasswordBody, body, 'password change');
    try {
      return this.answer(res, await this.auth.changePassword(user, currentPassword, newPassword, req.ip ?? null));
    } catch (error) {
      throw withRetryAfter(res, error);
    }
  }

  private answer(res: Response, tokens: TokenResponse): TokenResponse {
    res.setHeader('Cache-Control', 'no-store');
    res.cookie(REFRESH_COOKIE, tokens.refreshToken, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.cookieSecure,
      path: COOKIE_PATH,
      maxAge: tokens.refreshExpiresIn * 1000,
    });
    return tokens;
  }

  private clearCookie(res: Response): void {
    res.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', secure: this.config.cookieSecure, path: COOKIE_PATH });
  }

  /** The body's refreshToken wins over the cookie. */
  private refreshTokenOf(body: unknown, req: Request): string | null {
    const { refreshToken } = parse(RefreshBody, body, 'refresh request');
    return refreshToken ?? cookie(req, REFRESH_COOKIE);
  }
}

/** A 429 carries Retry-After (seconds). */
function withRetryAfter(res: Response, error: unknown): unknown {
  if (error instanceof EngineError && error.code === EngineErrorCode.TooManyRequests) {
    res.setHeader('Retry-After', String(error.details?.retryAfterSeconds ?? 60));
  }
  return error;
}

/** One cookie's value from the Cookie header (no cookie-parser middleware needed). */
function cookie(req: Request, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw) || null;
      } catch {
        return null;
      }
    }
  }
  return null;
}
