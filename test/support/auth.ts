import { AuthService, type Role, type TokenResponse } from '../../api/auth';
import { defaultAuthConfig, type AuthConfig } from '../../api/config/config';
import { UsersService, type UserRecord } from '../../api/users/users.service';
import type { TestApp } from './test-app';

/**
 * Identity settings for a test app. Tests pass the database as databaseUrl even on PGlite, so
 * "embedded default" (demo users) is the explicit `seedDemoUsers` flag here.
 */
export function testAuthConfig(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return { ...defaultAuthConfig({ databaseUrl: 'postgres://test', production: false }), ...overrides };
}

export interface TestUserInput {
  username: string;
  /** Default 'password-123'; null = an external (OIDC-only) user without a password. */
  password?: string | null;
  roles?: Role[];
  /** Created when missing. */
  groups?: string[];
  displayName?: string;
  disabled?: boolean;
}

export const TEST_PASSWORD = 'password-123';

/** Creates a user directly through the service (no HTTP, no admin needed); groups are created as needed. */
export async function createUser(t: TestApp, input: TestUserInput): Promise<UserRecord> {
  const users = t.app.get(UsersService);
  const existing = new Set((await users.listGroups()).map((g) => g.name.toLowerCase()));
  for (const g of input.groups ?? []) if (!existing.has(g.toLowerCase())) await users.createGroup({ name: g });
  return users.create({
    username: input.username,
    password: input.password === undefined ? TEST_PASSWORD : input.password,
    roles: input.roles ?? [],
    groups: input.groups ?? [],
    displayName: input.displayName ?? null,
    disabled: input.disabled ?? false,
  });
}

/** POST /api/auth/login; fails the test unless it answers 200. */
export async function login(t: TestApp, username: string, password: string = TEST_PASSWORD): Promise<TokenResponse> {
  const res = await t.http.post('/api/auth/login').send({ username, password });
  if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as TokenResponse;
}

/**
 * A valid access token for an existing user without the password round trip (argon2 is slow by
 * design): what matrix tests should use. It belongs to a session of its own (access tokens name
 * their session, checked on every request).
 */
export async function tokenFor(t: TestApp, username: string): Promise<string> {
  return (await tokensFor(t, username)).accessToken;
}

/** A full token pair (access + refresh) for an existing user, without a password. */
export async function tokensFor(t: TestApp, username: string): Promise<TokenResponse> {
  const user = await t.app.get(UsersService).findByUsername(username);
  if (!user) throw new Error(`no user ${username}`);
  return t.app.get(AuthService).issueTokens(user);
}

/** `Authorization` header value. */
export const bearer = (token: string) => `Bearer ${token}`;

/** The value of a Set-Cookie cookie in a supertest response, or null. */
export function setCookie(res: { headers: Record<string, unknown> }, name: string): { value: string; attributes: string } | null {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  for (const line of list) {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq).trim() === name) return { value: decodeURIComponent(pair.slice(eq + 1).trim()), attributes: attrs.join(';').trim() };
  }
  return null;
}
