import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { EngineError, EngineErrorCode, RECORD_NUMBER, RECORD_TYPES } from '../../engine';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators';
import type { CappedPage } from '../common/list-window';
import { Pagination, isoDateInRange, parse } from '../common/validation';
import { KpisQuery, type KpiReport } from './kpis.query';
import { RecordsQuery, type RecordDetail, type RecordView } from './records.query';
import { cappedPageOf, ref } from '../openapi/schemas';

/** Dates within PostgreSQL's range (years 1-9999). */
const isoDate = isoDateInRange;

const ListQuery = Pagination.extend({
  type: z.enum(RECORD_TYPES as [string, ...string[]]).optional(),
  state: z.string().trim().min(1).max(64).optional(),
  q: z.string().trim().min(1).max(100).optional(),
  priority: z.string().trim().min(1).max(64).optional(),
  assignee: z.string().trim().min(1).max(128).optional(),
  openedFrom: isoDate.optional(),
  openedTo: isoDate.optional(),
  sla: z.enum(['breached', 'at risk', 'on track', 'paused']).optional(),
  open: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
})
  .strict()
  .refine((f) => !f.openedFrom || !f.openedTo || Date.parse(f.openedFrom) < Date.parse(f.openedTo), { message: 'openedFrom must be before openedTo', path: ['openedFrom'] });

const KpiQuery = z
  .object({
    flow: z.enum(RECORD_TYPES as [string, ...string[]]).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
  })
  .strict()
  .refine((k) => !k.from || !k.to || Date.parse(k.from) < Date.parse(k.to), { message: 'from must be before to', path: ['from'] });

/**
 * ITSM records (incidents, requests, problems, changes, ...) and their KPIs. A record is visible
 * to whoever may see its instance (admins and auditors: all; process owners: their keys; staff:
 * the instances they take part in); another record is a 404, as if it did not exist.
 */
@ApiTags('records')
@ApiBearerAuth()
@Controller('api')
export class RecordsController {
  constructor(
    @Inject(RecordsQuery) private readonly records: RecordsQuery,
    @Inject(KpisQuery) private readonly kpis: KpisQuery,
  ) {}

  @Get('records')
  @ApiOperation({ summary: 'The records the caller may see, newest first, with their SLA status' })
  @ApiQuery({ name: 'type', required: false, enum: RECORD_TYPES })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'q', required: false, description: 'searches the number and the title (case-insensitive, substring)' })
  @ApiQuery({ name: 'priority', required: false })
  @ApiQuery({ name: 'assignee', required: false })
  @ApiQuery({ name: 'openedFrom', required: false, description: 'opened at or after (ISO date or date-time)' })
  @ApiQuery({ name: 'openedTo', required: false, description: 'opened before (ISO date or date-time)' })
  @ApiQuery({ name: 'sla', required: false, enum: ['breached', 'at risk', 'on track', 'paused'] })
  @ApiQuery({ name: 'open', required: false, enum: ['true', 'false'], description: 'true: not closed; false: closed' })
  @ApiQuery({ name: 'page', required: false })
  @ApiQuery({ name: 'size', required: false })
  @ApiOkResponse({ schema: cappedPageOf('RecordSummary') })
  list(@Query() q: unknown, @CurrentUser() user: AuthUser): Promise<CappedPage<RecordView>> {
    return this.records.list(parse(ListQuery, q, 'query'), user);
  }

  @Get('records/:number')
  @ApiOperation({ summary: 'A record: its columns and fields, its instance(s), its links both ways and its timeline' })
  @ApiOkResponse({ schema: ref('RecordDetail') })
  get(@Param('number') number: string, @CurrentUser() user: AuthUser): Promise<RecordDetail> {
    if (!RECORD_NUMBER.test(number)) throw new EngineError(EngineErrorCode.RecordNotFound, `no record ${number}`);
    return this.records.get(number, user);
  }

  @Get('kpis')
  @ApiOperation({ summary: 'ITSM KPIs over a period (default: the last 30 days), computed from the records (see README "KPIs")' })
  @ApiQuery({ name: 'flow', required: false, enum: RECORD_TYPES })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiOkResponse({ schema: ref('KpiReport') })
  kpi(@Query() q: unknown): Promise<KpiReport> {
    return this.kpis.report(parse(KpiQuery, q, 'query'));
  }
}
