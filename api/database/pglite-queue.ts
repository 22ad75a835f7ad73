import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/**
 * PGlite's one session served over the PostgreSQL wire protocol to many connections (TypeORM's
 * and node-pg's pools, other server processes). Replaces @electric-sql/pglite-socket's server,
 * which runs every protocol message on its own (an await, a mutex and a socket write per Parse,
 * Bind, Describe, Execute and Sync: five of each for one parameterised statement), keeps a
 * connection's messages together only inside a SQL transaction (two connections' batches outside
 * one interleave and bind each other's unnamed statement) and leaves its queue stuck after an
 * internal error (https://github.com/electric-sql/pglite/issues/1046).
 *
 * Here a connection owns the session from its first message until its batch ends (Sync, a simple
 * Query) and, while a transaction is open, until the transaction ends; the others wait in arrival
 * order. The complete messages a connection has sent up to its batch's end run as one call into
 * PGlite (which runs a buffer of several messages as PostgreSQL's main loop would, skipping to the
 * Sync after an error), and their answers leave in one socket write.
 */
export class PgliteProtocolServer {
  private readonly connections = new Set<Connection>();
  /** Connections with complete messages to run, in arrival order. */
  private readonly waiting: Connection[] = [];
  /** The connection whose batch or transaction is open, or null. */
  private owner: Connection | null = null;
  private running = false;
  /** The connection whose messages are in PGlite now. */
  private current: Connection | null = null;
  private readonly dropping = new Set<Promise<void>>();
  private closed = false;
  private accepted = 0;
  private server: Server | null = null;

  constructor(
    private readonly db: PGlite,
    private readonly options: { maxConnections?: number } = {},
  ) {}

  /** Listens on `host`:`port` (0: any free port); resolves to the port. */
  async listen(host: string, port = 0): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    server.maxConnections = this.options.maxConnections ?? 64;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  /** Stops listening and drops every connection (their open transactions roll back). */
  async close(): Promise<void> {
    this.closed = true;
    for (const connection of this.connections) connection.socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    // the close events above run their clean-up; let it finish before the database closes
    while (this.dropping.size) await Promise.all(this.dropping);
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const connection: Connection = { socket, buffer: Buffer.alloc(0), started: false, ready: [], gone: false, queued: false, prefix: `c${++this.accepted}_`, statements: new Set() };
    this.connections.add(connection);
    socket.on('data', (data: Buffer) => {
      connection.buffer = connection.buffer.length ? Buffer.concat([connection.buffer, data]) : data;
      this.frame(connection);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      const dropped = this.drop(connection).finally(() => this.dropping.delete(dropped));
      this.dropping.add(dropped);
    });
  }

  /** Cuts the connection's buffer into complete messages; answers the pre-startup requests itself. */
  private frame(connection: Connection): void {
    let buffer = connection.buffer;
    let added = false;
    while (buffer.length >= 5) {
      if (!connection.started) {
        // untyped: SSLRequest / GSSENCRequest (answered "no"), CancelRequest (PGlite cannot cancel), StartupMessage
        if (buffer.length < 8) break;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) break;
        const code = buffer.readInt32BE(4);
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) connection.socket.write('N');
        else if (code === CANCEL_REQUEST) continue;
        else {
          connection.started = true;
          connection.ready.push({ bytes: message, endsBatch: true });
          added = true;
        }
        continue;
      }
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) break;
      const type = buffer[0];
      connection.ready.push({ bytes: ownStatementNames(connection, buffer.subarray(0, length)), endsBatch: type === SYNC || type === QUERY || type === TERMINATE });
      buffer = buffer.subarray(length);
      added = true;
      if (type === TERMINATE) {
        connection.socket.end();
        break;
      }
    }
    connection.buffer = buffer;
    if (added) {
      if (!connection.queued && connection !== this.owner) {
        connection.queued = true;
        this.waiting.push(connection);
      }
      void this.pump();
    }
  }

  /** Runs batches while one can run: the owner's, else the first waiting connection's. */
  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const connection = this.next();
        if (!connection) return;
        this.current = connection;
        try {
          await this.run(connection);
        } finally {
          this.current = null;
        }
      }
    } finally {
      this.running = false;
    }
  }

  private next(): Connection | null {
    if (this.owner) return this.owner.ready.length ? this.owner : null;
    while (this.waiting.length) {
      const connection = this.waiting.shift()!;
      connection.queued = false;
      if (!connection.gone && connection.ready.length) return connection;
    }
    return null;
  }

  /** One call into PGlite: the connection's complete messages up to the end of its batch. */
  private async run(connection: Connection): Promise<void> {
    const end = connection.ready.findIndex((m) => m.endsBatch);
    const taken = connection.ready.splice(0, end === -1 ? connection.ready.length : end + 1);
    const batchEnds = end !== -1;
    // a startup packet must run alone (PGlite reads it by its first byte)
    const messages = taken.filter((m) => m.bytes[0] !== TERMINATE);
    const socket = connection.socket;
    let failed = false;
    if (messages.length) {
      const input = messages.length === 1 ? messages[0].bytes : Buffer.concat(messages.map((m) => m.bytes));
      socket.cork();
      try {
        await this.db.runExclusive(() =>
          this.db.execProtocolRawStream(input, {
            onRawData: (data: Uint8Array) => {
              // a view into PGlite's memory: copied before the next call overwrites it
              if (!connection.gone && data.length) socket.write(Buffer.from(data));
            },
          }),
        );
      } catch {
        failed = true;
      } finally {
        socket.uncork();
      }
    }
    if (failed) {
      // not a SQL error (those are answered on the wire): the session may be mid-batch; the connection goes
      socket.destroy();
      await this.release(connection);
      return;
    }
    this.owner = batchEnds && !this.db.isInTransaction() ? null : connection;
    if (connection.ready.length && !this.owner && !connection.queued) {
      connection.queued = true;
      this.waiting.push(connection);
    }
  }

  /** The connection went away: what it left open in the session ends, and the others go on. */
  private async drop(connection: Connection): Promise<void> {
    if (connection.gone) return;
    connection.gone = true;
    connection.ready.length = 0;
    this.connections.delete(connection);
    // wait for a batch of this connection that is running now
    while (this.current === connection) await new Promise((r) => setImmediate(r));
    await this.release(connection);
  }

  private async release(connection: Connection): Promise<void> {
    connection.gone = true;
    connection.ready.length = 0;
    if (this.owner !== connection) {
      if (!connection.statements.size) return;
      // its prepared statements go with it: the session is taken between two batches, like a batch's
      while (this.owner !== null || this.current) await new Promise((r) => setImmediate(r));
      this.owner = connection;
    }
    try {
      // end an unfinished batch (and the skipping after an error), then the open transaction
      await this.db.runExclusive(() => this.db.execProtocolRawStream(SYNC_MESSAGE, { onRawData: () => undefined }));
      if (connection.statements.size) {
        const close = [...connection.statements].map((name) => closeStatement(name));
        await this.db.runExclusive(() => this.db.execProtocolRawStream(Buffer.concat([...close, SYNC_MESSAGE]), { onRawData: () => undefined }));
      }
      if (this.db.isInTransaction()) await this.db.runExclusive(() => this.db.execProtocolRawStream(ROLLBACK_MESSAGE, { onRawData: () => undefined }));
    } catch {
      /* the session is closing */
    }
    this.owner = null;
    void this.pump();
  }
}

interface Connection {
  socket: Socket;
  /** Received bytes not yet cut into messages. */
  buffer: Buffer;
  /** The startup message arrived (later messages are typed). */
  started: boolean;
  /** Complete messages not yet run. */
  ready: { bytes: Uint8Array; endsBatch: boolean }[];
  gone: boolean;
  /** In the waiting list. */
  queued: boolean;
  /** Prefix of this connection's prepared statement names in the shared session. */
  prefix: string;
  /** Its prepared statements (names as the session knows them). */
  statements: Set<string>;
}

const PARSE = 0x50; // 'P'
const BIND = 0x42; // 'B'
const DESCRIBE = 0x44; // 'D'
const CLOSE = 0x43; // 'C'
const STATEMENT = 0x53; // 'S' (Describe / Close of a statement)

/**
 * The message with the connection's prepared statement names prefixed by its own: every connection
 * shares PGlite's one session, so without this two connections preparing a statement of the same
 * name (node-pg names them per connection) would collide, or bind each other's. The unnamed
 * statement stays unnamed (the connection owns the session until its Sync).
 */
function ownStatementNames(connection: Connection, message: Buffer): Buffer {
  const type = message[0];
  let at: number; // where the statement name starts
  if (type === PARSE) at = 5;
  else if (type === BIND) at = message.indexOf(0, 5) + 1; // after the portal name
  else if ((type === DESCRIBE || type === CLOSE) && message[5] === STATEMENT) at = 6;
  else return message;
  const end = message.indexOf(0, at);
  if (end <= at) return message; // unnamed
  const name = connection.prefix + message.toString('latin1', at, end);
  if (type === PARSE) connection.statements.add(name);
  if (type === CLOSE) connection.statements.delete(name);
  const prefix = Buffer.from(connection.prefix, 'latin1');
  const out = Buffer.allocUnsafe(message.length + prefix.length);
  message.copy(out, 0, 0, at);
  prefix.copy(out, at);
  message.copy(out, at + prefix.length, at);
  out.writeInt32BE(out.length - 1, 1);
  return out;
}

function closeStatement(name: string): Buffer {
  const text = Buffer.from(`${name}\0`, 'latin1');
  const message = Buffer.alloc(6 + text.length);
  message[0] = CLOSE;
  message.writeInt32BE(5 + text.length, 1);
  message[5] = STATEMENT;
  text.copy(message, 6);
  return message;
}

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const SYNC_MESSAGE = new Uint8Array([SYNC, 0, 0, 0, 4]);
const ROLLBACK_MESSAGE = simpleQuery('ROLLBACK');

function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`);
  const message = Buffer.alloc(5 + text.length);
  message[0] = QUERY;
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}
