import { randomUUID } from 'node:crypto';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { EngineError, EngineErrorCode, Orchestrator, type Clock, type CommandStore, type DefinitionRecord } from '../../engine';
import { hasRole, type AuthUser } from '../auth/auth-user';
import { connection, isUniqueViolation, transaction, type Sql } from '../auth/sql';
import { Database } from '../database/database';
import { CLOCK } from '../engine-host/tokens';
import { TypeormCommandStore } from '../engine-host/typeorm-command-store';
import { DEFINITION_COLUMNS, toDefinitionRecord } from '../engine-host/rows';
import { DraftsService, draftNotFound, iso, type DraftDetail } from './drafts.service';
import { mayRead, ownsOrNew, readableBy } from './governance-access';

export type DeployRequestState = 'pending' | 'approved' | 'rejected' | 'withdrawn';

/** A request to deploy one draft revision and the decision on it (or an administrator's direct deployment). */
export interface DeployRequest {
  id: string;
  draftId: string;
  draftRevision: number;
  key: string;
  /** `request`: submitted by a process owner; `direct`: deployed by an administrator without a request. */
  kind: 'request' | 'direct';
  state: DeployRequestState;
  comment: string;
  submittedBy: string;
  submittedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  /** Why it was rejected or withdrawn (or the approver's note). */
  reason: string | null;
  /** The version the approval deployed (or found identical, `created` false). */
  definitionId: string | null;
  definitionVersion: number | null;
  created: boolean | null;
}

export interface DeployOutcome {
  request: DeployRequest;
  definition: DefinitionRecord;
  /** False when the content was identical to the latest version: no new version. */
  created: boolean;
}

const COLUMNS = `id, draft_id, draft_revision, definition_key, kind, state, comment, submitted_by, submitted_at,
  decided_by, decided_at, reason, definition_id, definition_version, created`;

/**
 * Governed deployment. A process owner submits a draft revision; an administrator approves it
 * (the deployment and the decision commit in one transaction) or rejects it with a reason. An
 * administrator may also deploy a draft directly, which is recorded the same way.
 */
@Injectable()
export class DeployRequestsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(DraftsService) private readonly drafts: DraftsService,
  ) {}

  async submit(user: AuthUser, input: { draftId: string; revision?: number | undefined; comment: string }): Promise<DeployRequest> {
    if (!hasRole(user, 'process-owner')) {
      throw new EngineError(
        EngineErrorCode.Forbidden,
        hasRole(user, 'admin') ? 'administrators deploy drafts directly (POST /api/drafts/:id/deploy)' : 'only process owners submit drafts for deployment',
      );
    }
    try {
      return await transaction(this.db.dataSource, async (sql) => {
        const [draft] = await sql.rows<{ definition_key: string; revision: number }>(`SELECT definition_key, revision FROM process_draft WHERE id = $1`, [input.draftId]);
        if (!draft) throw draftNotFound(input.draftId);
        if (!(await ownsOrNew(sql, user, draft.definition_key))) {
          throw new EngineError(EngineErrorCode.Forbidden, `you are not a process owner of "${draft.definition_key}"`);
        }
        const revision = input.revision ?? draft.revision;
        if (revision < 1 || revision > draft.revision) throw new NotFoundException(`draft "${input.draftId}" has no revision ${revision}`);
        const id = randomUUID();
        const [row] = await sql.rows(
          `INSERT INTO deploy_request (id, draft_id, draft_revision, definition_key, kind, state, comment, submitted_by, submitted_at)
           VALUES ($1, $2, $3, $4, 'request', 'pending', $5, $6, $7) RETURNING ${COLUMNS}`,
          [id, input.draftId, revision, draft.definition_key, input.comment, user.username, this.clock.now().toISOString()],
        );
        return toRequest(row!);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new EngineError(EngineErrorCode.Conflict, 'this process already has a deploy request waiting for a decision; it must be decided or withdrawn first');
      throw error;
    }
  }

  /** Approves a pending request: deploys its draft revision and records the decision in the same transaction. */
  async approve(user: AuthUser, id: string, input: { comment?: string | undefined; versionTag?: string | undefined }): Promise<DeployOutcome> {
    const request = await this.pending(user, id);
    const content = await connection(this.db.dataSource, (sql) => this.drafts.detailIn(sql, request.draftId, request.draftRevision));
    return this.deployContent(user.username, content, input.versionTag, async (sql, definition, created) => {
      const [row] = await sql.rows(
        `UPDATE deploy_request SET state = 'approved', decided_by = $2, decided_at = $3, reason = $4,
                definition_id = $5, definition_version = $6, created = $7
          WHERE id = $1 AND state = 'pending' RETURNING ${COLUMNS}`,
        [id, user.username, this.clock.now().toISOString(), input.comment ?? null, definition.id, definition.version, created],
      );
      if (!row) throw new EngineError(EngineErrorCode.Conflict, `deploy request "${id}" was decided meanwhile`);
      // The first version of a new process: its submitter becomes its process owner.
      if (created && definition.version === 1) {
        await sql.rows(
          `INSERT INTO definition_owner (definition_key, user_id) SELECT $1, u.id FROM app_user u WHERE lower(u.username) = lower($2::text) ON CONFLICT DO NOTHING`,
          [definition.key, request.submittedBy],
        );
      }
      return toRequest(row);
    });
  }

  async reject(user: AuthUser, id: string, reason: string): Promise<DeployRequest> {
    await this.pending(user, id);
    return this.decide(id, 'rejected', user.username, reason);
  }

  /** The submitter takes back a pending request. */
  async withdraw(user: AuthUser, id: string, reason: string | undefined): Promise<DeployRequest> {
    const request = await this.get(user, id);
    if (request.submittedBy.toLowerCase() !== user.username.toLowerCase()) throw new EngineError(EngineErrorCode.Forbidden, 'only its submitter withdraws a deploy request');
    if (request.state !== 'pending') throw new EngineError(EngineErrorCode.Conflict, `deploy request "${id}" is already ${request.state}`);
    return this.decide(id, 'withdrawn', user.username, reason ?? null);
  }

  /** An administrator deploys a draft revision directly; recorded as an approved `direct` request. */
  async deployDraft(user: AuthUser, draftId: string, input: { revision?: number | undefined; comment?: string | undefined; versionTag?: string | undefined }): Promise<DeployOutcome> {
    const content = await connection(this.db.dataSource, (sql) => this.drafts.detailIn(sql, draftId, input.revision ?? null));
    return this.deployContent(user.username, content, input.versionTag, async (sql, definition, created) => {
      const now = this.clock.now().toISOString();
      const [row] = await sql.rows(
        `INSERT INTO deploy_request (id, draft_id, draft_revision, definition_key, kind, state, comment, submitted_by, submitted_at,
                                     decided_by, decided_at, definition_id, definition_version, created)
         VALUES ($1, $2, $3, $4, 'direct', 'approved', $5, $6, $7, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
        [randomUUID(), draftId, content.shownRevision, content.key, input.comment ?? content.revisionComment, user.username, now, definition.id, definition.version, created],
      );
      return toRequest(row!);
    });
  }

  /**
   * Deploys a draft revision and records the decision with `record` in the same transaction. A
   * revision whose BPMN is the latest version's and whose forms equal its forms as JSON (the
   * editor re-serialises forms, so their text differs from the deployed files) is not deployed
   * again: the decision is recorded against the latest version (`created` false).
   */
  private async deployContent(
    actor: string,
    content: DraftDetail,
    versionTag: string | undefined,
    record: (sql: Sql, definition: DefinitionRecord, created: boolean) => Promise<DeployRequest>,
  ): Promise<DeployOutcome> {
    if (!content.decisions.length) {
      const kept = await transaction(this.db.dataSource, async (sql) => {
        await sql.rows(`SELECT pg_advisory_xact_lock(hashtext('process_definition:' || $1::text))`, [content.key]);
        const latest = await sameAsLatest(sql, content);
        return latest ? { definition: latest, created: false, request: await record(sql, latest, false) } : null;
      });
      if (kept) return kept;
    }
    let request: DeployRequest | null = null;
    const result = await this.orchestrator.deploy({
      document: content.bpmn,
      versionTag: versionTag ?? null,
      actor,
      forms: content.forms,
      decisions: content.decisions,
      within: async (store, deployed) => {
        request = await record(sqlIn(store), deployed.definition, deployed.created);
      },
    });
    return { request: request!, definition: result.definition, created: result.created };
  }

  async list(user: AuthUser, filter: { state?: DeployRequestState | undefined; key?: string | undefined; draftId?: string | undefined }): Promise<DeployRequest[]> {
    if (!hasRole(user, 'admin', 'auditor', 'process-owner')) throw new EngineError(EngineErrorCode.Forbidden, 'deploy requests are read by administrators, auditors and process owners');
    return connection(this.db.dataSource, async (sql) => {
      const rows = await sql.rows(
        `SELECT ${COLUMNS} FROM deploy_request
          WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR definition_key = $2) AND ($3::uuid IS NULL OR draft_id = $3)
            AND ${readableBy(user, 'definition_key', 'submitted_by', '$4')}
          ORDER BY submitted_at DESC, id LIMIT 500`,
        [filter.state ?? null, filter.key ?? null, filter.draftId ?? null, user.username],
      );
      return rows.map(toRequest);
    });
  }

  async get(user: AuthUser, id: string): Promise<DeployRequest> {
    return connection(this.db.dataSource, async (sql) => {
      const [row] = await sql.rows(`SELECT ${COLUMNS} FROM deploy_request WHERE id = $1`, [id]);
      if (!row) throw requestNotFound(id);
      const request = toRequest(row);
      if (!(await mayRead(sql, user, request.key, request.submittedBy))) throw requestNotFound(id);
      return request;
    });
  }

  /** A pending request an administrator may decide (not their own). */
  private async pending(user: AuthUser, id: string): Promise<DeployRequest> {
    const request = await this.get(user, id);
    if (request.state !== 'pending') throw new EngineError(EngineErrorCode.Conflict, `deploy request "${id}" is already ${request.state}`);
    if (request.submittedBy.toLowerCase() === user.username.toLowerCase()) throw new EngineError(EngineErrorCode.Forbidden, 'you cannot decide your own deploy request');
    return request;
  }

  private decide(id: string, state: 'rejected' | 'withdrawn', actor: string, reason: string | null): Promise<DeployRequest> {
    return transaction(this.db.dataSource, async (sql) => {
      const [row] = await sql.rows(
        `UPDATE deploy_request SET state = $2, decided_by = $3, decided_at = $4, reason = $5 WHERE id = $1 AND state = 'pending' RETURNING ${COLUMNS}`,
        [id, state, actor, this.clock.now().toISOString(), reason],
      );
      if (!row) throw new EngineError(EngineErrorCode.Conflict, `deploy request "${id}" was decided meanwhile`);
      return toRequest(row);
    });
  }
}

/** The latest version of the draft's key when it holds exactly the draft's BPMN and forms. */
async function sameAsLatest(sql: Sql, content: DraftDetail): Promise<DefinitionRecord | null> {
  const [latest] = await sql.rows(`SELECT ${DEFINITION_COLUMNS}, xml FROM process_definition WHERE key = $1 ORDER BY version DESC LIMIT 1`, [content.key]);
  if (!latest || String(latest.xml) !== content.bpmn.replace(/^\uFEFF/, '')) return null;
  const forms: Record<string, unknown> = {};
  for (const file of content.forms) {
    const schema = JSON.parse(file.content) as { id: string };
    forms[schema.id] = schema;
  }
  const [same] = await sql.rows<{ same: boolean }>(
    `SELECT COALESCE((SELECT jsonb_object_agg(form_id, schema) FROM form_definition WHERE definition_id = $1), '{}'::jsonb) = $2::jsonb AS same`,
    [latest.id, JSON.stringify(forms)],
  );
  return same?.same ? toDefinitionRecord(latest) : null;
}

function requestNotFound(id: string): NotFoundException {
  return new NotFoundException(`no deploy request with id "${id}"`);
}

/** Raw SQL in a deployment's transaction (the engine store of this server is TypeORM's). */
function sqlIn(store: CommandStore): Sql {
  if (!(store instanceof TypeormCommandStore)) throw new Error('deploy approvals need the TypeORM command store');
  const runner: QueryRunner = store.queryRunner;
  return {
    rows: async (text, params = []) => (await runner.query(text, params, true)).records,
    affected: async (text, params = []) => (await runner.query(text, params, true)).affected ?? 0,
  };
}

function toRequest(r: Record<string, unknown>): DeployRequest {
  return {
    id: String(r.id),
    draftId: String(r.draft_id),
    draftRevision: Number(r.draft_revision),
    key: String(r.definition_key),
    kind: r.kind as DeployRequest['kind'],
    state: r.state as DeployRequestState,
    comment: String(r.comment),
    submittedBy: String(r.submitted_by),
    submittedAt: iso(r.submitted_at),
    decidedBy: (r.decided_by as string | null) ?? null,
    decidedAt: r.decided_at ? iso(r.decided_at) : null,
    reason: (r.reason as string | null) ?? null,
    definitionId: (r.definition_id as string | null) ?? null,
    definitionVersion: r.definition_version === null || r.definition_version === undefined ? null : Number(r.definition_version),
    created: typeof r.created === 'boolean' ? r.created : null,
  };
}
