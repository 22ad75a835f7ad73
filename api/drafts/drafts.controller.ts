import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { parse, uuid } from '../common/validation';
import { listOf, ref } from '../openapi/schemas';
import { DraftContentShape } from './draft-content';
import { DeployRequestsService, type DeployOutcome } from './deploy-requests.service';
import { DraftsService, draftNotFound, type DraftDetail, type DraftRevision, type DraftSummary } from './drafts.service';

const NewDraftBody = z.object({ ...DraftContentShape, baseDefinitionId: uuid.optional() }).strict();
const SaveBody = z.object({ ...DraftContentShape, revision: z.number().int().min(1) }).strict();
const DeployBody = z
  .object({ revision: z.number().int().min(1).optional(), comment: z.string().trim().min(1).max(2000).optional(), versionTag: z.string().trim().min(1).max(64).optional() })
  .strict();
const Key = z.string().min(1).max(256).optional();
const RevisionQuery = z.coerce.number().int().min(1).optional();

const EXAMPLE = {
  bpmn: '<?xml version="1.0"?><bpmn:definitions …>…</bpmn:definitions>',
  forms: [{ name: 'triage.form', content: '{"id":"triage","type":"default","components":[]}' }],
  decisions: [{ name: 'priority.dmn', content: '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" …/>' }],
  comment: 'Adds a triage step',
};

/**
 * Drafts of process definitions, saved on the server. A draft belongs to one process key (the id
 * of its BPMN process) and holds the diagram with its forms and decision tables, which deploy
 * together. Every `PUT` appends a revision to the same draft (author, time, comment).
 */
@ApiTags('drafts')
@ApiBearerAuth()
@Controller('api/drafts')
@Roles('admin', 'process-owner', 'auditor')
export class DraftsController {
  constructor(
    @Inject(DraftsService) private readonly drafts: DraftsService,
    @Inject(DeployRequestsService) private readonly requests: DeployRequestsService,
  ) {}

  @Post()
  @Roles('admin', 'process-owner')
  @ApiOperation({ summary: 'Save a new draft {bpmn, forms?, decisions?, comment, baseDefinitionId?}: revision 1; its key is the BPMN process id (process owners: keys they own or new keys)' })
  @ApiBody({ schema: { example: EXAMPLE } })
  @ApiCreatedResponse({ schema: ref('DraftDetail') })
  create(@Body() body: unknown, @CurrentUser() user: AuthUser, @Res({ passthrough: true }) res: Response): Promise<DraftDetail> {
    const input = parse(NewDraftBody, body, 'draft');
    return this.drafts.create(user, input).then((d) => (res.location(`/api/drafts/${d.id}`), d));
  }

  @Get()
  @ApiOperation({ summary: 'Drafts (latest revision of each), newest first; ?key= one process key' })
  @ApiQuery({ name: 'key', required: false })
  @ApiOkResponse({ schema: listOf('DraftSummary') })
  list(@Query('key') key: string | undefined, @CurrentUser() user: AuthUser): Promise<DraftSummary[]> {
    return this.drafts.list(user, parse(Key, key, 'key filter'));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A draft with its content: the latest revision, or ?revision=n' })
  @ApiQuery({ name: 'revision', required: false })
  @ApiOkResponse({ schema: ref('DraftDetail') })
  get(@Param('id') id: string, @Query('revision') revision: string | undefined, @CurrentUser() user: AuthUser): Promise<DraftDetail> {
    return this.drafts.get(user, draftId(id), parse(RevisionQuery, revision, 'revision') ?? null);
  }

  @Get(':id/revisions')
  @ApiOperation({ summary: 'Every revision of a draft, newest first: author, time, comment' })
  @ApiOkResponse({ schema: listOf('DraftRevision') })
  revisions(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<DraftRevision[]> {
    return this.drafts.revisions(user, draftId(id));
  }

  @Put(':id')
  @Roles('admin', 'process-owner')
  @ApiOperation({ summary: 'Save a new revision {bpmn, forms, decisions, comment, revision}: `revision` is the one the editor started from (409 if another save came first)' })
  @ApiBody({ schema: { example: { ...EXAMPLE, revision: 1 } } })
  @ApiOkResponse({ schema: ref('DraftDetail') })
  save(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser): Promise<DraftDetail> {
    return this.drafts.save(user, draftId(id), parse(SaveBody, body, 'draft'));
  }

  @Post(':id/deploy')
  @HttpCode(HttpStatus.OK)
  @Roles('admin')
  @ApiOperation({
    summary:
      'Deploy a draft revision directly (administrators) {revision?, comment?, versionTag?}: recorded as an approved deploy request. `created` false: identical to the latest version, no new version.',
  })
  @ApiOkResponse({ description: 'identical to the latest version: no new version', schema: ref('DeployOutcome') })
  @ApiCreatedResponse({ description: 'a new version', schema: ref('DeployOutcome') })
  deploy(@Param('id') id: string, @Body() body: unknown, @CurrentUser() user: AuthUser, @Res({ passthrough: true }) res: Response): Promise<DeployOutcome> {
    const input = parse(DeployBody, body, 'deploy');
    return this.requests.deployDraft(user, draftId(id), input).then((outcome) => {
      if (outcome.created) res.status(HttpStatus.CREATED);
      return outcome;
    });
  }
}

function draftId(id: string): string {
  if (!uuid.safeParse(id).success) throw draftNotFound(id);
  return id;
}
