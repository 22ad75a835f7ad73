import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * The order in which PGlite's one session runs the protocol messages of the socket server's
 * connections. Replaces pglite-socket's own queue (0.2.x), which keeps a connection's messages
 * together only inside a SQL transaction: two connections' extended-protocol batches
 * (Parse/Bind/Execute/Sync) outside a transaction interleave and bind each other's unnamed
 * statement ("bind message supplies 3 parameters, but prepared statement requires 1", or wrong
 * rows), and an internal error leaves that queue stuck for good
 * (https://github.com/electric-sql/pglite/issues/1046).
 *
 * Here a connection owns the session from its first message until the batch ends (Sync, or a
 * simple Query) and, while a transaction is open, until it ends; other connections wait. A
 * failing message fails only its own caller.
 */
export class PgliteProtocolQueue {
  private readonly queue: Item[] = [];
  private processing = false;
  /** The connection whose batch or transaction is open, or null. */
  private owner: number | null = null;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.processQueue();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].handlerId !== handlerId) continue;
      this.queue[i].reject(new Error('Handler disconnected'));
      this.queue.splice(i, 1);
    }
  }

  /** A connection went away: roll back what it left open and let the others in. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.runExclusive(() => this.db.exec('ROLLBACK')).catch(() => undefined);
    this.owner = null;
    void this.processQueue();
  }

  private async processQueue(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length) {
        const index = this.owner === null ? 0 : this.queue.findIndex((item) => item.handlerId === this.owner);
        if (index === -1) return; // the owner's next message has not arrived yet
        const [item] = this.queue.splice(index, 1);
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          this.owner = this.db.isInTransaction() ? item.handlerId : null;
          item.reject(error);
          continue;
        }
        this.owner = endsBatch(item.message) && !this.db.isInTransaction() ? null : item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  }
}

interface Item {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
}

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'
const PROTOCOL_3 = 196608;

/** After this message the session holds no state of the connection's batch. */
function endsBatch(message: Uint8Array): boolean {
  if (message.length >= 8 && new DataView(message.buffer, message.byteOffset, message.byteLength).getInt32(4) === PROTOCOL_3) return true; // startup
  const type = message[0];
  return type === SYNC || type === QUERY || type === TERMINATE;
}

/** Installs the queue on a socket server before it accepts connections. */
export function withProtocolQueue(server: PGLiteSocketServer, db: PGlite): PGLiteSocketServer {
  (server as unknown as { queryQueue: PgliteProtocolQueue }).queryQueue = new PgliteProtocolQueue(db);
  return server;
}
