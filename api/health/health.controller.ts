import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/decorators';
import { Database } from '../database/database';

/** How long health waits for its database check when the database answered recently, ms. */
const FAST_ANSWER_MS = 50;
/** A database check that succeeded this recently vouches for the database while the next one is slow, ms. */
const RECENT_MS = 10_000;

@ApiTags('health')
@Public()
@Controller('api/health')
export class HealthController {
  /** When a database check last succeeded (Date.now()). */
  private lastUp = 0;
  /** The database check running now (one at a time: probes arriving meanwhile share it). */
  private running: Promise<void> | null = null;

  constructor(@Inject(Database) private readonly db: Database) {}

  /**
   * 200 when the database answers, 503 (problem+json) when it does not. Health does not queue
   * behind a long command: on PGlite the one database session is held by the command's
   * transaction, so when `SELECT 1` has not answered within 50 ms but the database answered in the
   * last 10 s, the database counts as up (the check keeps running and a failure shows at the next
   * probe). See README "Execution budget".
   */
  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    const check = (this.running ??= this.db.dataSource
      .query('SELECT 1')
      .then(() => {
        this.lastUp = Date.now();
      })
      .finally(() => {
        this.running = null;
      }));
    let timer: NodeJS.Timeout | undefined;
    try {
      if (Date.now() - this.lastUp < RECENT_MS) await Promise.race([check, new Promise<void>((resolve) => (timer = setTimeout(resolve, FAST_ANSWER_MS)))]);
      else await check;
      return { status: 'ok', database: 'up' };
    } catch (error) {
      res.status(503).type('application/problem+json');
      return { type: 'about:blank', title: 'Service Unavailable', status: 503, code: 'DATABASE_DOWN', detail: `database unreachable: ${(error as Error).message}`, database: 'down' };
    } finally {
      clearTimeout(timer);
    }
  }
}
