import { auditInstance, type HistoryProblem, type SealedEvent, type TaskFact } from '../history/audit';
import { verifyChain, type ChainHead } from '../history/hash-chain';
import type { HistoryKeyring } from '../history/seal';

/** Format version of an archive file (the first line says it). */
export const ARCHIVE_FORMAT = 'itsm-history-archive/v1';

/** First line of an archive file. */
export interface ArchiveHeader {
  kind: 'header';
  format: typeof ARCHIVE_FORMAT;
  createdAt: string;
  /** Id of the history key that sealed the events (the key itself is never written). */
  keyId: string;
}

/** One removed instance, with everything needed to verify its chain offline. */
export interface ArchivedInstance {
  kind: 'instance';
  /** The process_instance row (snake_case columns as stored, snapshot left out). */
  instance: Record<string, unknown> & { id: string; history_seq: number; history_hash: string | null; history_mac: string | null; variables: Record<string, unknown> };
  /** Its history events in order, with their hashes and seals. */
  events: SealedEvent[];
  /** Its user tasks (rows as stored). */
  tasks: Record<string, unknown>[];
  /** Its ITSM record and the record's links, if it kept one. */
  record: Record<string, unknown> | null;
  recordLinks: Record<string, unknown>[];
}

export type ArchiveLine = ArchiveHeader | ArchivedInstance;

/** What checking an archive found. */
export interface ArchiveVerdict {
  valid: boolean;
  instances: number;
  events: number;
  problems: HistoryProblem[];
}

/**
 * Checks an archive file's text (JSON lines): a header first, then one line per instance whose
 * chain must verify (order, links, hashes, head). Given the server's key ring it also checks every
 * seal, the instance's variables and finished tasks against the history, as
 * `GET /api/history/verify` does; without one, only the plain SHA-256 chain (anyone can check it).
 */
export function verifyArchive(text: string, ring?: HistoryKeyring): ArchiveVerdict {
  const problems: HistoryProblem[] = [];
  const problem = (instanceId: string, reason: string) => problems.push({ instanceId, seq: null, kind: 'chain', reason });
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  let instances = 0;
  let events = 0;
  lines.forEach((line, index) => {
    let parsed: ArchiveLine;
    try {
      parsed = JSON.parse(line) as ArchiveLine;
    } catch {
      problem('*', `line ${index + 1} is not JSON`);
      return;
    }
    if (index === 0) {
      if (parsed.kind !== 'header' || parsed.format !== ARCHIVE_FORMAT) problem('*', `line 1 is not an ${ARCHIVE_FORMAT} header`);
      return;
    }
    if (parsed.kind !== 'instance' || !parsed.instance || !Array.isArray(parsed.events)) {
      problem('*', `line ${index + 1} is not an archived instance`);
      return;
    }
    instances++;
    events += parsed.events.length;
    const i = parsed.instance;
    const head: ChainHead = { seq: i.history_seq, hash: i.history_hash };
    if (parsed.events.some((e) => e.instanceId !== i.id)) problem(i.id, `line ${index + 1} holds events of another instance`);
    if (ring) {
      const tasks: TaskFact[] = parsed.tasks
        .filter((t) => t.status !== 'open')
        .map((t) => ({ id: String(t.id), elementId: String(t.element_id), status: String(t.status), completedBy: (t.completed_by as string | null) ?? null, submitted: (t.submitted as Record<string, unknown> | null) ?? null }));
      problems.push(...auditInstance({ instanceId: i.id, head, headSeal: i.history_mac, events: parsed.events, variables: i.variables ?? {}, tasks }, ring));
    } else {
      const verdict = verifyChain(parsed.events, head);
      if (!verdict.valid) problems.push({ instanceId: i.id, seq: verdict.firstInvalid!.seq, kind: 'chain', reason: verdict.firstInvalid!.reason });
    }
  });
  if (!lines.length) problem('*', 'the archive is empty');
  return { valid: problems.length === 0, instances, events, problems };
}
