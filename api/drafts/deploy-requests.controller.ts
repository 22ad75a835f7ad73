import { Body, Controller, Get, HttpCode, HttpStatus, Inject, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { parse, uuid } from '../common/validation';
import { listOf, ref } from '../openapi/schemas';
import { DeployRequestsService, type DeployOutcome, type DeployRequest } from './deploy-requests.service';

const SubmitBody = z.object({ draftId: uuid, revision: z.number().int().min(1).optional(), comment: z.string().trim().min(1, 'say why it should be deployed').max(2000) }).strict();
const ApproveBody = z.object({ comment: z.string().trim().min(1).max(2000).optional(), versionTag: z.string().trim().min(1).max(64).optional() }).strict();
const RejectBody = z.object({ reason: z.string().trim().min(1, 'give the reason').max(2000) }).strict();
const WithdrawBody = z.object({ reason: z.string().trim().min(1).max(2000).optional() }).strict();
const ListQuery = z
  .object({ state: z.enum(['pending', 'approved', 'rejected', 'withdrawn']).optional(), key: z.string().min(1).max(256).optional(), draftId: uuid.optional() })
  .strict();

/**
 * Governed deployment: process owners submit a draft revision, administrators approve (which
 * deploys it, in the same transaction as the decision) or reject it with a reason.
 */
@ApiTags('deploy-requests')
@ApiBearerAuth()
@Controller('api/deploy-requests')
export class DeployRequestsController {
  constructor(@Inject(DeployRequestsService) private readonly requests: DeployRequestsService) {}

  @Post()
  @Roles('process-owner')
  @ApiOperation({ summary: 'Submit a draft revision for deployment {draftId, revision?, comment} (process owners of its key; one pending request per key)' })
  @ApiBody({ schema: { example: { draftId: '00000000-0000-4000-8000-000000000000', revision: 2, comment: 'Adds a triage step' } } })
  @ApiCreatedResponse({ schema: ref('DeployRequest') })
  submit(@Body() body: unknown, @CurrentUser() user: AuthUser, @Res({ passthrough: true }) res: Response): Promise<DeployRequest> {
    return this.requests.submit(user, parse(SubmitBody, body, 'deploy request')).then((r) => (res.location(`/api/deploy-requests/${r.id}`), r));
  }

  @Get()
  @Roles('admin', 'auditor', 'process-owner')
  @ApiOperation({ summary: 'Deploy requests and direct draft deployments with their decisions (who, when, reason), newest first; ?state= ?key= ?draftId=' })
  @ApiQuery({ name: 'state', required: false, enum: ['pending', 'approved', 'rejected', 'withdrawn'] })
  @ApiQuery({ name: 'key', required: false })
  @ApiQuery({ name: 'draftId', required: false })
  @ApiOkResponse({ schema: listOf('DeployRequest') })
  list(@Query() query: unknown, @CurrentUser() user: AuthUser): Promise<DeployRequest[]> {
    return this.requests.list(user, parse(ListQuery, query, 'filter'));
  }

  @Get(':id')
  @Roles('admin', 'auditor', 'process-owner')
  @ApiOkResponse({ schema: ref('DeployRequest') })
  get(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<DeployRequest> {
    return this.requests.get(user, requestId(id));
  }

  @Post(':id/approve')
  @HttpCode(HttpStatus.OK)
  @Roles('admin')
  @ApiOperation({ summary: 'Approve a pending request {comment?, versionTag?}: deploys its draft revision; the decision commits with the deployment (not your own request)' })
  @ApiOkResponse({ schema: ref('DeployOutcome') })
  approve(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser): Promise<DeployOutcome> {
    return this.requests.approve(user, requestId(id), parse(ApproveBody, body, 'approval'));
  }

  @Post(':id/reject')
  @HttpCode(HttpStatus.OK)
  @Roles('admin')
  @ApiOperation({ summary: 'Reject a pending request {reason}' })
  @ApiOkResponse({ schema: ref('DeployRequest') })
  reject(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser): Promise<DeployRequest> {
    return this.requests.reject(user, requestId(id), parse(RejectBody, body, 'rejection').reason);
  }

  @Post(':id/withdraw')
  @HttpCode(HttpStatus.OK)
  @Roles('process-owner', 'admin')
  @ApiOperation({ summary: 'Withdraw your own pending request {reason?}' })
  @ApiOkResponse({ schema: ref('DeployRequest') })
  withdraw(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser): Promise<DeployRequest> {
    return this.requests.withdraw(user, requestId(id), parse(WithdrawBody, body, 'withdrawal').reason);
  }
}

function requestId(id: string): string {
  if (!uuid.safeParse(id).success) throw new NotFoundException(`no deploy request with id "${id}"`);
  return id;
}
