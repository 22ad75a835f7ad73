import { Body, Controller, Get, Header, HttpCode, HttpStatus, Inject, Param, Post, Query, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { EngineError, EngineErrorCode, Orchestrator, type DecisionDeployResult, type DecisionEvaluation, type DecisionRecord } from '../../engine';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { parse } from '../common/validation';
import { DecisionsQuery } from './decisions.query';

const Key = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, 'must be a decision id (letters, digits, _ . -)');
const Version = z.coerce.number().int().min(1).max(999_999_999);
const EvaluateBody = z.object({ variables: z.record(z.string(), z.unknown()).optional(), version: z.number().int().min(1).max(999_999_999).optional() }).strict();

/**
 * DMN decision tables: every signed-in user reads and test-evaluates them; administrators and
 * process owners deploy them (a process owner changes a priority matrix without code).
 */
@ApiTags('decisions')
@ApiBearerAuth()
@Controller('api/decisions')
export class DecisionsController {
  constructor(
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(DecisionsQuery) private readonly query: DecisionsQuery,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Deploy a DMN 1.3 file (multipart field `file`, or an application/xml body): each decision becomes the next version of its key. 201 if any version was created, 200 if the file already is the latest version.' })
  @ApiConsumes('multipart/form-data', 'application/xml')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @Roles('admin', 'process-owner')
  @UseInterceptors(FileInterceptor('file'))
  async deploy(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @UploadedFile() file: Express.Multer.File | undefined,
    @CurrentUser() user: AuthUser,
  ): Promise<DecisionDeployResult> {
    const document = file?.buffer ?? (Buffer.isBuffer(req.body) ? req.body : null);
    if (!document) throw new EngineError(EngineErrorCode.UnsupportedMediaType, 'send the DMN file as multipart/form-data field "file" or as an application/xml body');
    if (!document.length) throw new EngineError(EngineErrorCode.InvalidRequest, 'the DMN document is empty');
    const result = await this.orchestrator.decisions.deploy({ document, actor: user.username });
    const created = result.decisions.some((d) => d.created);
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    if (created && result.decisions.length === 1) res.location(`/api/decisions/${encodeURIComponent(result.decisions[0].key)}`);
    return result;
  }

  @Get()
  @ApiOperation({ summary: 'Latest version of every decision (filter with ?key=)' })
  @ApiQuery({ name: 'key', required: false })
  async list(@Query('key') key?: string): Promise<DecisionRecord[]> {
    return this.query.latest(parse(Key.optional(), key, 'key filter'));
  }

  @Get(':key')
  @ApiOperation({ summary: 'The latest version of a decision, with every version (newest first)' })
  async get(@Param('key') key: string): Promise<DecisionRecord & { versions: DecisionRecord[] }> {
    const versions = await this.query.versions(this.key(key));
    return { ...versions[0], versions };
  }

  @Get(':key/xml')
  @ApiOperation({ summary: 'The DMN document of the latest version (or ?version=)' })
  @ApiQuery({ name: 'version', required: false })
  @Header('Content-Type', 'application/xml; charset=utf-8')
  async xml(@Param('key') key: string, @Query('version') version?: string): Promise<string> {
    return this.query.xml(this.key(key), version === undefined ? undefined : parse(Version, version, 'version'));
  }

  @Post(':key/evaluate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Test a decision: {variables, version?} → {result, resultList, matchedRules}; nothing is stored' })
  @ApiBody({ schema: { example: { variables: { impact: 'high', urgency: 'medium' } } } })
  async evaluate(@Param('key') key: string, @Body() body: unknown): Promise<DecisionEvaluation> {
    const input = parse(EvaluateBody, body, 'evaluation request');
    return this.orchestrator.decisions.evaluate({ key: this.key(key), version: input.version ?? null, variables: input.variables ?? {} });
  }

  private key(key: string): string {
    if (!Key.safeParse(key).success) throw new EngineError(EngineErrorCode.DefinitionNotFound, `no decision with key "${key.slice(0, 200)}" is deployed`);
    return key;
  }
}
