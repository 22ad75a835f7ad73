import type { RecordType } from './types';

/** The stored columns of a record that commands read back. */
export interface RecordRow {
  number: string;
  type: RecordType;
  instanceId: string;
  state: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
}

export interface NewRecord {
  number: string;
  type: RecordType;
  seq: number;
  instanceId: string;
  definitionKey: string;
  state: string;
  openedBy: string | null;
  openedAt: string;
}

/** Columns refreshed after every command on the record's instance. */
export interface RecordPatch {
  state: string;
  title: string | null;
  priority: string | null;
  assignee: string | null;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  responseDueAt: string | null;
  responseMet: boolean | null;
  responseElapsedMs: number | null;
  resolutionDueAt: string | null;
  resolutionMet: boolean | null;
  resolutionElapsedMs: number | null;
  slaPaused: boolean;
  fields: Record<string, unknown>;
  updatedAt: string;
}

export interface NewRecordLink {
  from: string;
  to: string;
  kind: string;
  createdAt: string;
  createdBy: string | null;
}

/** Record storage inside a command's transaction (implemented by api/engine-host). */
export interface RecordStore {
  /**
   * The next number of `type`: increments the type's counter row, which stays locked until the
   * transaction ends (a rolled-back start gives its number back; starts of one type serialise here).
   */
  allocateRecordSeq(type: RecordType): Promise<number>;
  insertRecord(record: NewRecord): Promise<void>;
  recordOfInstance(instanceId: string): Promise<RecordRow | null>;
  updateRecord(number: string, patch: RecordPatch): Promise<void>;
  /** The numbers among `numbers` that exist. */
  existingRecords(numbers: string[]): Promise<string[]>;
  /** Inserts links not stored yet; answers those inserted. */
  insertRecordLinks(links: NewRecordLink[]): Promise<NewRecordLink[]>;
}
