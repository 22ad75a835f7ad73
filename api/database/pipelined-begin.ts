import { Query, type QueryResult } from 'pg';
import type { QueryRunner } from 'typeorm';

/** The statement that opens the transaction (what TypeORM's startTransaction sends). */
export const BEGIN = 'START TRANSACTION';

/** The parts of node-pg's Connection this module writes to (pg/lib/connection.js). */
interface Wire {
  parse(query: { text: string; name?: string; types?: unknown[] }): void;
  bind(config: { portal?: string; statement?: string; values?: unknown[] }): void;
  execute(config: { portal?: string; rows?: number }): void;
  sync(): void;
  parsedStatements: Record<string, string>;
  on(event: 'parseComplete', listener: () => void): unknown;
  off(event: 'parseComplete', listener: () => void): unknown;
}

/** Query's protected members (pg/lib/query.js) this subclass builds on. */
interface QueryInternals {
  name?: string;
  prepare(connection: Wire): void;
  _getRows(connection: Wire, rows?: number): void;
  handleCommandComplete(msg: { text: string }, connection: Wire): void;
  handleDataRow(msg: unknown): void;
  handleError(error: Error, connection: Wire): void;
  handleReadyForQuery(connection: Wire): void;
  callback?: (error: Error | null, result?: QueryResult) => void;
}

/** The statement that ends the transaction when it travels with the command's last statement. */
export const COMMIT = 'COMMIT';

/**
 * A statement that runs before another in its round trip (unnamed, its parameters as text, its
 * answer not read): a lock to wait for, say, which then costs no round trip of its own. Should it
 * fail, the statement after it does not run.
 */
export interface Prelude {
  text: string;
  values: (string | null)[];
}

/**
 * One statement with `START TRANSACTION` before it (`begin`), {@link Prelude} statements before it
 * (`before`) and/or `COMMIT` after it (`commit`) in the same write and the same Sync (extended
 * protocol: Parse/Bind/Execute of BEGIN, of each prelude, the statement's own messages,
 * Parse/Bind/Execute of COMMIT, then one Sync): the transaction opens, or ends, in the statement's
 * round trip instead of one of its own. The answer is the statement's alone. Should a prelude or the
 * statement fail, PostgreSQL skips the rest up to the Sync: the COMMIT does not run, the transaction
 * is open (and aborted), and the caller rolls back, as after any failed statement of a transaction.
 * A thenable, so that TypeORM's `await client.query(...)` (node-pg answers a submittable itself)
 * reads its result.
 */
export class PipelinedQuery extends Query {
  /** Marks the statement as opening the transaction (statement counters show it as BEGIN + the statement). */
  readonly beginsTransaction: boolean;
  /** Marks the statement as ending it (statement counters show it as the statement + COMMIT). */
  readonly endsTransaction: boolean;
  /** Statements sent before this one, after BEGIN. */
  readonly before: readonly Prelude[];
  /** CommandComplete messages seen: BEGIN's (if any), the preludes', the statement's, COMMIT's (if any). */
  private completed = 0;
  private parsedBefore = true;
  /** ParseComplete messages of this query so far (BEGIN's, the preludes', the statement's, COMMIT's), while its name was not parsed before. */
  private parses = 0;
  private countParses: (() => void) | null = null;
  private wire: Wire | null = null;
  private readonly done: Promise<QueryResult>;

  constructor(config: { text: string; name?: string; values?: unknown[]; begin?: boolean; commit?: boolean; before?: readonly Prelude[] }) {
    super({ text: config.text, ...(config.name ? { name: config.name } : {}), values: config.values ?? [], queryMode: 'extended' } as ConstructorParameters<typeof Query>[0]);
    this.beginsTransaction = config.begin ?? true;
    this.endsTransaction = config.commit ?? false;
    this.before = config.before ?? [];
    this.done = new Promise<QueryResult>((resolve, reject) => {
      (this as unknown as QueryInternals).callback = (error, result) => (error ? reject(error) : resolve(result!));
    });
  }

  then<A = QueryResult, B = never>(onFulfilled?: ((value: QueryResult) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.done.then(onFulfilled, onRejected);
  }

  /** Called by Query.submit with the socket corked: BEGIN's and the preludes' messages go out with the statement's. */
  prepare(connection: Wire): void {
    const name = (this as unknown as QueryInternals).name;
    this.parsedBefore = !name || connection.parsedStatements[name] !== undefined;
    if (!this.parsedBefore) {
      this.wire = connection;
      this.countParses = () => void this.parses++;
      connection.on('parseComplete', this.countParses);
    }
    if (this.beginsTransaction) sendUnnamed(connection, BEGIN);
    for (const prelude of this.before) sendUnnamed(connection, prelude.text, prelude.values);
    (Query.prototype as unknown as QueryInternals).prepare.call(this, connection);
  }

  /** Called by Query.prepare after the statement's Bind and Describe: its Execute, then COMMIT's messages, then the Sync. */
  _getRows(connection: Wire, rows?: number): void {
    if (!this.endsTransaction || rows) {
      (Query.prototype as unknown as QueryInternals)._getRows.call(this, connection, rows);
      return;
    }
    connection.execute({ portal: (this as unknown as { portal: string }).portal });
    sendUnnamed(connection, COMMIT);
    connection.sync();
  }

  /** Messages of this query before the statement's own: BEGIN's (if any) and the preludes'. */
  private get leading(): number {
    return (this.beginsTransaction ? 1 : 0) + this.before.length;
  }

  /** A prelude's rows (sent without a Describe, so without their RowDescription) are not the answer's. */
  handleDataRow(msg: unknown): void {
    if (this.completed < this.leading) return;
    (Query.prototype as unknown as QueryInternals).handleDataRow.call(this, msg);
  }

  /** Only the statement's CommandComplete is part of the answer (not BEGIN's, the preludes', COMMIT's). */
  handleCommandComplete(msg: { text: string }, connection: Wire): void {
    const index = this.completed++;
    if (index !== this.leading) return;
    (Query.prototype as unknown as QueryInternals).handleCommandComplete.call(this, msg, connection);
  }

  /**
   * node-pg records a named statement as parsed on the first ParseComplete of its query, which
   * here may be BEGIN's or a prelude's: when the statement's own Parse then failed, that record is undone (else the
   * connection would bind a statement that does not exist). When the statement parsed and failed
   * later (as it ran), the session keeps it (a prepared statement outlives its transaction), and so
   * does the record (else the next use would parse it again: "already exists").
   */
  handleError(error: Error, connection: Wire): void {
    const name = (this as unknown as QueryInternals).name;
    const statementParsed = this.parses >= this.leading + 1;
    this.stopCounting();
    if (name && !this.parsedBefore && !statementParsed && connection) delete connection.parsedStatements[name];
    (Query.prototype as unknown as QueryInternals).handleError.call(this, error, connection);
  }

  handleReadyForQuery(connection: Wire): void {
    this.stopCounting();
    (Query.prototype as unknown as QueryInternals).handleReadyForQuery.call(this, connection);
  }

  private stopCounting(): void {
    if (this.countParses) this.wire?.off('parseComplete', this.countParses);
    this.countParses = null;
    this.wire = null;
  }
}

/** Parse, Bind and Execute of an unnamed statement (BEGIN, COMMIT, a prelude), its parameters as text. */
function sendUnnamed(connection: Wire, text: string, values: readonly (string | null)[] = []): void {
  connection.parse({ text, types: [] });
  connection.bind(values.length ? { values: [...values] } : {});
  connection.execute({});
}

/**
 * Runs `text` on `raw` (a connected QueryRunner holding no transaction) as the statement that opens
 * the transaction: BEGIN travels with it (PipelinedQuery) when it has parameters; a statement without
 * parameters (which may be several statements in one text) is preceded by a BEGIN of its own.
 */
export async function queryOpeningTransaction(raw: QueryRunner, text: string, params?: unknown[], structured?: boolean): ReturnType<QueryRunner['query']> {
  if (!params?.length) {
    await raw.query(BEGIN);
    return raw.query(text, params, structured as true);
  }
  return raw.query(pipelined(raw, text, params, { begin: true }) as unknown as string, params, structured as true);
}

/** `text` as a {@link PipelinedQuery}, logged like the BEGIN, preludes and COMMIT it carries (TypeORM logs the statement itself). */
function pipelined(raw: QueryRunner, text: string, params: unknown[], options: { begin?: boolean; commit?: boolean; before?: readonly Prelude[] }): PipelinedQuery {
  const { begin = false, commit = false, before = [] } = options;
  if (begin) raw.connection.logger.logQuery(BEGIN, [], raw);
  for (const prelude of before) raw.connection.logger.logQuery(prelude.text, prelude.values, raw);
  if (commit) raw.connection.logger.logQuery(COMMIT, [], raw);
  const { name } = text as unknown as { name?: unknown };
  return new PipelinedQuery({ text: String(text), ...(typeof name === 'string' ? { name } : {}), values: params, begin, commit, before });
}

/**
 * A transaction on `raw` (a connected QueryRunner holding no transaction) whose BEGIN travels
 * with its first statement that needs a transaction (`opens`; every statement by default), and
 * whose COMMIT may travel with its last one ({@link send}): a round trip less for each.
 * Commit and rollback go through `raw` as plain statements; TypeORM's own transaction methods are
 * not used on it.
 */
export class PipelinedTransaction {
  private began = false;
  readonly runner: QueryRunner;

  constructor(
    private readonly raw: QueryRunner,
    opens: (text: string) => boolean = () => true,
  ) {
    const query = async (text: string, params?: unknown[], structured?: boolean) => {
      if (this.began || !opens(String(text))) return raw.query(text, params, structured as true);
      this.began = true;
      return queryOpeningTransaction(raw, text, params, structured);
    };
    this.runner = new Proxy(raw, { get: (target, prop) => (prop === 'query' ? query : Reflect.get(target, prop, target)) });
  }

  /** Whether BEGIN was sent (alone or with a statement). */
  get open(): boolean {
    return this.began;
  }

  /**
   * Runs `text` (with parameters) in the transaction, opening it if no statement did, with the
   * {@link Prelude} statements `before` it and, when `commit`, COMMIT after it, all in one round trip;
   * answers its rows. Once a `commit` send answers, the transaction has committed ({@link commit} has
   * nothing left to do). Should it fail, nothing committed and the transaction is open and aborted:
   * {@link rollback} ends it.
   */
  async send(text: string, params: unknown[], options: { before?: readonly Prelude[]; commit?: boolean }): Promise<Record<string, unknown>[]> {
    const begin = !this.began;
    this.began = true;
    const query = pipelined(this.raw, text, params, { begin, commit: options.commit, before: options.before });
    const rows = (await this.raw.query(query as unknown as string, params)) as Record<string, unknown>[];
    if (options.commit) this.began = false;
    return rows;
  }

  async commit(): Promise<void> {
    if (this.began) await this.raw.query(COMMIT);
    this.began = false;
  }

  async rollback(): Promise<void> {
    if (this.began) await this.raw.query('ROLLBACK');
    this.began = false;
  }
}
