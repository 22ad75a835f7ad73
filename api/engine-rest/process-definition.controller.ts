import { Body, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Orchestrator, type InstanceResult } from '../../engine';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { sendJson } from './camunda-errors';
import { bodyObject, fromTypedVariables, optionalBoolean, optionalString, refuseField, toTypedVariables } from './camunda-values';
import {
  ApiQueries,
  COUNT_SCHEMA,
  EngineRestController,
  PROCESS_DEFINITION_SCHEMA,
  PROCESS_INSTANCE_SCHEMA,
  baseUrlOf,
  listOfSchema,
} from './engine-rest-controller';
import { EngineRestQuery, toCamundaDefinition, toCamundaInstance } from './engine-rest.query';

const LIST_PARAMS = [
  'processDefinitionId', 'processDefinitionIdIn', 'key', 'keysIn', 'keyLike', 'name', 'nameLike', 'version', 'latestVersion',
  'deploymentId', 'suspended', 'active', 'versionTag', 'sortBy', 'sortOrder', 'firstResult', 'maxResults',
];
const START_EXAMPLE = { businessKey: 'INC-42', variables: { impact: { value: 'high', type: 'String' }, amount: { value: 5, type: 'Integer' } }, withVariablesInReturn: true };
const XML_SCHEMA = { type: 'object', properties: { id: { type: 'string' }, bpmn20Xml: { type: 'string' } } };

/**
 * Camunda 7 process definitions: every signed-in user reads them; staff, process owners and
 * administrators start instances (the same `instance.start` command as POST /api/instances).
 */
@EngineRestController()
export class EngineRestProcessDefinitionController {
  constructor(
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(EngineRestQuery) private readonly query: EngineRestQuery,
  ) {}

  @Get('process-definition')
  @ApiOperation({ summary: 'Camunda 7: process definitions (every version), by key then version unless sortBy/sortOrder' })
  @ApiQueries(...LIST_PARAMS)
  @ApiOkResponse({ schema: listOfSchema(PROCESS_DEFINITION_SCHEMA) })
  async list(@Query() q: Record<string, unknown>, @Res() res: Response): Promise<void> {
    sendJson(res, 200, await this.query.definitions(q));
  }

  @Get('process-definition/count')
  @ApiOperation({ summary: 'Camunda 7: the number of process definitions matching the filters of GET /engine-rest/process-definition' })
  @ApiQueries(...LIST_PARAMS.filter((p) => !['sortBy', 'sortOrder', 'firstResult', 'maxResults'].includes(p)))
  @ApiOkResponse({ schema: COUNT_SCHEMA })
  async count(@Query() q: Record<string, unknown>, @Res() res: Response): Promise<void> {
    sendJson(res, 200, { count: await this.query.countDefinitions(q) });
  }

  @Get('process-definition/key/:key')
  @ApiOperation({ summary: 'Camunda 7: the latest version of a key' })
  @ApiOkResponse({ schema: PROCESS_DEFINITION_SCHEMA })
  async byKey(@Param('key') key: string, @Res() res: Response): Promise<void> {
    sendJson(res, 200, toCamundaDefinition(await this.query.latestByKey(key)));
  }

  @Get('process-definition/key/:key/xml')
  @ApiOperation({ summary: 'Camunda 7: the BPMN XML of the latest version of a key, as {id, bpmn20Xml}' })
  @ApiOkResponse({ schema: XML_SCHEMA })
  async xmlByKey(@Param('key') key: string, @Res() res: Response): Promise<void> {
    const definition = await this.query.latestByKey(key);
    sendJson(res, 200, { id: definition.id, bpmn20Xml: await this.query.xml(definition.id) });
  }

  @Post('process-definition/key/:key/start')
  @Roles('staff', 'process-owner', 'admin')
  @ApiOperation({ summary: 'Camunda 7: start an instance of the latest version of a key {businessKey, variables, withVariablesInReturn}; it runs to its first wait states in one transaction' })
  @ApiBody({ schema: { example: START_EXAMPLE } })
  @ApiOkResponse({ schema: PROCESS_INSTANCE_SCHEMA })
  async startByKey(@Param('key') key: string, @Body() body: unknown, @CurrentUser() user: AuthUser, @Req() req: Request, @Res() res: Response): Promise<void> {
    sendJson(res, 200, await this.start({ definitionKey: key }, body, user, baseUrlOf(req)));
  }

  @Get('process-definition/:id')
  @ApiOperation({ summary: 'Camunda 7: one process definition version' })
  @ApiOkResponse({ schema: PROCESS_DEFINITION_SCHEMA })
  async get(@Param('id') id: string, @Res() res: Response): Promise<void> {
    sendJson(res, 200, toCamundaDefinition(await this.query.definition(id)));
  }

  @Get('process-definition/:id/xml')
  @ApiOperation({ summary: 'Camunda 7: the BPMN XML of a version, as {id, bpmn20Xml}' })
  @ApiOkResponse({ schema: XML_SCHEMA })
  async xml(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const definition = await this.query.definition(id);
    sendJson(res, 200, { id: definition.id, bpmn20Xml: await this.query.xml(definition.id) });
  }

  @Post('process-definition/:id/start')
  @Roles('staff', 'process-owner', 'admin')
  @ApiOperation({ summary: 'Camunda 7: start an instance of this version {businessKey, variables, withVariablesInReturn} (what Camunda Modeler\'s "Start instance" sends)' })
  @ApiBody({ schema: { example: START_EXAMPLE } })
  @ApiOkResponse({ schema: PROCESS_INSTANCE_SCHEMA })
  async startById(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser, @Req() req: Request, @Res() res: Response): Promise<void> {
    const definition = await this.query.definition(id);
    sendJson(res, 200, await this.start({ definitionId: definition.id }, body, user, baseUrlOf(req)));
  }

  private async start(target: { definitionKey?: string; definitionId?: string }, raw: unknown, user: AuthUser, base: string) {
    const body = bodyObject(raw);
    refuseField(body, 'startInstructions', 'instances always start at their start event');
    refuseField(body, 'skipIoMappings', 'input/output mappings always run');
    refuseField(body, 'caseInstanceId', 'there are no cases (CMMN)');
    const businessKey = optionalString(body, 'businessKey');
    const withVariables = optionalBoolean(body, 'withVariablesInReturn') ?? false;
    const variables = fromTypedVariables(body.variables);
    const result: InstanceResult = await this.orchestrator.start({ ...target, businessKey: businessKey ?? null, variables, actor: user.username });
    const i = result.instance;
    const instance = toCamundaInstance({ id: i.id, definitionId: i.definitionId, definitionKey: i.definitionKey, businessKey: i.businessKey, ended: i.status !== 'running' }, base);
    return withVariables ? { ...instance, variables: toTypedVariables(i.variables) } : instance;
  }
}
