import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type {
  BpmnErrorInput,
  CompleteInput,
  ExtendLockInput,
  ExternalTaskCommandResult,
  ExternalTaskQuery,
  ExternalTaskView,
  FailureInput,
  FetchAndLockInput,
  LockInput,
  LockedExternalTask,
} from '../../engine';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { listOf, pageOf, ref } from '../openapi/schemas';
import { ExternalTasksService } from './external-tasks.service';

/**
 * External tasks for workers outside the server: fetch and lock by topic (long polling), then
 * complete, report a failure, throw a BPMN error, extend or release the lock. The roles `admin`
 * and `worker` work them; auditors read them. Errors: 400 INVALID_REQUEST, 403 FORBIDDEN, 404
 * EXTERNAL_TASK_NOT_FOUND, 409 EXTERNAL_TASK_LOCK_CONFLICT (the worker does not hold the lock:
 * expired, another worker's, or none) or INSTANCE_NOT_RUNNING, 422 PROCESS_FAILED.
 */
@ApiTags('external-tasks')
@ApiBearerAuth()
@Controller('api/external-tasks')
export class ExternalTasksController {
  constructor(@Inject(ExternalTasksService) private readonly service: ExternalTasksService) {}

  @Post('fetchAndLock')
  @Roles('admin', 'worker')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'Lock up to maxTasks available tasks of the topics for workerId (each topic: topicName, lockDuration ms, variables to return, filters); higher priority first with usePriority. ' +
      'With asyncResponseTimeout (ms, up to 30 min) the request waits until a task is available or the time is up (then []).',
  })
  @ApiBody({ schema: { example: { workerId: 'billing-1', maxTasks: 10, usePriority: true, asyncResponseTimeout: 0, topics: [{ topicName: 'charge-card', lockDuration: 60000, variables: ['amount'] }] } } })
  @ApiOkResponse({ schema: listOf('LockedExternalTask') })
  fetchAndLock(@Body() body: unknown, @CurrentUser() user: AuthUser, @Req() req: Request): Promise<LockedExternalTask[]> {
    // A client that gives up ends the wait (its locks would otherwise be held for nobody).
    const abort = new AbortController();
    const onClose = () => abort.abort();
    req.on('close', onClose);
    return this.service.fetchAndLock(body as FetchAndLockInput, user, abort.signal).finally(() => req.off('close', onClose));
  }

  @Post(':id/complete')
  @Roles('admin', 'worker')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Complete the task {workerId, variables, localVariables}; the instance runs on in the same transaction. 409 when the worker does not hold an unexpired lock.' })
  @ApiBody({ schema: { example: { workerId: 'billing-1', variables: { charged: true } } } })
  @ApiOkResponse({ schema: ref('ExternalTaskCommandResult') })
  complete(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser): Promise<ExternalTaskCommandResult> {
    return this.service.complete(id, body as CompleteInput, user);
  }

  @Post(':id/failure')
  @Roles('admin', 'worker')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Report a failure {workerId, errorMessage, errorDetails, retries, retryTimeout ms}: fetchable again after retryTimeout; retries 0 opens an incident (an administrator retries it).' })
  @ApiBody({ schema: { example: { workerId: 'billing-1', errorMessage: 'gateway timeout', retries: 2, retryTimeout: 30000 } } })
  @ApiOkResponse({ schema: ref('ExternalTaskCommandResult') })
  failure(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser): Promise<ExternalTaskCommandResult> {
    return this.service.handleFailure(id, body as FailureInput, user);
  }

  @Post(':id/bpmnError')
  @Roles('admin', 'worker')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Throw a BPMN error {workerId, errorCode, errorMessage, variables} caught by an error boundary event or error event sub-process with that code; 422 PROCESS_FAILED (nothing changes) when nothing catches it.' })
  @ApiBody({ schema: { example: { workerId: 'billing-1', errorCode: 'CARD_DECLINED', errorMessage: 'declined by the issuer' } } })
  @ApiOkResponse({ schema: ref('ExternalTaskCommandResult') })
  bpmnError(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser): Promise<ExternalTaskCommandResult> {
    return this.service.handleBpmnError(id, body as BpmnErrorInput, user);
  }

  @Post(':id/extendLock')
  @Roles('admin', 'worker')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Extend the worker's unexpired lock to now + newDuration ms" })
  @ApiBody({ schema: { example: { workerId: 'billing-1', newDuration: 60000 } } })
  @ApiOkResponse({ schema: ref('ExternalTask') })
  extendLock(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser): Promise<ExternalTaskView> {
    return this.service.extendLock(id, body as ExtendLockInput, user);
  }

  @Post(':id/lock')
  @Roles('admin', 'worker')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Lock this task {workerId, lockDuration ms} (free, expired or already the worker\'s); 409 when another worker holds it' })
  @ApiBody({ schema: { example: { workerId: 'billing-1', lockDuration: 60000 } } })
  @ApiOkResponse({ schema: ref('ExternalTask') })
  lock(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser): Promise<ExternalTaskView> {
    return this.service.lock(id, body as LockInput, user);
  }

  @Post(':id/unlock')
  @Roles('admin', 'worker')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Release the lock, whoever holds it: fetchable again at once' })
  @ApiOkResponse({ schema: ref('ExternalTask') })
  unlock(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<ExternalTaskView> {
    return this.service.unlock(id, user);
  }

  @Put(':id/retries')
  @Roles('admin', 'worker')
  @ApiOperation({ summary: 'Set the retries {retries}: above 0 resolves the task\'s incident and makes it fetchable again' })
  @ApiBody({ schema: { example: { retries: 3 } } })
  @ApiOkResponse({ schema: ref('ExternalTask') })
  retries(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser): Promise<ExternalTaskView> {
    const retries = (body as { retries?: unknown } | null | undefined)?.retries;
    return this.service.setRetries(id, retries as number, user);
  }

  @Get()
  @Roles('admin', 'worker', 'auditor')
  @ApiOperation({ summary: 'External tasks, oldest first (?topicName=&workerId=&locked=&withRetriesLeft=&processInstanceId=&processDefinitionKey=&activityId=&businessKey=&page=&size=)' })
  @ApiQuery({ name: 'topicName', required: false })
  @ApiQuery({ name: 'workerId', required: false })
  @ApiQuery({ name: 'locked', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'withRetriesLeft', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'processInstanceId', required: false })
  @ApiQuery({ name: 'processDefinitionKey', required: false })
  @ApiQuery({ name: 'activityId', required: false })
  @ApiQuery({ name: 'businessKey', required: false })
  @ApiQuery({ name: 'page', required: false })
  @ApiQuery({ name: 'size', required: false })
  @ApiOkResponse({ schema: pageOf('ExternalTask') })
  list(@Query() q: unknown, @CurrentUser() user: AuthUser): Promise<{ items: ExternalTaskView[]; page: number; size: number; total: number }> {
    return this.service.list(q as ExternalTaskQuery, user);
  }

  @Get(':id')
  @Roles('admin', 'worker', 'auditor')
  @ApiOperation({ summary: 'One external task' })
  @ApiOkResponse({ schema: ref('ExternalTask') })
  get(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<ExternalTaskView> {
    return this.service.get(id, user);
  }
}
