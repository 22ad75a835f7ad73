export { historyTimeToLiveOf, parseTimeToLive, removalCutoff } from './ttl';
export { ARCHIVE_FORMAT, verifyArchive, type ArchiveHeader, type ArchivedInstance, type ArchiveLine, type ArchiveVerdict } from './archive';
