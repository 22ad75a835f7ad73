export { RecordKeeper, recordSpec, RECORD_VARIABLES, type RecordSpec } from './records';
export { linkRecordHandler } from './link-record.handler';
export { RECORD_PREFIXES, RECORD_TYPES, RECORD_NUMBER, isRecordType, recordNumber, type RecordType } from './types';
export type { RecordStore, RecordRow, NewRecord, RecordPatch, NewRecordLink } from './ports';
