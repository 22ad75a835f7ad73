import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/decorators';
import type { AppConfig } from '../config/config';
import { Database } from '../database/database';
import { TimerPoller } from '../engine-host/timer-poller';
import { APP_CONFIG } from '../engine-host/tokens';

/** A readiness check that takes longer than this counts as down (a probe must answer quickly). */
const CHECK_TIMEOUT_MS = 3_000;

/** The timer poller is alive when it showed life within this many poll intervals (at least 30 s). */
export const POLLER_STALE_INTERVALS = 10;
const POLLER_STALE_MIN_MS = 30_000;

type Check = { status: 'up' | 'down' } & Record<string, unknown>;

/** What the probes answer (the shape of @nestjs/terminus results: every check under `details`, failed ones also under `error`). */
export interface ProbeResult {
  status: 'ok' | 'error';
  info: Record<string, Check>;
  error: Record<string, Check>;
  details: Record<string, Check>;
}

const check = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['up', 'down'] }, message: { type: 'string' } }, additionalProperties: true };
const checks = { type: 'object', additionalProperties: check };
const probeSchema = { type: 'object', required: ['status', 'info', 'error', 'details'], properties: { status: { type: 'string', enum: ['ok', 'error'] }, info: checks, error: checks, details: checks } };

/**
 * Kubernetes-style probes. `live`: the process answers (no database: a database outage must not
 * get the process restarted). `ready`: the database answers, every migration of this version is
 * applied, and the timer poller is alive; 503 otherwise, as problem+json (code NOT_READY) with the
 * result of each check. The plain `GET /api/health` (health.controller.ts) stays as it was.
 */
@ApiTags('health')
@Public()
@Controller('api/health')
export class ProbesController {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(TimerPoller) private readonly poller: TimerPoller,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 200 while the process runs and its event loop answers. */
  @Get('live')
  @ApiOkResponse({ description: 'the process is up', schema: probeSchema })
  live(): ProbeResult {
    return result({ process: { status: 'up', pid: process.pid, uptimeSeconds: Math.round(process.uptime()) } });
  }

  /** 200 when this process can serve: database reachable, migrations applied, timer poller alive. */
  @Get('ready')
  @ApiOkResponse({ description: 'ready to serve', schema: probeSchema })
  @ApiServiceUnavailableResponse({ description: 'not ready: problem+json, code NOT_READY, the checks under `checks`' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<ProbeResult | Record<string, unknown>> {
    const [database, migrations] = await Promise.all([this.database(), this.migrations()]);
    const checks = result({ database, migrations, timerPoller: this.timerPoller() });
    if (checks.status === 'ok') return checks;
    res.status(503).type('application/problem+json');
    return {
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      code: 'NOT_READY',
      detail: `not ready: ${Object.entries(checks.error).map(([name, c]) => `${name}: ${String(c.message)}`).join('; ')}`,
      instance: res.req.originalUrl,
      ...(res.req.id !== undefined ? { requestId: String(res.req.id) } : {}),
      checks,
    };
  }

  private async database(): Promise<Check> {
    try {
      await withTimeout(this.db.dataSource.query('SELECT 1'), 'the database did not answer');
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', message: (error as Error).message };
    }
  }

  private async migrations(): Promise<Check> {
    try {
      const rows: { name: string }[] = await withTimeout(this.db.dataSource.query('SELECT name FROM schema_migration'), 'the migration table did not answer');
      const applied = new Set(rows.map((r) => r.name));
      const pending = this.db.dataSource.migrations.map((m) => m.name ?? m.constructor.name).filter((name) => !applied.has(name));
      return pending.length ? { status: 'down', message: `${pending.length} migration(s) not applied`, pending } : { status: 'up', applied: applied.size };
    } catch (error) {
      return { status: 'down', message: (error as Error).message };
    }
  }

  private timerPoller(): Check {
    if (!this.poller.enabled) return { status: 'up', enabled: false };
    const staleMs = Math.max(POLLER_STALE_INTERVALS * this.config.timerPollMs, POLLER_STALE_MIN_MS);
    const idleMs = Date.now() - this.poller.lastActivityAt;
    return idleMs <= staleMs ? { status: 'up', lastActivityMsAgo: idleMs } : { status: 'down', message: `no poll for ${Math.round(idleMs / 1000)} s (limit ${staleMs / 1000} s)`, lastActivityMsAgo: idleMs };
  }
}

function result(details: Record<string, Check>): ProbeResult {
  const pick = (status: Check['status']) => Object.fromEntries(Object.entries(details).filter(([, c]) => c.status === status));
  const error = pick('down');
  return { status: Object.keys(error).length ? 'error' : 'ok', info: pick('up'), error, details };
}

function withTimeout<T>(work: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
