import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApp } from '../../api/app';
import { AuthService } from '../../api/auth';
import type { AppConfig } from '../../api/config/config';
import { Database } from '../../api/database/database';
import type { HostOptions } from '../../api/engine-host/host-options';
import { UsersService } from '../../api/users/users.service';
import { bearer, createUser, testAuthConfig, type TestUserInput } from './auth';
import type { TestDatabase } from './test-database';

/** A supertest client; `t.as(user)` answers one that sends that user's access token every time. */
export type Http = ReturnType<typeof request>;

export interface TestApp {
  app: NestExpressApplication;
  /** Anonymous: no Authorization header. */
  http: Http;
  /** The app's own connection, for direct SQL in assertions. */
  sql: DataSource;
  close(): Promise<void>;
}

/** A test app with users: `t.as('alice').get('/api/tasks')`. */
export interface ApiTestApp extends TestApp {
  /** A client sending `username`'s access token (created by createTestApp or `t.user`). */
  as(username: string): Http;
  /** Creates a user (unless it exists) and answers its client. */
  user(input: TestUserInput): Promise<Http>;
}

export function testConfig(db: TestDatabase, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: db.databaseUrl,
    dataDir: db.dataDir,
    production: false,
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    maxBodyBytes: 1024 * 1024,
    maxDefinitionBytes: 2 * 1024 * 1024,
    workers: 1,
    staticDir: null,
    // Tests fire timers explicitly (orchestrator.fireDueTimers) unless they opt into the poller.
    timerPollMs: 0,
    timeZone: 'UTC',
    // No reference flows and no demo data unless a test asks (test/integration/first-start.e2e-spec.ts).
    seedProcesses: false,
    demoData: false,
    ...overrides,
  };
}

/** Boots the whole Nest application on the test database (migrations included). */
export async function startTestApp(db: TestDatabase, options: HostOptions & { config?: Partial<AppConfig> } = {}): Promise<TestApp> {
  const app = await createApp(testConfig(db, options.config), { clock: options.clock, handlers: options.handlers });
  await app.init();
  const server = app.getHttpServer();
  return {
    app,
    http: request(server),
    sql: app.get(Database).dataSource,
    close: () => app.close(),
  };
}

/**
 * The users of the API suites (password TEST_PASSWORD). alice and bob are staff of the same
 * groups, so each can take the other's group tasks; `owner` owns no key until a test says so
 * (PUT /api/definitions/key/:key/owners).
 */
export const TEST_USERS: TestUserInput[] = [
  { username: 'admin', roles: ['admin'] },
  { username: 'owner', roles: ['process-owner'] },
  { username: 'alice', roles: ['staff'], groups: ['servicedesk', 'resolvers'] },
  { username: 'bob', roles: ['staff'], groups: ['servicedesk', 'resolvers'] },
  { username: 'auditor', roles: ['auditor'] },
];

/**
 * Boots the application with users (TEST_USERS unless `users` is given; existing ones are kept,
 * so a restart on the same database is fine) and answers clients per user: `t.as('admin')`.
 * Access tokens are signed directly (no argon2 round trip) and live for an hour.
 */
export async function createTestApp(
  db: TestDatabase,
  options: HostOptions & { config?: Partial<AppConfig>; users?: TestUserInput[] } = {},
): Promise<ApiTestApp> {
  const config = { ...options.config, auth: options.config?.auth ?? testAuthConfig({ accessTokenTtlSeconds: 3600 }) };
  const t = await startTestApp(db, { ...options, config });
  const server = t.app.getHttpServer();
  const clients = new Map<string, Http>();
  const user = async (input: TestUserInput): Promise<Http> => {
    const users = t.app.get(UsersService);
    const record = (await users.findByUsername(input.username)) ?? (await createUser(t, input));
    const client = request.agent(server).set('Authorization', bearer((await t.app.get(AuthService).issueTokens(record)).accessToken));
    clients.set(input.username.toLowerCase(), client);
    return client;
  };
  for (const input of options.users ?? TEST_USERS) await user(input);
  return {
    ...t,
    user,
    as: (username: string) => {
      const client = clients.get(username.toLowerCase());
      if (!client) throw new Error(`no test user ${username}: create it with t.user({ username: '${username}', ... })`);
      return client;
    },
  };
}
