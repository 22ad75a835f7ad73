/** ITSM record types (`itsm:recordType`) and the prefix of their numbers. */
export const RECORD_PREFIXES = {
  incident: 'INC',
  request: 'REQ',
  problem: 'PRB',
  change: 'CHG',
  slr: 'SLR',
  bct: 'BCT',
  audit: 'AUD',
  nc: 'NC',
} as const;

export type RecordType = keyof typeof RECORD_PREFIXES;

export const RECORD_TYPES = Object.keys(RECORD_PREFIXES) as RecordType[];

export function isRecordType(value: unknown): value is RecordType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RECORD_PREFIXES, value);
}

/** INC0000001: the prefix and 7 digits (more once a type passes 9 999 999). */
export function recordNumber(type: RecordType, seq: number): string {
  return `${RECORD_PREFIXES[type]}${String(seq).padStart(7, '0')}`;
}

/** A well-formed record number (prefix and at least 7 digits). */
export const RECORD_NUMBER = /^(INC|REQ|PRB|CHG|SLR|BCT|AUD|NC)[0-9]{7,}$/;

/** Longest accepted `itsm:recordState` and link kind. */
export const MAX_STATE_LENGTH = 64;

/** A state or link kind: letters, digits, spaces, `_` and `-`. */
export const STATE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 _-]*$/;

/** Final states: the record is closed (closed_at set). */
export const DEFAULT_END_STATE = 'closed';
export const CANCELLED_STATE = 'cancelled';
export const INITIAL_STATE = 'new';
export const RESOLVED_STATE = 'resolved';
