import { randomUUID } from 'node:crypto';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { EngineError, EngineErrorCode, type Clock } from '../../engine';
import type { AuthUser } from '../auth/auth-user';
import { connection, transaction, type Sql } from '../auth/sql';
import type { AppConfig } from '../config/config';
import { Database } from '../database/database';
import { APP_CONFIG, CLOCK } from '../engine-host/tokens';
import { readDraftContent, type DraftContent, type DraftFile } from './draft-content';
import { assertMayEdit, mayRead, readableBy } from './governance-access';

/** A draft as listed: who saved which revision when, and why. */
export interface DraftSummary {
  id: string;
  key: string;
  name: string | null;
  /** The latest revision (every save appends one). */
  revision: number;
  /** The deployed version the draft started from, if any. */
  baseDefinitionId: string | null;
  baseVersion: number | null;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  /** The comment of the latest revision. */
  comment: string;
  formCount: number;
  decisionCount: number;
  /** The open deploy request of this draft, if any. */
  pendingRequestId: string | null;
}

/** One revision of a draft with its content. */
export interface DraftDetail extends DraftSummary {
  /** The revision shown (the latest unless ?revision= asked for another). */
  shownRevision: number;
  author: string;
  savedAt: string;
  revisionComment: string;
  sha256: string;
  bpmn: string;
  forms: DraftFile[];
  decisions: DraftFile[];
}

export interface DraftRevision {
  revision: number;
  author: string;
  savedAt: string;
  comment: string;
  sha256: string;
}

export interface NewDraft extends DraftContent {
  comment: string;
  baseDefinitionId?: string | undefined;
}

export interface DraftSave extends DraftContent {
  comment: string;
  /** The revision the editor started from; another save in between answers 409. */
  revision: number;
}

const SUMMARY = `
  d.id, d.definition_key, d.name, d.revision, d.base_definition_id, b.version AS base_version,
  d.created_by, d.created_at, d.updated_by, d.updated_at, r.comment,
  jsonb_array_length(r.forms) AS form_count, jsonb_array_length(r.decisions) AS decision_count,
  (SELECT q.id FROM deploy_request q WHERE q.draft_id = d.id AND q.state = 'pending' LIMIT 1) AS pending_request_id`;
const FROM = `process_draft d JOIN process_draft_revision r ON r.draft_id = d.id AND r.revision = d.revision
  LEFT JOIN process_definition b ON b.id = d.base_definition_id`;

/**
 * Drafts: a working copy of one process key saved on the server. `PUT` appends a new revision
 * to the same draft (optimistic: it names the revision it started from), so a draft's history
 * keeps every save with its author, time and comment, and a deploy request points at one
 * immutable revision.
 */
@Injectable()
export class DraftsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(user: AuthUser, input: NewDraft): Promise<DraftDetail> {
    const { key, name, sha256 } = await readDraftContent(input, this.config.maxDefinitionBytes);
    return transaction(this.db.dataSource, async (sql) => {
      await assertMayEdit(sql, user, key);
      if (input.baseDefinitionId) {
        const [base] = await sql.rows<{ key: string }>(`SELECT key FROM process_definition WHERE id = $1`, [input.baseDefinitionId]);
        if (!base) throw new EngineError(EngineErrorCode.DefinitionNotFound, `no process definition with id "${input.baseDefinitionId}"`);
        if (base.key !== key) throw new EngineError(EngineErrorCode.InvalidRequest, `the base version is of "${base.key}", the diagram's process is "${key}"`);
      }
      const id = randomUUID();
      const now = this.clock.now().toISOString();
      await sql.rows(
        `INSERT INTO process_draft (id, definition_key, name, base_definition_id, revision, created_by, created_at, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, 1, $5, $6, $5, $6)`,
        [id, key, name, input.baseDefinitionId ?? null, user.username, now],
      );
      await insertRevision(sql, id, 1, input, user.username, now, sha256);
      return this.detailIn(sql, id, null);
    });
  }

  async save(user: AuthUser, id: string, input: DraftSave): Promise<DraftDetail> {
    const { key, name, sha256 } = await readDraftContent(input, this.config.maxDefinitionBytes);
    return transaction(this.db.dataSource, async (sql) => {
      const [draft] = await sql.rows<{ definition_key: string; revision: number }>(`SELECT definition_key, revision FROM process_draft WHERE id = $1 FOR UPDATE`, [id]);
      if (!draft) throw draftNotFound(id);
      await assertMayEdit(sql, user, draft.definition_key);
      if (key !== draft.definition_key) {
        throw new EngineError(EngineErrorCode.InvalidRequest, `this draft is for the process "${draft.definition_key}" but the diagram's process id is "${key}"; save it as a new draft instead`);
      }
      if (draft.revision !== input.revision) {
        throw new EngineError(EngineErrorCode.Conflict, `the draft was saved meanwhile (revision ${draft.revision}; you edited revision ${input.revision}): reload it before saving`, {
          details: { currentRevision: draft.revision },
        });
      }
      const now = this.clock.now().toISOString();
      const revision = draft.revision + 1;
      await insertRevision(sql, id, revision, input, user.username, now, sha256);
      await sql.rows(`UPDATE process_draft SET revision = $2, name = $3, updated_by = $4, updated_at = $5 WHERE id = $1`, [id, revision, name, user.username, now]);
      return this.detailIn(sql, id, null);
    });
  }

  async list(user: AuthUser, key: string | undefined): Promise<DraftSummary[]> {
    return connection(this.db.dataSource, async (sql) => {
      const rows = await sql.rows(
        `SELECT ${SUMMARY} FROM ${FROM}
          WHERE ($1::text IS NULL OR d.definition_key = $1) AND ${readableBy(user, 'd.definition_key', 'd.created_by', '$2')}
          ORDER BY d.updated_at DESC, d.id LIMIT 500`,
        [key ?? null, user.username],
      );
      return rows.map(toSummary);
    });
  }

  async get(user: AuthUser, id: string, revision: number | null): Promise<DraftDetail> {
    return connection(this.db.dataSource, async (sql) => {
      const detail = await this.detailIn(sql, id, revision);
      if (!(await mayRead(sql, user, detail.key, detail.createdBy))) throw draftNotFound(id);
      return detail;
    });
  }

  async revisions(user: AuthUser, id: string): Promise<DraftRevision[]> {
    return connection(this.db.dataSource, async (sql) => {
      const [draft] = await sql.rows<{ definition_key: string; created_by: string }>(`SELECT definition_key, created_by FROM process_draft WHERE id = $1`, [id]);
      if (!draft || !(await mayRead(sql, user, draft.definition_key, draft.created_by))) throw draftNotFound(id);
      const rows = await sql.rows(`SELECT revision, author, saved_at, comment, sha256 FROM process_draft_revision WHERE draft_id = $1 ORDER BY revision DESC`, [id]);
      return rows.map((r) => ({ revision: Number(r.revision), author: String(r.author), savedAt: iso(r.saved_at), comment: String(r.comment), sha256: String(r.sha256) }));
    });
  }

  /** One revision's content, inside an open transaction (deploys read it there). */
  async detailIn(sql: Sql, id: string, revision: number | null): Promise<DraftDetail> {
    const [row] = await sql.rows(
      `SELECT ${SUMMARY}, v.revision AS shown_revision, v.author, v.saved_at, v.comment AS revision_comment, v.sha256, v.bpmn, v.forms, v.decisions
         FROM ${FROM} JOIN process_draft_revision v ON v.draft_id = d.id AND v.revision = COALESCE($2::int, d.revision)
        WHERE d.id = $1`,
      [id, revision],
    );
    if (!row) throw revision === null ? draftNotFound(id) : new NotFoundException(`draft "${id}" has no revision ${revision}`);
    return {
      ...toSummary(row),
      shownRevision: Number(row.shown_revision),
      author: String(row.author),
      savedAt: iso(row.saved_at),
      revisionComment: String(row.revision_comment),
      sha256: String(row.sha256),
      bpmn: String(row.bpmn),
      forms: row.forms as DraftFile[],
      decisions: row.decisions as DraftFile[],
    };
  }
}

export function draftNotFound(id: string): NotFoundException {
  return new NotFoundException(`no draft with id "${id}"`);
}

async function insertRevision(sql: Sql, id: string, revision: number, input: DraftContent & { comment: string }, author: string, at: string, sha256: string): Promise<void> {
  await sql.rows(
    `INSERT INTO process_draft_revision (draft_id, revision, bpmn, forms, decisions, comment, author, saved_at, sha256)
     VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9)`,
    [id, revision, input.bpmn, JSON.stringify(input.forms), JSON.stringify(input.decisions), input.comment, author, at, sha256],
  );
}

function toSummary(r: Record<string, unknown>): DraftSummary {
  return {
    id: String(r.id),
    key: String(r.definition_key),
    name: (r.name as string | null) ?? null,
    revision: Number(r.revision),
    baseDefinitionId: (r.base_definition_id as string | null) ?? null,
    baseVersion: r.base_version === null || r.base_version === undefined ? null : Number(r.base_version),
    createdBy: String(r.created_by),
    createdAt: iso(r.created_at),
    updatedBy: String(r.updated_by),
    updatedAt: iso(r.updated_at),
    comment: String(r.comment),
    formCount: Number(r.form_count),
    decisionCount: Number(r.decision_count),
    pendingRequestId: (r.pending_request_id as string | null) ?? null,
  };
}

export function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
