import { Body, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { EngineError, EngineErrorCode, Orchestrator } from '../../engine';
import { AccessDenied } from '../auth/access-denied';
import { AccessService } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { TaskFormQuery } from '../tasks/task-form.query';
import { sendJson } from './camunda-errors';
import { bodyObject, fromTypedVariables, optionalBoolean, queryBoolean, queryList, toTypedVariables } from './camunda-values';
import { ApiQueries, COUNT_SCHEMA, EngineRestController, TASK_SCHEMA, VARIABLES_SCHEMA, listOfSchema } from './engine-rest-controller';
import { EngineRestQuery } from './engine-rest.query';

const FILTERS = [
  'processInstanceId', 'processInstanceIdIn', 'processInstanceBusinessKey', 'processDefinitionId', 'processDefinitionKey', 'processDefinitionKeyIn',
  'taskDefinitionKey', 'taskDefinitionKeyIn', 'name', 'nameLike', 'assignee', 'assigneeLike', 'assigneeIn', 'assigned', 'unassigned',
  'candidateGroup', 'candidateGroups', 'candidateUser', 'includeAssignedTasks', 'withCandidateGroups', 'withoutCandidateGroups',
  'dueBefore', 'dueAfter', 'createdBefore', 'createdAfter', 'priority', 'suspended',
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Camunda 7 user tasks: the open tasks the caller may see, with the native API's rules (a task
 * the caller may not see is a 404; only its assignee or a candidate claims, unclaims and
 * completes it; segregation of duties applies). Claiming is for oneself: administrators
 * reassign through POST /api/tasks/:id/assign.
 */
@EngineRestController()
export class EngineRestTaskController {
  constructor(
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(EngineRestQuery) private readonly query: EngineRestQuery,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(TaskFormQuery) private readonly forms: TaskFormQuery,
  ) {}

  @Get('task')
  @ApiOperation({ summary: 'Camunda 7: open tasks the caller may see, oldest first unless sortBy/sortOrder. Candidate filters find unassigned tasks unless includeAssignedTasks=true' })
  @ApiQueries(...FILTERS, 'sortBy', 'sortOrder', 'firstResult', 'maxResults')
  @ApiOkResponse({ schema: listOfSchema(TASK_SCHEMA) })
  async list(@Query() q: Record<string, unknown>, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    sendJson(res, 200, await this.query.tasks(q, user));
  }

  @Get('task/count')
  @ApiOperation({ summary: 'Camunda 7: the number of open tasks matching the filters of GET /engine-rest/task' })
  @ApiQueries(...FILTERS)
  @ApiOkResponse({ schema: COUNT_SCHEMA })
  async count(@Query() q: Record<string, unknown>, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    sendJson(res, 200, { count: await this.query.countTasks(q, user) });
  }

  @Get('task/:id')
  @ApiOperation({ summary: 'Camunda 7: one open task' })
  @ApiOkResponse({ schema: TASK_SCHEMA })
  async get(@Param('id') id: string, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    await this.access.readTask(user, taskId(id));
    sendJson(res, 200, await this.query.task(id));
  }

  @Get('task/:id/form-variables')
  @ApiOperation({ summary: "Camunda 7: the task's form fields with their current values (all process variables when the task has no deployed form)" })
  @ApiQueries('variableNames', 'deserializeValues')
  @ApiOkResponse({ schema: VARIABLES_SCHEMA })
  async formVariables(@Param('id') id: string, @Query() q: Record<string, unknown>, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    queryBoolean(q, 'deserializeValues');
    const names = queryList(q, 'variableNames');
    await this.access.readTask(user, taskId(id));
    const task = await this.query.task(id);
    const form = await this.forms.forTask(id).catch((error: unknown) => {
      if (error instanceof EngineError && error.code === EngineErrorCode.FormNotFound) return null;
      throw error;
    });
    if (!form) return sendJson(res, 200, await this.query.variablesOf(task.processInstanceId, names));
    const fields = Object.fromEntries(Object.entries(form.data).filter(([key]) => !key.startsWith('group:')));
    sendJson(res, 200, toTypedVariables(fields, names));
  }

  @Get('task/:id/variables')
  @ApiOperation({ summary: "Camunda 7: the variables visible from the task (its instance's variables)" })
  @ApiQueries('deserializeValues')
  @ApiOkResponse({ schema: VARIABLES_SCHEMA })
  async variables(@Param('id') id: string, @Query() q: Record<string, unknown>, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    queryBoolean(q, 'deserializeValues');
    await this.access.readTask(user, taskId(id));
    const task = await this.query.task(id);
    sendJson(res, 200, await this.query.variablesOf(task.processInstanceId));
  }

  @Post('task/:id/claim')
  @Roles('staff', 'process-owner', 'admin')
  @ApiOperation({ summary: 'Camunda 7: claim the task {userId} for the caller (userId must be the caller: administrators reassign through POST /api/tasks/:id/assign); 204' })
  @ApiBody({ schema: { example: { userId: 'alice' } } })
  async claim(@Param('id') id: string, @Body() raw: unknown, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const body = bodyObject(raw);
    if (typeof body.userId !== 'string' || !body.userId) throw new EngineError(EngineErrorCode.InvalidRequest, 'userId is required: the user who claims the task');
    await this.access.workOnTask(user, taskId(id), 'claim');
    if (body.userId !== user.username) {
      throw new AccessDenied(
        EngineErrorCode.Forbidden,
        `${user.username} may claim task ${id} only for themself, not for ${body.userId}`,
        `claim of task ${id} for another user (${body.userId})`,
      );
    }
    await this.orchestrator.claimTask(id, user.username);
    sendJson(res, 204, undefined);
  }

  @Post('task/:id/unclaim')
  @Roles('staff', 'process-owner', 'admin')
  @ApiOperation({ summary: 'Camunda 7: give the task back to its candidates (its assignee); 204' })
  async unclaim(@Param('id') id: string, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    await this.access.workOnTask(user, taskId(id), 'unclaim');
    await this.orchestrator.unclaimTask(id, user.username);
    sendJson(res, 204, undefined);
  }

  @Post('task/:id/complete')
  @Roles('staff', 'process-owner', 'admin')
  @ApiOperation({
    summary:
      'Camunda 7: complete the task {variables, withVariablesInReturn}; the process runs to its next wait states in the same transaction. 204, or 200 with the variables',
  })
  @ApiBody({ schema: { example: { variables: { approved: { value: true, type: 'Boolean' } }, withVariablesInReturn: false } } })
  async complete(@Param('id') id: string, @Body() raw: unknown, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    await this.completeTask(id, raw, user, res);
  }

  @Post('task/:id/submit-form')
  @Roles('staff', 'process-owner', 'admin')
  @ApiOperation({ summary: 'Camunda 7: submit the task form {variables, withVariablesInReturn}: the same as complete (the form\'s validation applies to both)' })
  @ApiBody({ schema: { example: { variables: { approved: { value: true, type: 'Boolean' } } } } })
  async submitForm(@Param('id') id: string, @Body() raw: unknown, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    await this.completeTask(id, raw, user, res);
  }

  private async completeTask(id: string, raw: unknown, user: AuthUser, res: Response): Promise<void> {
    const body = bodyObject(raw);
    const withVariables = optionalBoolean(body, 'withVariablesInReturn') ?? false;
    const variables = fromTypedVariables(body.variables);
    await this.access.workOnTask(user, taskId(id), 'complete');
    const result = await this.orchestrator.completeTask(id, user.username, variables);
    if (withVariables) sendJson(res, 200, toTypedVariables(result.instance.variables));
    else sendJson(res, 204, undefined);
  }
}

/** A malformed id names no task: 404, as for an unknown one. */
function taskId(id: string): string {
  if (!UUID.test(id)) throw new EngineError(EngineErrorCode.TaskNotFound, `No matching task with id ${id}`);
  return id;
}
