import { Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { EngineError, EngineErrorCode, Orchestrator, type IncidentRecord, type TimerJobRecord } from '../../engine';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { Pagination, parse, uuid, type Page } from '../common/validation';
import { IncidentsQuery } from './incidents.query';
import { pageOf, ref } from '../openapi/schemas';

const IncidentList = Pagination.extend({ status: z.enum(['open', 'resolved']).optional(), instanceId: uuid.optional() });
const TimerList = Pagination.extend({ instanceId: uuid.optional(), definitionKey: z.string().min(1).max(256).optional(), kind: z.enum(['instance', 'start']).optional() });

function incidentId(id: string): string {
  if (!uuid.safeParse(id).success) throw new EngineError(EngineErrorCode.IncidentNotFound, `no incident with id "${id}"`);
  return id;
}

/** Incidents (failed timers): administrators and auditors see all, process owners those of their keys; administrators retry. */
@ApiTags('incidents')
@ApiBearerAuth()
@Roles('admin', 'auditor', 'process-owner')
@Controller('api/incidents')
export class IncidentsController {
  constructor(
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(IncidentsQuery) private readonly query: IncidentsQuery,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Timer jobs that failed after their last retry (?status=open|resolved&instanceId=)' })
  @ApiQuery({ name: 'status', required: false, enum: ['open', 'resolved'] })
  @ApiQuery({ name: 'instanceId', required: false })
  @ApiOkResponse({ schema: pageOf('Incident') })
  list(@Query() q: unknown, @CurrentUser() user: AuthUser): Promise<Page<IncidentRecord>> {
    return this.query.list(parse(IncidentList, q, 'query'), user);
  }

  @Get(':id')
  @ApiOkResponse({ schema: ref('Incident') })
  get(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<IncidentRecord> {
    return this.query.get(incidentId(id), user);
  }

  @Post(':id/retry')
  @Roles('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Resolve the incident and put its job back in line, due now (administrators)' })
  @ApiOkResponse({ schema: ref('Incident') })
  retry(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<IncidentRecord> {
    return this.orchestrator.retryIncident(incidentId(id), user.username);
  }
}

/** Pending and failed timer jobs: administrators and auditors see all, process owners those of their keys. */
@ApiTags('timers')
@ApiBearerAuth()
@Roles('admin', 'auditor', 'process-owner')
@Controller('api/timers')
export class TimersController {
  constructor(@Inject(IncidentsQuery) private readonly query: IncidentsQuery) {}

  @Get()
  @ApiOperation({ summary: 'Pending and failed timer jobs (instance timers and timer start schedules), soonest first' })
  @ApiQuery({ name: 'instanceId', required: false })
  @ApiQuery({ name: 'definitionKey', required: false })
  @ApiQuery({ name: 'kind', required: false, enum: ['instance', 'start'] })
  @ApiOkResponse({ schema: pageOf('TimerJob') })
  list(@Query() q: unknown, @CurrentUser() user: AuthUser): Promise<Page<TimerJobRecord>> {
    return this.query.timers(parse(TimerList, q, 'query'), user);
  }
}
