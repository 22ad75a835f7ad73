import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Roles } from '../auth/decorators';
import { parse, uuid } from '../common/validation';
import { HistoryQuery, type VerifyPage } from './history.query';

const VerifyQuery = z
  .object({
    after: uuid.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** Verification of the whole history: every instance, page by page. */
@ApiTags('history')
@ApiBearerAuth()
@Controller('api/history')
export class HistoryController {
  constructor(@Inject(HistoryQuery) private readonly history: HistoryQuery) {}

  @Get('verify')
  @Roles('admin', 'auditor')
  @ApiOperation({
    summary:
      'Verify every instance against its sealed history, `limit` instances per page after `after` (by id): chain, seals, heads, variables, ' +
      'completed tasks; the first page also checks the sealed instance count. Follow `next` until it is null; `position`/`total` give the progress.',
  })
  @ApiQuery({ name: 'after', required: false, description: 'the `next` of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: 'instances per page, 1-1000 (default 100)' })
  verify(@Query() query: unknown): Promise<VerifyPage> {
    const q = parse(VerifyQuery, query, 'query');
    return this.history.verifyPage(q.after ?? null, q.limit);
  }
}
