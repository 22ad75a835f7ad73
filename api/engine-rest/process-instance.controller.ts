import { Delete, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { EngineError, EngineErrorCode, Orchestrator } from '../../engine';
import { AccessService } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { sendJson } from './camunda-errors';
import { queryBoolean, queryList } from './camunda-values';
import { ApiQueries, COUNT_SCHEMA, EngineRestController, PROCESS_INSTANCE_SCHEMA, VARIABLES_SCHEMA, baseUrlOf, listOfSchema } from './engine-rest-controller';
import { EngineRestQuery } from './engine-rest.query';

const FILTERS = [
  'processInstanceIds', 'businessKey', 'businessKeyLike', 'processDefinitionId', 'processDefinitionKey', 'processDefinitionKeyIn',
  'superProcessInstance', 'rootProcessInstances', 'withIncident', 'suspended',
];

/**
 * Camunda 7 process instances: the running instances the caller may see (everybody sees those
 * they take part in; administrators and auditors all; process owners those of their keys). An
 * instance the caller may not see is a 404, as in the native API. Deleting cancels it
 * (administrators and the key's process owners, the same command as POST /api/instances/:id/cancel).
 */
@EngineRestController()
export class EngineRestProcessInstanceController {
  constructor(
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(EngineRestQuery) private readonly query: EngineRestQuery,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  @Get('process-instance')
  @ApiOperation({ summary: 'Camunda 7: running process instances the caller may see, oldest first unless sortBy/sortOrder' })
  @ApiQueries(...FILTERS, 'sortBy', 'sortOrder', 'firstResult', 'maxResults')
  @ApiOkResponse({ schema: listOfSchema(PROCESS_INSTANCE_SCHEMA) })
  async list(@Query() q: Record<string, unknown>, @CurrentUser() user: AuthUser, @Req() req: Request, @Res() res: Response): Promise<void> {
    sendJson(res, 200, await this.query.instances(q, user, baseUrlOf(req)));
  }

  @Get('process-instance/count')
  @ApiOperation({ summary: 'Camunda 7: the number of running instances matching the filters of GET /engine-rest/process-instance' })
  @ApiQueries(...FILTERS)
  @ApiOkResponse({ schema: COUNT_SCHEMA })
  async count(@Query() q: Record<string, unknown>, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    sendJson(res, 200, { count: await this.query.countInstances(q, user) });
  }

  @Get('process-instance/:id')
  @ApiOperation({ summary: 'Camunda 7: one running instance' })
  @ApiOkResponse({ schema: PROCESS_INSTANCE_SCHEMA })
  async get(@Param('id') id: string, @CurrentUser() user: AuthUser, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.readable(user, id);
    const { variables: _v, ...instance } = await this.query.instance(id, baseUrlOf(req));
    sendJson(res, 200, instance);
  }

  @Get('process-instance/:id/variables')
  @ApiOperation({ summary: 'Camunda 7: the variables of a running instance, {name: {type, value, valueInfo}}' })
  @ApiQueries('deserializeValues', 'variableNames')
  @ApiOkResponse({ schema: VARIABLES_SCHEMA })
  async variables(@Param('id') id: string, @Query() q: Record<string, unknown>, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    queryBoolean(q, 'deserializeValues');
    await this.readable(user, id);
    await this.query.instance(id, '');
    sendJson(res, 200, await this.query.variablesOf(id, queryList(q, 'variableNames')));
  }

  @Delete('process-instance/:id')
  @Roles('admin', 'process-owner')
  @ApiOperation({ summary: 'Camunda 7: cancel a running instance (administrators, process owners of its key); 204. failIfNotExists=false: an unknown or ended instance is a 204 too' })
  @ApiQueries('skipCustomListeners', 'skipIoMappings', 'skipSubprocesses', 'failIfNotExists')
  async delete(@Param('id') id: string, @Query() q: Record<string, unknown>, @CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    for (const flag of ['skipCustomListeners', 'skipIoMappings', 'skipSubprocesses']) queryBoolean(q, flag);
    const failIfNotExists = queryBoolean(q, 'failIfNotExists') ?? true;
    try {
      await this.access.cancelInstance(user, this.uuid(id));
      await this.orchestrator.cancelInstance(id, user.username, 'deleted through the Camunda 7 compatible API');
    } catch (error) {
      const gone = error instanceof EngineError && (error.code === EngineErrorCode.InstanceNotFound || error.code === EngineErrorCode.InstanceNotRunning);
      if (!gone) throw error;
      // an ended instance does not exist in Camunda's runtime API
      if (failIfNotExists) throw new EngineError(EngineErrorCode.InstanceNotFound, `Process instance with id ${id} does not exist`, { cause: error });
    }
    sendJson(res, 204, undefined);
  }

  private async readable(user: AuthUser, id: string): Promise<void> {
    await this.access.readInstance(user, this.uuid(id));
  }

  private uuid(id: string): string {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new EngineError(EngineErrorCode.InstanceNotFound, `Process instance with id ${id} does not exist`);
    return id;
  }
}
