import { EngineError, EngineErrorCode } from '../errors';
import type { CommandStore } from '../persistence/ports';
import type { DecisionTable } from './model';
import { compileDecisions } from './parse';
import type { DecisionRecord, DecisionStore } from './ports';

/** Parsed tables by decision version id (immutable once deployed, so shared by every orchestrator). */
const tables = new Map<string, DecisionTable>();
const CACHE_SIZE = 500;

export function rememberTable(id: string, table: DecisionTable): void {
  tables.delete(id);
  tables.set(id, table);
  if (tables.size > CACHE_SIZE) tables.delete(tables.keys().next().value!);
}

export function decisionStoreOf(store: CommandStore): DecisionStore {
  if (!store.decisions) throw new EngineError(EngineErrorCode.ProcessFailed, 'this store has no decision definitions');
  return store.decisions;
}

/**
 * The latest (or the given) version of a decision and its parsed table, in the command's
 * transaction; parsed once per version.
 * @throws EngineError DEFINITION_NOT_FOUND naming the key (and version)
 */
export async function resolveDecision(store: CommandStore, key: string, version?: number | null): Promise<{ record: DecisionRecord; table: DecisionTable }> {
  const decisions = decisionStoreOf(store);
  const record = version ? await decisions.decisionVersion(key, version) : await decisions.latestDecision(key);
  if (!record) {
    throw new EngineError(EngineErrorCode.DefinitionNotFound, `no decision with key "${key}"${version ? ` and version ${version}` : ''} is deployed`, { details: { decisionKey: key, version: version ?? null } });
  }
  let table = tables.get(record.id);
  if (!table) {
    const xml = await decisions.decisionXml(record.id);
    table = (await compileDecisions(xml ?? '', { maxBytes: Number.MAX_SAFE_INTEGER })).decisions.find((d) => d.key === key);
    if (!table) throw new EngineError(EngineErrorCode.DefinitionNotFound, `decision "${key}" v${record.version} has no table`);
    rememberTable(record.id, table);
  }
  return { record, table };
}
