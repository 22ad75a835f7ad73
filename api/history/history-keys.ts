import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import { HistoryKeyring, MIN_HISTORY_KEY_BYTES } from '../../engine';
import type { HistoryConfig } from '../config/config';

const logger = new Logger('history');

/**
 * The history keyring: HISTORY_KEY when set, else the key file (default `<DATA_DIR>/history.key`),
 * created on the first start with 32 random bytes and mode 0600. The key never enters the
 * database; several processes on one host share the file (created exclusively, so two processes
 * starting at once agree on one key). Servers on several hosts must all be given HISTORY_KEY.
 */
export function loadHistoryKeyring(config: HistoryConfig): HistoryKeyring {
  const current = config.key ?? readOrCreateKeyFile(config.keyFile);
  return new HistoryKeyring(current, config.previousKeys);
}

function readOrCreateKeyFile(path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    logger.warn({ msg: 'history key created: keep a copy of it outside the database (without it history can no longer be verified)', file: path });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the history key file ${path}: ${(error as Error).message}`);
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) logger.warn({ msg: 'the history key file is readable by other users: chmod 600 it', file: path, mode: mode.toString(8) });
  const key = readFileSync(path, 'utf8').trim();
  if (Buffer.byteLength(key) < MIN_HISTORY_KEY_BYTES) throw new Error(`the history key file ${path} holds fewer than ${MIN_HISTORY_KEY_BYTES} bytes`);
  return key;
}
