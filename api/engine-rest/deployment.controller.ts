import { Get, Inject, Param, Post, Query, Req, Res, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { EngineError, EngineErrorCode, Orchestrator } from '../../engine';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { assertSafeRequest } from '../common/input-guard';
import { MAX_DEPLOYMENT_FILES, splitDeployment } from '../definitions/deployment-files';
import { sendJson } from './camunda-errors';
import { camundaDate } from './camunda-values';
import { ApiQueries, COUNT_SCHEMA, DEPLOYMENT_SCHEMA, EngineRestController, PROCESS_DEFINITION_SCHEMA, baseUrlOf, listOfSchema } from './engine-rest-controller';
import { EngineRestQuery, toCamundaDefinition, toCamundaDeployment } from './engine-rest.query';

const LIST_PARAMS = ['id', 'name', 'nameLike', 'after', 'before', 'sortBy', 'sortOrder', 'firstResult', 'maxResults'];

/**
 * Camunda 7 deployments. A deployment here is one process definition version (the same id), so
 * a deployment holds exactly one BPMN file, with any forms (.form) and decision tables (.dmn).
 * Deploying is for administrators, as POST /api/definitions (the same command).
 */
@EngineRestController()
export class EngineRestDeploymentController {
  constructor(
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(EngineRestQuery) private readonly query: EngineRestQuery,
  ) {}

  @Get('version')
  @ApiOperation({ summary: 'Camunda 7: the REST API version this server is compatible with (a subset: see the README)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { version: { type: 'string', example: '7.22.0' } } } })
  version(@Res() res: Response): void {
    sendJson(res, 200, { version: '7.22.0' });
  }

  @Get('deployment')
  @ApiOperation({ summary: 'Camunda 7: deployments (one per process definition version), oldest first unless sortBy/sortOrder' })
  @ApiQueries(...LIST_PARAMS)
  @ApiOkResponse({ schema: listOfSchema(DEPLOYMENT_SCHEMA) })
  async list(@Query() q: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    sendJson(res, 200, await this.query.deployments(q, baseUrlOf(req)));
  }

  @Get('deployment/count')
  @ApiOperation({ summary: 'Camunda 7: the number of deployments matching the filters of GET /engine-rest/deployment' })
  @ApiOkResponse({ schema: COUNT_SCHEMA })
  async count(@Query() q: Record<string, unknown>, @Res() res: Response): Promise<void> {
    sendJson(res, 200, { count: await this.query.countDeployments(q) });
  }

  @Post('deployment/create')
  @Roles('admin')
  @ApiOperation({
    summary:
      'Camunda 7: deploy (multipart; every file in its own part named after the file, as Camunda Modeler sends it). Fields deployment-name, deployment-source, ' +
      'enable-duplicate-filtering, deploy-changed-only; tenant-id is refused (no tenants). One .bpmn file plus any .form and .dmn files. An identical BPMN (and forms) ' +
      'is not deployed again: with duplicate filtering the answer names the existing deployment and deployedProcessDefinitions is null, as in Camunda.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        'deployment-name': { type: 'string' },
        'deployment-source': { type: 'string' },
        'enable-duplicate-filtering': { type: 'boolean' },
        'deploy-changed-only': { type: 'boolean' },
        'tenant-id': { type: 'string' },
        'process.bpmn': { type: 'string', format: 'binary' },
      },
    },
  })
  @ApiOkResponse({ schema: { ...DEPLOYMENT_SCHEMA, properties: { ...DEPLOYMENT_SCHEMA.properties, deployedProcessDefinitions: { type: 'object', nullable: true, additionalProperties: PROCESS_DEFINITION_SCHEMA } } } })
  @UseInterceptors(AnyFilesInterceptor({ limits: { files: MAX_DEPLOYMENT_FILES + 1, fileSize: 64 * 1024 * 1024, fields: 20, fieldSize: 64 * 1024 } }))
  async create(@Req() req: Request, @Res() res: Response, @UploadedFiles() files: Express.Multer.File[] | undefined, @CurrentUser() user: AuthUser): Promise<void> {
    assertSafeRequest(req); // the multipart fields multer just parsed
    const fields = (typeof req.body === 'object' && req.body !== null && !Buffer.isBuffer(req.body) ? req.body : {}) as Record<string, unknown>;
    const tenant = fields['tenant-id'];
    if (typeof tenant === 'string' && tenant.length) throw new EngineError(EngineErrorCode.InvalidRequest, 'tenant-id is not supported: this server has no tenants');
    const flag = (name: string) => {
      const v = fields[name];
      if (v === undefined || v === '') return false;
      if (v !== 'true' && v !== 'false') throw new EngineError(EngineErrorCode.InvalidRequest, `${name} must be true or false`);
      return v === 'true';
    };
    const filtering = flag('enable-duplicate-filtering') || flag('deploy-changed-only');
    for (const name of ['deployment-name', 'deployment-source']) {
      const v = fields[name];
      if (v !== undefined && (typeof v !== 'string' || v.length > 256)) throw new EngineError(EngineErrorCode.InvalidRequest, `${name} must be text of at most 256 characters`);
    }
    if (!files?.length) throw new EngineError(EngineErrorCode.InvalidRequest, 'the deployment has no resources: send the BPMN file as a multipart part named after the file');
    const parts = splitDeployment(files);
    const document = parts.bpmn!.buffer;
    if (!document.length) throw new EngineError(EngineErrorCode.InvalidRequest, `the BPMN file ${parts.bpmn!.originalname} is empty`);
    const { definition, created } = await this.orchestrator.deploy({ document, versionTag: null, actor: user.username, forms: parts.forms, decisions: parts.decisions });
    const base = baseUrlOf(req);
    const name = typeof fields['deployment-name'] === 'string' && fields['deployment-name'] ? fields['deployment-name'] : null;
    const deployment = toCamundaDeployment(definition, base);
    sendJson(res, 200, {
      ...deployment,
      name: name ?? deployment.name,
      source: typeof fields['deployment-source'] === 'string' ? fields['deployment-source'] : null,
      deploymentTime: camundaDate(definition.deployedAt),
      // An unchanged diagram is not deployed again; Camunda answers the existing deployment with no new definitions when it filters duplicates.
      deployedProcessDefinitions: created || !filtering ? { [definition.id]: toCamundaDefinition(definition) } : null,
      deployedCaseDefinitions: null,
      deployedDecisionDefinitions: null,
      deployedDecisionRequirementsDefinitions: null,
    });
  }

  @Get('deployment/:id')
  @ApiOperation({ summary: 'Camunda 7: one deployment' })
  @ApiOkResponse({ schema: DEPLOYMENT_SCHEMA })
  async get(@Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const definition = await this.query.definition(id).catch(() => {
      throw new EngineError(EngineErrorCode.DefinitionNotFound, `Deployment with id '${id}' does not exist`);
    });
    sendJson(res, 200, toCamundaDeployment(definition, baseUrlOf(req)));
  }
}
