import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/decorators';
import { Database } from '../database/database';

@ApiTags('health')
@Public()
@Controller('api/health')
export class HealthController {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** 200 when the database answers, 503 (problem+json) when it does not. */
  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    try {
      await this.db.dataSource.query('SELECT 1');
      return { status: 'ok', database: 'up' };
    } catch (error) {
      res.status(503).type('application/problem+json');
      return { type: 'about:blank', title: 'Service Unavailable', status: 503, code: 'DATABASE_DOWN', detail: `database unreachable: ${(error as Error).message}`, database: 'down' };
    }
  }
}
