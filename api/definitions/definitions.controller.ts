import { Body, Controller, Get, Header, HttpCode, HttpStatus, Inject, Param, Post, Put, Query, Req, Res, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { EngineError, EngineErrorCode, Orchestrator, type DefinitionProblem, type DefinitionRecord } from '../../engine';
import { NAME_PATTERN, type AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { idParam, parse } from '../common/validation';
import { DefinitionsQuery, type DefinitionOwners } from './definitions.query';
import { splitDeployment, MAX_DEPLOYMENT_FILES } from './deployment-files';
import { DefinitionFormsQuery, type DefinitionForm } from './definition-forms.query';
import { listOf, ref } from '../openapi/schemas';
import { assertSafeRequest } from '../common/input-guard';

const DeployFields = z.object({ versionTag: z.string().trim().min(1).max(64).optional() });
const Username = z.string().regex(NAME_PATTERN, 'must be 1-128 characters of letters, digits and . _ @ + -');
const OwnersBody = z.object({ usernames: z.array(Username).max(200) }).strict();

/** Definitions: every signed-in user reads them; administrators deploy, suspend, activate and name the process owners. */
@ApiTags('definitions')
@ApiBearerAuth()
@Controller('api/definitions')
export class DefinitionsController {
  constructor(
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(DefinitionsQuery) private readonly query: DefinitionsQuery,
    @Inject(DefinitionFormsQuery) private readonly forms: DefinitionFormsQuery,
  ) {}

  @Post()
  @ApiOperation({
    summary:
      'Deploy a BPMN file (multipart, or an application/xml body) with its forms: one multipart request holds one .bpmn file plus any number of .form files ' +
      '(form-js JSON) and .dmn files, under any field names; a part is classified by its file extension, else by its content. 201 new version, 200 identical to latest (same BPMN and same forms).',
  })
  @ApiConsumes('multipart/form-data', 'application/xml')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' }, forms: { type: 'array', items: { type: 'string', format: 'binary' } }, versionTag: { type: 'string' } } } })
  @ApiQuery({ name: 'versionTag', required: false })
  @Roles('admin')
  // per-file cap = the largest MAX_DEFINITION_BYTES the config accepts; the engine then applies the configured limits
  @UseInterceptors(AnyFilesInterceptor({ limits: { files: MAX_DEPLOYMENT_FILES + 1, fileSize: 64 * 1024 * 1024, fields: 20 } }))
  async deploy(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
    @CurrentUser() user: AuthUser,
  ): Promise<DefinitionResponse> {
    assertSafeRequest(req); // the multipart fields multer just parsed (the global checks ran before it)
    const parts = files?.length ? splitDeployment(files) : null;
    const file = parts?.bpmn;
    const document = file?.buffer ?? (Buffer.isBuffer(req.body) ? req.body : null);
    if (!document) {
      throw new EngineError(
        EngineErrorCode.UnsupportedMediaType,
        'send the BPMN file as multipart/form-data field "file" or as an application/xml body',
      );
    }
    if (!document.length) throw new EngineError(EngineErrorCode.InvalidRequest, 'the BPMN document is empty');
    const fields = parse(DeployFields, { versionTag: (file ? req.body?.versionTag : undefined) ?? req.query.versionTag }, 'deploy fields');
    const { definition, created, forms, decisions } = await this.orchestrator.deploy({
      document,
      versionTag: fields.versionTag ?? null,
      actor: user.username,
      forms: parts?.forms ?? [],
      decisions: parts?.decisions ?? [],
    });
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    if (created) res.location(`/api/definitions/${definition.id}`);
    return { ...toDefinitionResponse(definition, created), ...(forms?.length ? { forms } : {}), ...(decisions ? { decisions } : {}) };
  }

  @Post('validate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'Dry run of the deploy validation (the modeler\'s live lint): an application/xml body is checked with exactly the rules of POST /api/definitions and nothing is stored. ' +
      '200 {valid, problems, warnings}: problems would refuse the deploy, warnings would not; each names its rule and, when it has one, its element. ' +
      'Any signed-in user (it changes nothing).',
  })
  @ApiConsumes('application/xml')
  async validate(@Req() req: Request): Promise<ValidationResponse> {
    const document = Buffer.isBuffer(req.body) ? req.body : null;
    if (!document) throw new EngineError(EngineErrorCode.UnsupportedMediaType, 'send the BPMN document as an application/xml body');
    if (!document.length) throw new EngineError(EngineErrorCode.InvalidRequest, 'the BPMN document is empty');
    const { problems, warnings } = await this.orchestrator.validate(document);
    return { valid: problems.length === 0, problems, warnings };
  }

  @Get()
  @ApiOperation({ summary: 'Latest version of every process key (filter with ?key=)' })
  @ApiQuery({ name: 'key', required: false })
  @ApiOkResponse({ schema: listOf('Definition') })
  async list(@Query('key') key?: string): Promise<DefinitionResponse[]> {
    const k = parse(z.string().min(1).max(256).optional(), key, 'key filter');
    return (await this.query.latest(k)).map((d) => toDefinitionResponse(d));
  }

  @Get('key/:key/versions')
  @ApiOperation({ summary: 'Every version of one process key, newest first' })
  @ApiOkResponse({ schema: listOf('Definition') })
  async versions(@Param('key') key: string): Promise<DefinitionResponse[]> {
    return (await this.query.versions(key)).map((d) => toDefinitionResponse(d));
  }

  @Get('key/:key/owners')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'The process owners of a key (administrators and auditors)' })
  @ApiOkResponse({ schema: ref('DefinitionOwners') })
  owners(@Param('key') key: string): Promise<DefinitionOwners> {
    return this.query.owners(key);
  }

  @Put('key/:key/owners')
  @Roles('admin')
  @ApiOperation({ summary: 'Replace the process owners of a key {usernames}; they see its instances and tasks if they hold the process-owner role' })
  @ApiBody({ schema: { example: { usernames: ['owner'] } } })
  @ApiOkResponse({ schema: ref('DefinitionOwners') })
  setOwners(@Param('key') key: string, @Body() body: unknown): Promise<DefinitionOwners> {
    const { usernames } = parse(OwnersBody, body, 'owners');
    return this.query.setOwners(key, usernames);
  }

  @Get(':id')
  @ApiOkResponse({ schema: ref('Definition') })
  async get(@Param('id') id: string): Promise<DefinitionResponse> {
    return toDefinitionResponse(await this.query.get(idParam(id, 'process definition')));
  }

  @Post(':id/suspend')
  @HttpCode(HttpStatus.OK)
  @Roles('admin')
  @ApiOperation({ summary: 'Suspend a version: no new instances, its timer start schedule stops' })
  @ApiOkResponse({ schema: ref('Definition') })
  suspend(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<DefinitionResponse> {
    return this.orchestrator.suspendDefinition(idParam(id, 'process definition'), user.username);
  }

  @Post(':id/activate')
  @HttpCode(HttpStatus.OK)
  @Roles('admin')
  @ApiOperation({ summary: 'Activate a suspended version; the latest version resumes its timer start schedule' })
  @ApiOkResponse({ schema: ref('Definition') })
  activate(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<DefinitionResponse> {
    return this.orchestrator.activateDefinition(idParam(id, 'process definition'), user.username);
  }

  @Get(':id/forms')
  @ApiOperation({ summary: 'The forms deployed with a version: [{formId, sha256, elementIds, schema}] (start forms included)' })
  @ApiOkResponse({ schema: listOf('DefinitionForm') })
  formsOf(@Param('id') id: string): Promise<DefinitionForm[]> {
    return this.forms.list(idParam(id, 'process definition'));
  }

  @Get(':id/xml')
  @Header('Content-Type', 'application/xml; charset=utf-8')
  async xml(@Param('id') id: string): Promise<string> {
    return this.query.xml(idParam(id, 'process definition'));
  }
}

export interface ValidationResponse {
  /** True when POST /api/definitions would accept the document. */
  valid: boolean;
  problems: DefinitionProblem[];
  warnings: DefinitionProblem[];
}

export interface DefinitionResponse extends DefinitionRecord {
  created?: boolean;
  forms?: { formId: string; sha256: string }[];
  decisions?: unknown[];
}

function toDefinitionResponse(d: DefinitionRecord, created?: boolean): DefinitionResponse {
  return created === undefined ? { ...d } : { ...d, created };
}
