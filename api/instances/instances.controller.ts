import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Orchestrator, type InstanceResult } from '../../engine';
import { AccessService } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { idempotency } from '../common/idempotency';
import type { CappedPage } from '../common/list-window';
import { Pagination, idParam, isoDateInRange, parse } from '../common/validation';
import { HistoryQuery } from '../history/history.query';
import { listOf, cappedPageOf, ref } from '../openapi/schemas';
import { InstancesQuery, type InstanceDetail, type InstanceListItem } from './instances.query';

const StartBody = z
  .object({
    definitionKey: z.string().min(1).max(256).optional(),
    definitionId: z.string().uuid('must be a UUID').optional(),
    businessKey: z.string().min(1).max(256).nullable().optional(),
    // checked by the engine (assertVariables) on the raw object: zod would silently drop keys such as __proto__
    variables: z.unknown().optional(),
  })
  .strict()
  .refine((b) => Boolean(b.definitionKey) !== Boolean(b.definitionId), { message: 'give exactly one of definitionKey or definitionId' });

/** Dates within PostgreSQL's range (years 1-9999). */
const isoDate = isoDateInRange;

const ListQuery = Pagination.extend({
  key: z.string().min(1).max(256).optional(),
  status: z.enum(['running', 'completed', 'cancelled', 'failed']).optional(),
  businessKey: z.string().min(1).max(256).optional(),
  parentInstanceId: z.string().uuid('must be a UUID').optional(),
  recordNumber: z.string().trim().min(1).max(32).optional(),
  startedFrom: isoDate.optional(),
  startedTo: isoDate.optional(),
  startedBy: z.string().min(1).max(128).optional(),
  assignee: z.string().min(1).max(128).optional(),
  called: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
})
  .strict()
  .refine((f) => !f.startedFrom || !f.startedTo || Date.parse(f.startedFrom) < Date.parse(f.startedTo), { message: 'startedFrom must be before startedTo', path: ['startedFrom'] });

/** A reason (cancel, SLA pause). */
const CancelBody = z.object({ reason: z.string().trim().min(1).max(1000) }).strict();

/**
 * Process instances. Staff, process owners and administrators start them; everybody sees only
 * the instances they take part in (admins and auditors: all; process owners: those of their
 * keys); an instance the caller may not see is a 404, as if it did not exist.
 */
@ApiTags('instances')
@ApiBearerAuth()
@Controller('api/instances')
export class InstancesController {
  constructor(
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(InstancesQuery) private readonly query: InstancesQuery,
    @Inject(HistoryQuery) private readonly history: HistoryQuery,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  @Post()
  @Roles('staff', 'process-owner', 'admin')
  @ApiOperation({ summary: 'Start an instance of the latest (or given) definition version; runs to its wait states in one transaction' })
  @ApiBody({ schema: { example: { definitionKey: 'incident', businessKey: 'INC-1', variables: { impact: 'high' } } } })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ schema: ref('InstanceResult') })
  start(@Body() body: unknown, @CurrentUser() user: AuthUser, @Headers('idempotency-key') key?: string): Promise<InstanceResult> {
    const b = parse(StartBody, body, 'start request');
    return this.orchestrator.start({ ...b, actor: user.username }, idempotency(key, b, user.username));
  }

  @Get()
  @ApiOperation({ summary: 'The instances the caller may see, newest first, each with the number and title of its record (recordNumber, recordTitle; null: none)' })
  @ApiQuery({ name: 'key', required: false })
  @ApiQuery({ name: 'status', required: false, enum: ['running', 'completed', 'cancelled', 'failed'] })
  @ApiQuery({ name: 'businessKey', required: false })
  @ApiQuery({ name: 'parentInstanceId', required: false, description: 'only the instances that call activities of this instance started' })
  @ApiQuery({ name: 'recordNumber', required: false, description: 'the instances working on this record (its own, or the called processes of its instance)' })
  @ApiQuery({ name: 'startedFrom', required: false, description: 'started at or after (ISO date or date-time)' })
  @ApiQuery({ name: 'startedTo', required: false, description: 'started before (ISO date or date-time)' })
  @ApiQuery({ name: 'startedBy', required: false })
  @ApiQuery({ name: 'assignee', required: false, description: 'instances with a task assigned to or completed by this user' })
  @ApiQuery({ name: 'called', required: false, enum: ['true', 'false'], description: 'true: only called (child) instances; false: only top-level ones' })
  @ApiQuery({ name: 'page', required: false })
  @ApiQuery({ name: 'size', required: false })
  @ApiOkResponse({ schema: cappedPageOf('InstanceListItem') })
  list(@Query() q: unknown, @CurrentUser() user: AuthUser): Promise<CappedPage<InstanceListItem>> {
    return this.query.list(parse(ListQuery, q, 'query'), user);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One instance with its record (recordNumber, recordTitle), its open tasks and the instances its call activities started' })
  @ApiOkResponse({ schema: ref('InstanceDetail') })
  async get(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<InstanceDetail> {
    await this.access.readInstance(user, idParam(id, 'process instance'));
    return this.query.get(id, user);
  }

  @Post(':id/cancel')
  @Roles('admin', 'process-owner')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel a running instance (administrators, process owners of its key)' })
  @ApiBody({ schema: { example: { reason: 'raised in error' } } })
  async cancel(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser): Promise<InstanceResult> {
    await this.access.cancelInstance(user, idParam(id, 'process instance'));
    const { reason } = parse(CancelBody, body, 'cancel request');
    return this.orchestrator.cancelInstance(id, user.username, reason);
  }

  @Post(':id/sla/:name/pause')
  @Roles('admin', 'process-owner', 'staff')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Pause the SLA clock sla.<name> (awaiting customer/supplier); its timers stop. Administrators, process owners of the key, staff taking part.' })
  @ApiBody({ schema: { example: { reason: 'awaiting customer' } } })
  async pauseSla(@Param('id') id: string, @Param('name') name: string, @Body() body: unknown, @CurrentUser() user: AuthUser): Promise<InstanceResult> {
    await this.access.changeSla(user, idParam(id, 'process instance'));
    const { reason } = parse(CancelBody, body, 'pause request');
    return this.orchestrator.pauseSla(id, name, reason, user.username);
  }

  @Post(':id/sla/:name/resume')
  @Roles('admin', 'process-owner', 'staff')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Resume the SLA clock: the target moves by the paused business time and its timers are re-armed' })
  async resumeSla(@Param('id') id: string, @Param('name') name: string, @CurrentUser() user: AuthUser): Promise<InstanceResult> {
    await this.access.changeSla(user, idParam(id, 'process instance'));
    return this.orchestrator.resumeSla(id, name, user.username);
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every history event of the instance, in order' })
  @ApiOkResponse({ schema: listOf('HistoryEvent') })
  async historyOf(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    await this.access.readInstance(user, idParam(id, 'process instance'));
    return this.history.events(id);
  }

  @Get(':id/history/verify')
  @ApiOperation({ summary: 'Recompute the hash chain; names the first event that does not match' })
  @ApiOkResponse({ schema: ref('ChainVerdict') })
  async verify(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    await this.access.readInstance(user, idParam(id, 'process instance'));
    return this.history.verify(id);
  }

  @Get(':id/replay')
  @ApiOperation({
    summary:
      'The history for a replay: every event with the element ids holding a token after it and the variables after it (they change where a command committed its variables.changed delta)',
  })
  @ApiOkResponse({ schema: ref('Replay') })
  async replay(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    await this.access.readInstance(user, idParam(id, 'process instance'));
    return this.history.replay(id);
  }
}
