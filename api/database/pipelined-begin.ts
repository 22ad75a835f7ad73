import { Query, type QueryResult } from 'pg';
import type { QueryRunner } from 'typeorm';

/** The statement that opens the transaction (what TypeORM's startTransaction sends). */
export const BEGIN = 'START TRANSACTION';

/** The parts of node-pg's Connection this module writes to (pg/lib/connection.js). */
interface Wire {
  parse(query: { text: string; name?: string; types?: unknown[] }): void;
  bind(config: { portal?: string; statement?: string; values?: unknown[] }): void;
  execute(config: { portal?: string }): void;
  parsedStatements: Record<string, string>;
}

/** Query's protected members (pg/lib/query.js) this subclass builds on. */
interface QueryInternals {
  name?: string;
  prepare(connection: Wire): void;
  handleCommandComplete(msg: { text: string }, connection: Wire): void;
  handleError(error: Error, connection: Wire): void;
  callback?: (error: Error | null, result?: QueryResult) => void;
}

/**
 * One statement preceded by `START TRANSACTION` in the same write and the same Sync (extended
 * protocol: Parse/Bind/Execute of BEGIN, then the statement's own messages, then one Sync): the
 * transaction opens in the statement's round trip instead of one of its own. The answer is the
 * statement's alone. Should the statement fail, the transaction is open (and aborted): the caller
 * rolls back, as after any failed statement of a transaction. A thenable, so that TypeORM's
 * `await client.query(...)` (node-pg answers a submittable itself) reads its result.
 */
export class BeginThenQuery extends Query {
  /** Marks the statement as opening the transaction (statement counters show it as BEGIN + the statement). */
  readonly beginsTransaction = true;
  private begun = false;
  private parsedBefore = true;
  private readonly done: Promise<QueryResult>;

  constructor(config: { text: string; name?: string; values?: unknown[] }) {
    super({ text: config.text, ...(config.name ? { name: config.name } : {}), values: config.values ?? [], queryMode: 'extended' } as ConstructorParameters<typeof Query>[0]);
    this.done = new Promise<QueryResult>((resolve, reject) => {
      (this as unknown as QueryInternals).callback = (error, result) => (error ? reject(error) : resolve(result!));
    });
  }

  then<A = QueryResult, B = never>(onFulfilled?: ((value: QueryResult) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.done.then(onFulfilled, onRejected);
  }

  /** Called by Query.submit with the socket corked: BEGIN's messages go out with the statement's. */
  prepare(connection: Wire): void {
    const name = (this as unknown as QueryInternals).name;
    this.parsedBefore = !name || connection.parsedStatements[name] !== undefined;
    connection.parse({ text: BEGIN, types: [] });
    connection.bind({});
    connection.execute({});
    (Query.prototype as unknown as QueryInternals).prepare.call(this, connection);
  }

  /** BEGIN's CommandComplete is not part of the answer. */
  handleCommandComplete(msg: { text: string }, connection: Wire): void {
    if (!this.begun) {
      this.begun = true;
      return;
    }
    (Query.prototype as unknown as QueryInternals).handleCommandComplete.call(this, msg, connection);
  }

  /**
   * node-pg records a named statement as parsed on the first ParseComplete of its query, which
   * here is BEGIN's: when the statement's own Parse then failed, that record is undone (else the
   * connection would bind a statement that does not exist).
   */
  handleError(error: Error, connection: Wire): void {
    const name = (this as unknown as QueryInternals).name;
    if (name && !this.parsedBefore && connection) delete connection.parsedStatements[name];
    (Query.prototype as unknown as QueryInternals).handleError.call(this, error, connection);
  }
}

/**
 * Runs `text` on `raw` (a connected QueryRunner holding no transaction) as the statement that opens
 * the transaction: BEGIN travels with it (BeginThenQuery) when it has parameters; a statement without
 * parameters (which may be several statements in one text) is preceded by a BEGIN of its own.
 */
export async function queryOpeningTransaction(raw: QueryRunner, text: string, params?: unknown[], structured?: boolean): ReturnType<QueryRunner['query']> {
  if (!params?.length) {
    await raw.query(BEGIN);
    return raw.query(text, params, structured as true);
  }
  // Counted like the BEGIN it carries (TypeORM logs the statement itself).
  raw.connection.logger.logQuery(BEGIN, [], raw);
  const { name } = text as unknown as { name?: unknown };
  const pipelined = new BeginThenQuery({ text: String(text), ...(typeof name === 'string' ? { name } : {}), values: params });
  return raw.query(pipelined as unknown as string, params, structured as true);
}

/**
 * A transaction on `raw` (a connected QueryRunner holding no transaction) whose BEGIN travels
 * with its first statement ({@link queryOpeningTransaction}), saving a round trip per command.
 * Commit and rollback go through `raw` as plain statements; TypeORM's own transaction methods are
 * not used on it.
 */
export class PipelinedTransaction {
  private began = false;
  readonly runner: QueryRunner;

  constructor(private readonly raw: QueryRunner) {
    const query = async (text: string, params?: unknown[], structured?: boolean) => {
      if (this.began) return raw.query(text, params, structured as true);
      this.began = true;
      return queryOpeningTransaction(raw, text, params, structured);
    };
    this.runner = new Proxy(raw, { get: (target, prop) => (prop === 'query' ? query : Reflect.get(target, prop, target)) });
  }

  /** Whether BEGIN was sent (alone or with a statement). */
  get open(): boolean {
    return this.began;
  }

  async commit(): Promise<void> {
    if (this.began) await this.raw.query('COMMIT');
    this.began = false;
  }

  async rollback(): Promise<void> {
    if (this.began) await this.raw.query('ROLLBACK');
    this.began = false;
  }
}
