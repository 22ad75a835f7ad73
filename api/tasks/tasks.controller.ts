import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { EngineError, EngineErrorCode, Orchestrator, assertVariables, isNotTaskWorker, type InstanceResult, type TaskRecord, type TaskWorkerCheck } from '../../engine';
import { AccessService } from '../auth/access';
import { NAME_PATTERN, type AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { idempotency } from '../common/idempotency';
import type { CappedPage } from '../common/list-window';
import { Pagination, idParam, parse, uuid } from '../common/validation';
import { cappedPageOf, ref } from '../openapi/schemas';
import { UsersService } from '../users/users.service';
import { TasksQuery, type TaskView } from './tasks.query';
import { TaskFormQuery, type TaskForm } from './task-form.query';

const ListQuery = Pagination.extend({
  assignee: z.string().min(1).max(128).optional(),
  candidateGroup: z.string().min(1).max(128).optional(),
  candidateUser: z.string().min(1).max(128).optional(),
  instanceId: uuid.optional(),
  status: z.enum(['open', 'completed', 'cancelled']).optional(),
  scope: z.enum(['assigned', 'groups']).optional(),
  definitionKey: z.string().min(1).max(256).optional(),
  q: z.string().trim().min(1).max(100).optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  sort: z.enum(['priority', 'due', 'record', 'created']).optional(),
}).strict();

// variables are checked by the engine (assertVariables) on the raw object: zod would silently drop keys such as __proto__
const CompleteBody = z.object({ variables: z.unknown().optional() }).strict();
const AssignBody = z.object({ assignee: z.string().regex(NAME_PATTERN, 'must be 1-128 characters of letters, digits and . _ @ + -').nullable() }).strict();

/**
 * User tasks. Everybody sees the tasks assigned or offered to them (and to their groups);
 * admins and auditors see all, process owners those of their keys. A task the caller may not see
 * is a 404. Only its assignee or a candidate claims, unclaims or completes it; administrators
 * reassign it.
 */
@ApiTags('tasks')
@ApiBearerAuth()
@Controller('api/tasks')
export class TasksController {
  constructor(
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(TasksQuery) private readonly query: TasksQuery,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(TaskFormQuery) private readonly forms: TaskFormQuery,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'The tasks the caller may see, by priority (high first) then due date unless ?sort=; open tasks unless ?status=. Each names its form (formId) ' +
      'and the record it works on (number, title, state, priority, SLA status and nearest running SLA target), or record: null.',
  })
  @ApiQuery({ name: 'assignee', required: false })
  @ApiQuery({ name: 'candidateGroup', required: false })
  @ApiQuery({ name: 'candidateUser', required: false })
  @ApiQuery({ name: 'instanceId', required: false })
  @ApiQuery({ name: 'status', required: false, enum: ['open', 'completed', 'cancelled'] })
  @ApiQuery({ name: 'scope', required: false, enum: ['assigned', 'groups'], description: "assigned: the caller's; groups: unassigned, offered to the caller or their groups" })
  @ApiQuery({ name: 'definitionKey', required: false })
  @ApiQuery({ name: 'q', required: false, description: 'substring of the task name, record number or record title' })
  @ApiQuery({ name: 'overdue', required: false, enum: ['true', 'false'], description: 'only tasks past their due date (else their record\'s running SLA target)' })
  @ApiQuery({ name: 'sort', required: false, enum: ['priority', 'due', 'record', 'created'] })
  @ApiQuery({ name: 'page', required: false })
  @ApiQuery({ name: 'size', required: false })
  @ApiOkResponse({ schema: cappedPageOf('TaskView') })
  list(@Query() q: unknown, @CurrentUser() user: AuthUser): Promise<CappedPage<TaskView>> {
    return this.query.list(parse(ListQuery, q, 'query'), user);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One task, with its form id and the record it works on' })
  @ApiOkResponse({ schema: ref('TaskView') })
  async get(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<TaskView> {
    await this.access.readTask(user, idParam(id, 'task'));
    return this.query.get(id);
  }

  @Get(':id/form')
  @ApiOperation({ summary: "The task's form: {formId, schema (form-js), data (the current values of its fields)}; 404 when the task has no deployed form" })
  @ApiOkResponse({ schema: ref('TaskForm') })
  async form(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<TaskForm> {
    await this.access.readTask(user, idParam(id, 'task'));
    return this.forms.forTask(id);
  }

  @Post(':id/claim')
  @Roles('staff', 'process-owner', 'admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Take the task (its assignee or a candidate); 403 when segregation of duties excludes the caller' })
  @ApiOkResponse({ schema: ref('Task') })
  async claim(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<TaskRecord> {
    const taskId = idParam(id, 'task');
    return this.asWorker(user, taskId, 'claim', (worker) => this.orchestrator.claimTask(taskId, user.username, worker));
  }

  @Post(':id/unclaim')
  @Roles('staff', 'process-owner', 'admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Give the task back to its candidates (its assignee)' })
  @ApiOkResponse({ schema: ref('Task') })
  async unclaim(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<TaskRecord> {
    const taskId = idParam(id, 'task');
    return this.asWorker(user, taskId, 'unclaim', (worker) => this.orchestrator.unclaimTask(taskId, user.username, worker));
  }

  @Post(':id/assign')
  @Roles('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Reassign an open task {assignee} (an existing user, or null to offer it to its candidates again); administrators only. 403 when segregation of duties excludes the assignee.',
  })
  @ApiBody({ schema: { example: { assignee: 'alice' } } })
  @ApiOkResponse({ schema: ref('Task') })
  async assign(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser): Promise<TaskRecord> {
    await this.access.readTask(user, idParam(id, 'task'));
    const { assignee } = parse(AssignBody, body, 'assign request');
    if (assignee === null) return this.orchestrator.assignTask(id, null, user.username);
    const target = await this.users.findByUsername(assignee);
    if (!target || target.disabled) throw new EngineError(EngineErrorCode.UserNotFound, `no user named "${assignee}"`);
    return this.orchestrator.assignTask(id, target.username, user.username);
  }

  @Post(':id/complete')
  @Roles('staff', 'process-owner', 'admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'Complete the task with variables (its assignee or a candidate); the process runs to its next wait states in the same transaction. 409 if already done; 403 when segregation of duties excludes the caller; ' +
      '422 FORM_VALIDATION_FAILED with errors [{field, message}] when the variables do not satisfy the task\'s form.',
  })
  @ApiBody({ schema: { example: { variables: { approved: true } } } })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOkResponse({ schema: ref('InstanceResult') })
  async complete(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser, @Headers('idempotency-key') key?: string): Promise<InstanceResult> {
    const taskId = idParam(id, 'task');
    if (key !== undefined) {
      // A replayed answer is given without reading the task: the access check runs first, on its own.
      await this.access.workOnTask(user, taskId, 'complete');
      const { variables } = parse(CompleteBody, body, 'complete request');
      return this.orchestrator.completeTask(taskId, user.username, variables ?? {}, idempotency(key, { id: taskId, variables }, user.username));
    }
    let variables: Record<string, unknown>;
    try {
      variables = assertVariables(parse(CompleteBody, body, 'complete request').variables ?? {});
    } catch (error) {
      // A task the caller may not see or work on answers 404 / 403 whatever the body.
      await this.access.workOnTask(user, taskId, 'complete');
      throw error;
    }
    return this.asWorker(user, taskId, 'complete', (worker) => this.orchestrator.completeTask(taskId, user.username, variables, undefined, worker));
  }

  /**
   * Runs a task command with the worker check in the command's own statement (TaskWorkerCheck)
   * rather than an access check of its own before it. A caller who fails it gets the access
   * check's answer (404 for a task they may not see, 403 for one they may see); should that pass
   * (the task was offered to them meanwhile), the command runs once more.
   */
  private async asWorker<T>(user: AuthUser, taskId: string, action: 'claim' | 'unclaim' | 'complete', command: (worker: TaskWorkerCheck) => Promise<T>): Promise<T> {
    try {
      return await command({ groups: user.groups });
    } catch (error) {
      if (!isNotTaskWorker(error)) throw error;
      await this.access.workOnTask(user, taskId, action);
      return command({ groups: user.groups });
    }
  }
}
