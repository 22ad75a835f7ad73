import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PgliteProtocolServer } from './pglite-queue';

/**
 * PostgreSQL embedded in the server process: PGlite with its data in a directory, served over
 * the PostgreSQL wire protocol on a loopback port so TypeORM and `pg` run exactly the code and
 * SQL they run against a real server. PGlite is single-session; the protocol server multiplexes
 * connections, keeping each protocol batch and each transaction together (PgliteProtocolServer).
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PgliteProtocolServer,
    readonly url: string,
  ) {}

  static async start(dataDir: string, port = 0): Promise<EmbeddedPostgres> {
    mkdirSync(dataDir, { recursive: true });
    const db = await PGlite.create(dataDir);
    const server = new PgliteProtocolServer(db, { maxConnections: 64 });
    const address = await server.listen('127.0.0.1', port);
    return new EmbeddedPostgres(db, server, `postgres://postgres:postgres@127.0.0.1:${address}/postgres`);
  }

  async stop(): Promise<void> {
    await this.server.close();
    await this.db.close();
  }
}
