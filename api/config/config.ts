import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_BUDGET_LIMITS, DEFAULT_LIVE_ENGINE_BYTES, DEFAULT_LIVE_ENGINE_IDLE_MS, type BudgetLimits } from '../../engine';
import { DEFAULT_HEAP_GROWTH_PERCENT, DEFAULT_MALLOC_ARENA_MAX, DEFAULT_SEMI_SPACE_MB } from './v8-memory';

/**
 * How long the server keeps an idle keep-alive connection open. Longer than the idle timeouts of the
 * clients and proxies in front of it (Node's fetch 4 s, load balancers typically 60 s), so a client
 * never sends a request on a connection the server is closing at that moment (the request then fails
 * with no answer: "other side closed", "socket hang up"). Node's own default is 5 s.
 */
export const DEFAULT_HTTP_KEEP_ALIVE_SECONDS = 65;

/** Validated configuration. `process.env` is read here and nowhere else. */
export interface AppConfig {
  port: number;
  host: string;
  /** External PostgreSQL; when absent the server embeds PGlite in `dataDir`. */
  databaseUrl: string | null;
  /** DATABASE_READ_URL: a streaming replica for read-only queries (history, replay, KPIs); absent = the primary. */
  databaseReadUrl?: string | null;
  dataDir: string;
  production: boolean;
  logLevel: string;
  /** Largest JSON request body in bytes. */
  maxBodyBytes: number;
  /** HTTP_KEEP_ALIVE_SECONDS: how long an idle keep-alive connection stays open (absent: {@link DEFAULT_HTTP_KEEP_ALIVE_SECONDS}). */
  httpKeepAliveSeconds?: number;
  /** Largest BPMN document in bytes. */
  maxDefinitionBytes: number;
  /** Deploy-time limits of a BPMN document (absent = the engine defaults). */
  definitionLimits?: { maxElements: number; maxFlowElements: number; maxLoopCardinality: number };
  /** Server processes to run (Node cluster); 1 = this process only. */
  workers: number;
  /** Set on a cluster worker by main.ts (CLUSTER_WORKER): its index among the workers, for instance affinity (api/affinity); null with INSTANCE_AFFINITY=false. */
  clusterWorker?: { index: number; workers: number } | null;
  /** Directory of the built browser app, served at `/` when present. */
  staticDir: string | null;
  /** How often each server process looks for due timers, in ms; 0 disables the poller (tests). */
  timerPollMs: number;
  /** Time zone of cron timer cycles. */
  timeZone: string;
  /** A command whose engine run shows no activity this long while not settled fails (ENGINE_STALLED); absent = engine default. */
  engineStallTimeoutMs?: number;
  /** Memory budget of the engines each process keeps warm between commands, in MiB (0: none kept); absent = engine default. */
  warmEngineMemoryMb?: number;
  /** Seconds after which a warm engine whose instance had no command is dropped (0: kept until the memory budget drops it); absent = engine default. */
  warmEngineIdleSeconds?: number;
  /** Execution budget of each command (engine/runtime/budget.ts); absent values keep the engine defaults. */
  budget?: Partial<BudgetLimits>;
  /** V8 and malloc memory settings of each server process (api/config/v8-memory.ts); 0 = V8's or glibc's own. */
  v8Memory?: { heapGrowthPercent: number; semiSpaceMb: number; mallocArenaMax?: number };
  /** Identity settings; absent means {@link defaultAuthConfig} of this config. */
  auth?: AuthConfig;
  /** Deploy the reference flows of processes/catalogue.json on the first start of an empty database (absent = false). */
  seedProcesses?: boolean;
  /** Create the demo data set on first start (embedded default only, never in production; absent = false). */
  demoData?: boolean;
  /** How many demo records to create. */
  demoRecords?: number;
  /** Directory holding catalogue.json; absent = the shipped processes/. */
  processesDir?: string;
  /**
   * Express `trust proxy`: which proxies' X-Forwarded-For to believe for the client address (login
   * throttling, logs). false = none (the default: the socket's peer is the client).
   */
  trustProxy?: boolean | number | string;
  /** History keys; absent = {@link defaultHistoryConfig}. */
  history?: HistoryConfig;
  /** Who may read /metrics (METRICS_PORT, METRICS_TOKEN); absent = not served. */
  metrics?: { port: number | null; token: string | null; /** How long one reading of the database gauges serves scrapes (default 5 s). */ gaugeCacheMs?: number };
  /** LOG_FORMAT; absent = pretty lines on a terminal outside production, JSON otherwise. */
  logFormat?: 'pretty' | 'json';
  /** Benchmark diagnostics (STATEMENT_COUNTER_DIR): each process writes how many SQL statements it sent to `<dir>/<pid>`; absent = off. */
  statementCounterDir?: string | null;
}

/** The keys that seal history (api/history/history-keys.ts). */
export interface HistoryConfig {
  /** HISTORY_KEY; null = read (or create, mode 0600) `keyFile`. */
  key: string | null;
  /** HISTORY_PREVIOUS_KEYS: keys of earlier rotations, verification only. */
  previousKeys: string[];
  /** HISTORY_KEY_FILE, default `<DATA_DIR>/history.key`. */
  keyFile: string;
  /** HISTORY_SEAL_LEGACY: seal, once, the history written before keyed history. */
  sealLegacy: boolean;
}

export function defaultHistoryConfig(config: Pick<AppConfig, 'dataDir'>): HistoryConfig {
  return { key: null, previousKeys: [], keyFile: resolve(config.dataDir, 'history.key'), sealLegacy: false };
}

/** An external OpenID Connect provider whose access tokens are accepted. */
export interface OidcConfig {
  issuer: string;
  jwksUrl: string;
  /** Expected `aud`; null = not checked. */
  audience: string | null;
  /** Claim paths (dots walk into objects, e.g. `realm_access.roles`). */
  usernameClaim: string;
  rolesClaim: string;
  groupsClaim: string;
}

export interface AuthConfig {
  /** HS256 key for our access tokens; null = generated once and kept in the database (app_setting). */
  secret: string | null;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Create the demo users on first start (embedded default only: no DATABASE_URL, not production). */
  seedDemoUsers: boolean;
  /** First administrator, created when the user table is empty. */
  initialAdmin: { username: string; password: string } | null;
  oidc: OidcConfig | null;
  /** `Secure` attribute on the refresh cookie. */
  cookieSecure: boolean;
  /** Failed logins allowed per username, and per client address, within the window; then 429. */
  loginMaxFailuresPerUser: number;
  loginMaxFailuresPerIp: number;
  loginWindowSeconds: number;
  /** Days an address or device a user signed in from stays known (not slowed by failures elsewhere). */
  loginKnownDays: number;
}

/** Identity defaults for a configuration without an `auth` section. */
export function defaultAuthConfig(config: Pick<AppConfig, 'databaseUrl' | 'production'>): AuthConfig {
  return {
    secret: null,
    accessTokenTtlSeconds: 15 * 60,
    refreshTokenTtlSeconds: 7 * 24 * 3600,
    seedDemoUsers: !config.databaseUrl && !config.production,
    initialAdmin: null,
    oidc: null,
    cookieSecure: config.production,
    loginMaxFailuresPerUser: 5,
    loginMaxFailuresPerIp: 20,
    loginWindowSeconds: 15 * 60,
    loginKnownDays: 30,
  };
}

/** `iss` (and `aud`) of the access tokens this server signs. */
export const LOCAL_ISSUER = 'itsm-orchestrator';

/** An optional variable; empty counts as unset. */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const EnvSchema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATABASE_READ_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATA_DIR: z.string().min(1).default('./data'),
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_BODY_BYTES: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  HTTP_KEEP_ALIVE_SECONDS: int(1, 3_600).default(DEFAULT_HTTP_KEEP_ALIVE_SECONDS),
  MAX_DEFINITION_BYTES: int(1024, 64 * 1024 * 1024).default(2 * 1024 * 1024),
  WORKERS: int(1, 64).default(1),
  MAX_DEFINITION_ELEMENTS: int(100, 1_000_000).default(10_000),
  MAX_FLOW_ELEMENTS: int(10, 100_000).default(2_000),
  MAX_LOOP_CARDINALITY: int(1, 1_000).default(1_000),
  STATIC_DIR: z.string().optional(),
  TIMER_POLL_MS: int(0, 3_600_000).default(1000),
  ENGINE_STALL_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  WARM_ENGINE_MEMORY_MB: int(0, 65_536).default(DEFAULT_LIVE_ENGINE_BYTES / 2 ** 20),
  WARM_ENGINE_IDLE_SECONDS: int(0, 86_400).default(DEFAULT_LIVE_ENGINE_IDLE_MS / 1000),
  HEAP_GROWTH_PERCENT: int(0, 1_000).default(DEFAULT_HEAP_GROWTH_PERCENT),
  SEMI_SPACE_MB: int(0, 1_024).default(DEFAULT_SEMI_SPACE_MB),
  MALLOC_ARENA_MAX: int(0, 1_024).default(DEFAULT_MALLOC_ARENA_MAX),
  ENGINE_TIME_BUDGET_MS: int(50, 600_000).default(DEFAULT_BUDGET_LIMITS.timeMs),
  ENGINE_MEMORY_BUDGET_MB: int(16, 65_536).default(DEFAULT_BUDGET_LIMITS.memoryMb),
  ENGINE_MAX_STEPS: int(100, 10_000_000).default(DEFAULT_BUDGET_LIMITS.steps),
  ENGINE_MAX_TASKS: int(1, 1_000_000).default(DEFAULT_BUDGET_LIMITS.tasks),
  ENGINE_MAX_LOOP_INSTANCES: int(1, 1_000_000).default(DEFAULT_BUDGET_LIMITS.loopInstances),
  ENGINE_SLICE_MS: int(1, 10_000).default(DEFAULT_BUDGET_LIMITS.sliceMs),
  EXPRESSION_TIMEOUT_MS: int(5, 600_000).default(DEFAULT_BUDGET_LIMITS.expressionMs),
  EXPRESSION_MEMORY_MB: int(16, 65_536).default(DEFAULT_BUDGET_LIMITS.expressionMemoryMb),
  EXPRESSION_MAX_RESULT_CHARS: int(1024, 1_000_000_000).default(DEFAULT_BUDGET_LIMITS.expressionResultChars),
  EXPRESSION_WAIT_MS: int(1, 600_000).default(DEFAULT_BUDGET_LIMITS.expressionWaitMs),
  TIME_ZONE: z
    .string()
    .default('UTC')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Berlin'),
  SEED_PROCESSES: z.enum(['true', 'false']).default('true'),
  INSTANCE_AFFINITY: z.enum(['true', 'false']).default('true'),
  DEMO_DATA: z.enum(['true', 'false']).optional(),
  DEMO_RECORDS: int(0, 10_000).default(200),
  /** Set by main.ts on cluster workers of an embedded (PGlite) primary: still the embedded default. */
  EMBEDDED_PRIMARY: z.string().optional(),
  /** Set by main.ts on each cluster worker: "index/workers". */
  CLUSTER_WORKER: optionalText.pipe(
    z.string().regex(/^\d{1,2}\/\d{1,2}$/, 'must be index/workers').refine((v) => { const [i, n] = v.split('/').map(Number) as [number, number]; return n >= 2 && i < n; }, 'must be index/workers with index < workers').optional(),
  ),
  AUTH_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  ACCESS_TOKEN_TTL: int(30, 24 * 3600).default(15 * 60),
  REFRESH_TOKEN_TTL: int(300, 365 * 24 * 3600).default(7 * 24 * 3600),
  AUTH_COOKIE_SECURE: z.enum(['true', 'false']).optional(),
  ADMIN_USERNAME: optionalText.pipe(z.string().regex(/^[A-Za-z0-9._@+-]{1,128}$/, 'must be 1-128 characters of letters, digits and . _ @ + -').optional()),
  ADMIN_PASSWORD: optionalText.pipe(z.string().min(8, 'must be at least 8 characters').max(1024).optional()),
  OIDC_ISSUER: optionalText,
  OIDC_JWKS_URL: optionalText.pipe(z.string().regex(/^https?:\/\//, 'must be an http(s):// URL').optional()),
  OIDC_AUDIENCE: optionalText,
  OIDC_USERNAME_CLAIM: z.string().min(1).default('preferred_username'),
  OIDC_ROLES_CLAIM: z.string().min(1).default('roles'),
  OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  HISTORY_KEY: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  HISTORY_PREVIOUS_KEYS: optionalText.pipe(
    z.string().refine((v) => v.split(/[\s,]+/).filter(Boolean).every((k) => k.length >= 32), 'must be keys of at least 32 characters, separated by commas or spaces').optional(),
  ),
  HISTORY_KEY_FILE: optionalText,
  HISTORY_SEAL_LEGACY: z.enum(['true', 'false']).default('false'),
  TRUST_PROXY: optionalText.pipe(
    z.string().regex(/^(true|false|\d{1,2}|[A-Za-z0-9.:/, ]+)$/, 'must be true, false, a hop count, or addresses / CIDR ranges / loopback, linklocal, uniquelocal').optional(),
  ),
  METRICS_PORT: int(1, 65535).optional().or(z.literal('').transform(() => undefined)),
  METRICS_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  LOG_FORMAT: optionalText.pipe(z.enum(['pretty', 'json']).optional()),
  STATEMENT_COUNTER_DIR: optionalText,
}).superRefine((e, ctx) => {
  if (e.ADMIN_USERNAME && !e.ADMIN_PASSWORD) ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: 'is required when ADMIN_USERNAME is set' });
  if (e.ADMIN_PASSWORD && !e.ADMIN_USERNAME) ctx.addIssue({ code: 'custom', path: ['ADMIN_USERNAME'], message: 'is required when ADMIN_PASSWORD is set' });
  if (e.OIDC_ISSUER && !e.OIDC_JWKS_URL) ctx.addIssue({ code: 'custom', path: ['OIDC_JWKS_URL'], message: 'is required when OIDC_ISSUER is set' });
  if (e.OIDC_JWKS_URL && !e.OIDC_ISSUER) ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'is required when OIDC_JWKS_URL is set' });
  if (e.DEMO_DATA === 'true' && e.NODE_ENV === 'production') ctx.addIssue({ code: 'custom', path: ['DEMO_DATA'], message: 'demo data is never created in production (NODE_ENV=production)' });
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT === e.PORT) ctx.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: 'must differ from PORT (leave it unset and set METRICS_TOKEN to serve /metrics on the main port)' });
  if (e.OIDC_ISSUER === LOCAL_ISSUER) ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: `must differ from this server's own issuer "${LOCAL_ISSUER}"` });
});

/** Parses the environment once at boot; a bad value stops the server with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, defaultStaticDir: string | null = null): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const databaseUrl = e.DATABASE_URL ?? null;
  // A replica of the embedded PGlite cannot exist: the setting would be silently ignored.
  if (e.DATABASE_READ_URL && !databaseUrl) throw new Error('Invalid environment:\n  DATABASE_READ_URL: needs DATABASE_URL (the primary it replicates)');
  const production = e.NODE_ENV === 'production';
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl,
    databaseReadUrl: e.DATABASE_READ_URL ?? null,
    dataDir: resolve(e.DATA_DIR),
    production,
    logLevel: e.LOG_LEVEL,
    maxBodyBytes: e.MAX_BODY_BYTES,
    httpKeepAliveSeconds: e.HTTP_KEEP_ALIVE_SECONDS,
    maxDefinitionBytes: e.MAX_DEFINITION_BYTES,
    workers: e.WORKERS,
    clusterWorker: e.CLUSTER_WORKER && e.INSTANCE_AFFINITY === 'true' ? { index: Number(e.CLUSTER_WORKER.split('/')[0]), workers: Number(e.CLUSTER_WORKER.split('/')[1]) } : null,
    definitionLimits: { maxElements: e.MAX_DEFINITION_ELEMENTS, maxFlowElements: e.MAX_FLOW_ELEMENTS, maxLoopCardinality: e.MAX_LOOP_CARDINALITY },
    staticDir: e.STATIC_DIR ? resolve(e.STATIC_DIR) : defaultStaticDir,
    timerPollMs: e.TIMER_POLL_MS,
    timeZone: e.TIME_ZONE,
    engineStallTimeoutMs: e.ENGINE_STALL_TIMEOUT_MS,
    warmEngineMemoryMb: e.WARM_ENGINE_MEMORY_MB,
    warmEngineIdleSeconds: e.WARM_ENGINE_IDLE_SECONDS,
    v8Memory: { heapGrowthPercent: e.HEAP_GROWTH_PERCENT, semiSpaceMb: e.SEMI_SPACE_MB, mallocArenaMax: e.MALLOC_ARENA_MAX },
    budget: {
      timeMs: e.ENGINE_TIME_BUDGET_MS,
      memoryMb: e.ENGINE_MEMORY_BUDGET_MB,
      steps: e.ENGINE_MAX_STEPS,
      tasks: e.ENGINE_MAX_TASKS,
      loopInstances: e.ENGINE_MAX_LOOP_INSTANCES,
      sliceMs: e.ENGINE_SLICE_MS,
      expressionMs: e.EXPRESSION_TIMEOUT_MS,
      expressionMemoryMb: e.EXPRESSION_MEMORY_MB,
      expressionResultChars: e.EXPRESSION_MAX_RESULT_CHARS,
      expressionWaitMs: e.EXPRESSION_WAIT_MS,
    },
    seedProcesses: e.SEED_PROCESSES === 'true',
    demoData: e.SEED_PROCESSES === 'true' && !production && (e.DEMO_DATA === undefined ? !databaseUrl || e.EMBEDDED_PRIMARY === '1' : e.DEMO_DATA === 'true'),
    demoRecords: e.DEMO_RECORDS,
    trustProxy: trustProxyOf(e.TRUST_PROXY),
    metrics: { port: e.METRICS_PORT ?? null, token: e.METRICS_TOKEN ?? null },
    ...(e.LOG_FORMAT ? { logFormat: e.LOG_FORMAT } : {}),
    statementCounterDir: e.STATEMENT_COUNTER_DIR ? resolve(e.STATEMENT_COUNTER_DIR) : null,
    history: {
      key: e.HISTORY_KEY ?? null,
      previousKeys: (e.HISTORY_PREVIOUS_KEYS ?? '').split(/[\s,]+/).filter(Boolean),
      keyFile: resolve(e.HISTORY_KEY_FILE ?? resolve(e.DATA_DIR, 'history.key')),
      sealLegacy: e.HISTORY_SEAL_LEGACY === 'true',
    },
    auth: {
      ...defaultAuthConfig({ databaseUrl, production }),
      secret: e.AUTH_SECRET ?? null,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL,
      refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL,
      seedDemoUsers: (!databaseUrl || e.EMBEDDED_PRIMARY === '1') && !production,
      initialAdmin: e.ADMIN_USERNAME && e.ADMIN_PASSWORD ? { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD } : null,
      oidc:
        e.OIDC_ISSUER && e.OIDC_JWKS_URL
          ? {
              issuer: e.OIDC_ISSUER,
              jwksUrl: e.OIDC_JWKS_URL,
              audience: e.OIDC_AUDIENCE ?? null,
              usernameClaim: e.OIDC_USERNAME_CLAIM,
              rolesClaim: e.OIDC_ROLES_CLAIM,
              groupsClaim: e.OIDC_GROUPS_CLAIM,
            }
          : null,
      cookieSecure: e.AUTH_COOKIE_SECURE === undefined ? production : e.AUTH_COOKIE_SECURE === 'true',
    },
  };
}

function trustProxyOf(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}
