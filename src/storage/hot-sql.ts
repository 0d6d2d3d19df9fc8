import { AsyncLocalStorage } from 'node:async_hooks';
import { close as closeFd, fdatasync, open as openFd } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import type { Pool } from 'pg';
import type { StatementCounter } from './instrument';
import type { Provider } from './schema-engine';

/**
 * The few statements every turn runs (record, take the next message, bot state, the end-of-turn
 * writes), in plain SQL through the same driver the Prisma adapter uses: the same better-sqlite3
 * connection or the same pg pool. Measured on this machine, Prisma's query compiler and result
 * mapping cost more CPU than SQLite itself for such one-row statements (see the README); the rest
 * of the application keeps using Prisma.
 *
 * SQL is written once with `?` placeholders and double-quoted identifiers, which both databases
 * accept; PostgreSQL gets `$1…$n`. Dates are passed as Prisma stores them: ISO text with `+00:00`
 * on SQLite, UTC `timestamp(3)` on PostgreSQL.
 */
export interface SqlStatement {
  sql: string;
  args: unknown[];
}

/**
 * A statement of a transaction. `onNone`: the statement must change a row, or the transaction
 * rolls back with this error; PostgreSQL checks that in SQL, so the COMMIT goes out with the
 * writes (one round trip). `check` sees the rows it changed and may throw to roll everything back,
 * for any other rule; on PostgreSQL a transaction with one takes a second round trip.
 */
export interface SqlWrite extends SqlStatement {
  onNone?: () => Error;
  check?: (changes: number) => void;
}

/** `write`'s own rules, once the rows it changed are known (SQLite, and writes outside a transaction). */
export function checkWrite(write: SqlWrite, changed: number): void {
  if (changed === 0 && write.onNone) throw write.onNone();
  write.check?.(changed);
}

export interface HotSql {
  readonly provider: Provider;
  /**
   * Rows of one statement (a SELECT, or a write with RETURNING). `durable`: committed to disk
   * before it returns even where commits are not by default (SQLite's WAL at `synchronous =
   * NORMAL` survives a crash of the process, not a power cut): for what is acknowledged at once.
   */
  all<T extends Record<string, unknown>>(sql: string, args: unknown[], options?: { durable?: boolean }): Promise<T[]>;
  /** Runs `work` (Prisma's transactions included) with every commit on this connection durable, as `all`'s `durable`. */
  durably<T>(work: () => Promise<T>): Promise<T>;
  /** Rows changed by one statement. */
  run(sql: string, args: unknown[]): Promise<number>;
  /**
   * The writes in one transaction; rows changed by each. On PostgreSQL it is durable when
   * committed (one WAL flush) unless `rebuildable`: writes that can be rebuilt from a durable
   * record (a turn's, from its message) commit without waiting for the flush, so a crash of the
   * database server may lose the last of them (the turn then runs again), never a crash of the app.
   * On SQLite a transaction's commit always survives a crash of the process only (see `all`'s `durable`).
   */
  transaction(writes: SqlWrite[], options?: { rebuildable?: boolean }): Promise<number[]>;
  /** Lets go of what it holds beside the connection (SQLite: the WAL file it syncs). */
  close?(): Promise<void>;
}

const registry = new WeakMap<object, HotSql>();

/** Remembers the plain-SQL access that goes with a Prisma client (set by `openDatabase`). */
export function registerHotSql(prisma: object, sql: HotSql): void {
  registry.set(prisma, sql);
}

/** The plain-SQL access of a client opened by `openDatabase`; undefined for any other client (Prisma is used then). */
export function hotSqlOf(prisma: object): HotSql | undefined {
  return registry.get(prisma);
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * SQLite: statements prepared once and kept. A transaction runs synchronously (BEGIN … COMMIT in
 * one tick), so nothing else on the shared connection can slip into it; while Prisma has a
 * transaction open on that connection, these statements wait for it rather than join it.
 */
export function sqliteHotSql(db: () => BetterSqlite3.Database, counter: StatementCounter, options: { syncFile?: () => Promise<void> } = {}): HotSql {
  const cache = new Map<string, BetterSqlite3.Statement>();
  let cachedFor: BetterSqlite3.Database | undefined;
  const prepared = (sql: string): BetterSqlite3.Statement => {
    const connection = db();
    if (connection !== cachedFor) {
      cache.clear();
      cachedFor = connection;
    }
    let stmt = cache.get(sql);
    if (!stmt) {
      // The class's own prepare: the adapter's `prepare` on this connection is wrapped (see cachePreparedStatements).
      stmt = (Object.getPrototypeOf(connection) as BetterSqlite3.Database).prepare.call(connection, sql);
      if (stmt.reader) stmt.safeIntegers(false);
      cache.set(sql, stmt);
    }
    return stmt;
  };
  const args = (values: unknown[]) => values.map((v) => (v instanceof Date ? v.toISOString().replace('Z', '+00:00') : typeof v === 'boolean' ? (v ? 1 : 0) : v));
  // Each statement first lets the event loop turn: better-sqlite3 answers synchronously, so a
  // chain of statements would otherwise never let a webhook be accepted or acknowledged.
  const free = async () => {
    await pause();
    for (;;) {
      await counter.transactionsClosed();
      if (!db().inTransaction) return;
      // A transaction not opened through Prisma's adapter (none today): look again shortly.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  // Durable commits without holding the loop: the commit itself runs at `synchronous = NORMAL`
  // (better-sqlite3 builds SQLite with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1), which writes the WAL
  // frames but does not sync them; then the WAL file is synced on libuv's thread pool, and the
  // commits that waited meanwhile share one sync (group commit). A checkpoint never loses them: at
  // NORMAL it syncs the WAL before copying it and the database after. Measured: the commit at FULL
  // held the loop 0.46 ms per message, an fsync in the middle of every turn (see the README).
  const wal = walSyncer(db);
  const synced = groupSync(options.syncFile ?? wal.sync);
  return {
    provider: 'sqlite',
    async all<T>(sql: string, values: unknown[], options?: { durable?: boolean }) {
      await free();
      counter.note(sql);
      const rows = prepared(sql).all(...args(values)) as T[];
      // Also when it changed nothing (a platform's retry): what it found may not be synced yet.
      if (options?.durable) await synced();
      return rows;
    },
    async durably(work) {
      const result = await work();
      await synced();
      return result;
    },
    close: () => wal.close(),
    async run(sql, values) {
      await free();
      counter.note(sql);
      return prepared(sql).run(...args(values)).changes;
    },
    async transaction(writes) {
      await free();
      const connection = db();
      counter.note('BEGIN IMMEDIATE');
      prepared('BEGIN IMMEDIATE').run();
      try {
        const changes = writes.map((write) => {
          counter.note(write.sql);
          const changed = prepared(write.sql).run(...args(write.args)).changes;
          checkWrite(write, changed);
          return changed;
        });
        counter.note('COMMIT');
        prepared('COMMIT').run();
        return changes;
      } catch (error) {
        if (connection.inTransaction) {
          counter.note('ROLLBACK');
          prepared('ROLLBACK').run();
        }
        throw error;
      }
    },
  };
}

/**
 * Group commit: `sync()` resolves once a sync that started after the call has finished, so every
 * commit written before the call is on disk. Calls made while a sync runs share the next one.
 */
export function groupSync(syncOnce: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const sync: Promise<void> = syncOnce().finally(() => {
      if (running === sync) running = undefined;
    });
    running = sync;
    return sync;
  };
  return () => {
    if (!running) return start();
    // The sync under way may have started before this caller's commit was written.
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
}

/**
 * Syncs a SQLite connection's WAL file (its data and size) on the thread pool; `close` lets the
 * file go. Where there is no WAL (a database in memory, or not in WAL mode, whose commits at
 * NORMAL sync anyway), nothing. The file stays open between syncs (one trip to the thread pool
 * per sync) for as long as the connection is the same: SQLite deletes the WAL only when its last
 * connection closes, and takes no POSIX locks on it, so this descriptor releases none of SQLite's.
 */
export function walSyncer(db: () => BetterSqlite3.Database): { sync: () => Promise<void>; close: () => Promise<void> } {
  let held: { connection: BetterSqlite3.Database; fd: Promise<number | undefined>; syncing: Set<Promise<void>> } | undefined;
  const releasing = new Set<Promise<void>>();
  const release = (old: typeof held) => {
    const done = (async () => {
      const fd = await old?.fd.catch(() => undefined);
      if (fd === undefined) return;
      // Not while a sync runs on it: a descriptor closed (and its number reused) under a sync would sync another file.
      await Promise.all([...old!.syncing]);
      await new Promise<void>((resolve) => closeFd(fd, () => resolve()));
    })();
    releasing.add(done);
    void done.finally(() => releasing.delete(done));
    return done;
  };
  return {
    async sync() {
      const connection = db();
      if (connection.memory || !connection.name) return;
      if (held?.connection !== connection) {
        void release(held);
        held = {
          connection,
          fd: new Promise<number | undefined>((resolve, reject) =>
            openFd(`${connection.name}-wal`, 'r+', (error, fd) => (error ? (error.code === 'ENOENT' ? resolve(undefined) : reject(error)) : resolve(fd))),
          ),
          syncing: new Set(),
        };
      }
      const mine = held;
      // Counted from now, so that a release waits for this sync even before it has its descriptor.
      let finished!: () => void;
      const syncing = new Promise<void>((resolve) => (finished = resolve));
      mine.syncing.add(syncing);
      try {
        const fd = await mine.fd.catch((error: Error) => {
          if (held === mine) held = undefined;
          throw error;
        });
        if (fd === undefined) {
          // No WAL (yet): look again next time.
          if (held === mine) held = undefined;
          return;
        }
        await new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
      } finally {
        mine.syncing.delete(syncing);
        finished();
      }
    },
    async close() {
      const old = held;
      held = undefined;
      void release(old);
      await Promise.all(releasing);
    },
  };
}

/** `?` → `$n`, outside quoted identifiers (the SQL here has no string literals with `?`). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** OID of `timestamp without time zone`, the type Prisma gives DateTime columns. */
const TIMESTAMP_OID = 1114;
/** Such a value as the UTC instant Prisma wrote ("2026-12-02 15:04:05.678"). */
const utcTimestamp = (value: string) => new Date(`${value.replace(' ', 'T')}Z`);

/**
 * `named: false` sends every statement unnamed (parsed and planned each time): for a pooler in
 * transaction mode (PgBouncer before 1.21), which cannot keep a named statement on one server
 * connection. `openDatabase` chooses it for a URL with `pgbouncer=true`, as Prisma does.
 */
export function postgresHotSql(pool: Pool, counter: StatementCounter, pgTypes: typeof import('pg').types, options: { named?: boolean } = {}): HotSql {
  const useNames = options.named ?? true;
  // Prisma keeps UTC in timestamp(3) without a zone; pg would read it in the process's time zone.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === TIMESTAMP_OID && format !== 'binary' ? utcTimestamp : pgTypes.getTypeParser(oid, format as 'text')) as typeof pgTypes.getTypeParser,
  };
  // Each statement is prepared once per connection under its own name: PostgreSQL parses and
  // plans it the first time only (the statements are few and fixed, see the README).
  // A table changed under a prepared statement (another instance migrated the database during a
  // rolling deploy) makes PostgreSQL refuse it for good on that connection ("cached plan must not
  // change result type"): then every statement gets a new name, prepared afresh where it is used
  // next, and the refused call runs once more.
  const named = new Map<string, { index: number; text: string }>();
  let generation = 0;
  const statement = (sql: string) => {
    let s = named.get(sql);
    if (s === undefined) named.set(sql, (s = { index: named.size + 1, text: numbered(sql) }));
    return useNames ? { name: `hot_${s.index}_${generation}`, text: s.text } : { text: s.text };
  };
  const reprepared = async <T>(run: () => Promise<T>): Promise<T> => {
    const seen = generation;
    try {
      return await run();
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      if (generation === seen) generation++;
      return run();
    }
  };
  // timestamp(3) without time zone holds UTC, as Prisma writes it.
  const args = (values: unknown[]) => values.map((v) => (v instanceof Date ? v.toISOString().slice(0, -1) : v));
  return {
    provider: 'postgresql',
    // PostgreSQL commits durably (synchronous_commit): `durable` changes nothing here.
    all<T>(sql: string, values: unknown[]) {
      counter.note(sql);
      return reprepared(async () => (await pool.query({ ...statement(sql), values: args(values), types })).rows as T[]);
    },
    durably: (work) => work(),
    run(sql, values) {
      counter.note(sql);
      return reprepared(async () => (await pool.query({ ...statement(sql), values: args(values) })).rowCount ?? 0);
    },
    // Rolled back when refused, so running it again is safe.
    transaction: (writes, options) => reprepared(() => pipelinedTransaction(writes, options?.rebuildable === true)),
  };

  /**
   * The pool's clients pipeline (`pipeline: true`): BEGIN, every write and COMMIT go out in one
   * write to the socket and are answered together, one round trip. A write that must change a row
   * (`onNone`) proves it in SQL (`mustChange`): when it changed none it fails, the transaction is
   * aborted, the writes after it are refused and PostgreSQL answers the COMMIT with a ROLLBACK.
   * Only a write with a `check`, a rule that needs the rows counted here first, makes it two:
   * BEGIN and the writes, the checks, then COMMIT or ROLLBACK.
   */
  async function pipelinedTransaction(writes: SqlWrite[], rebuildable: boolean): Promise<number[]> {
    const commitWithWrites = !writes.some((write) => write.check);
    const client = await pool.connect();
    let broken: Error | undefined;
    const end = async (command: 'COMMIT' | 'ROLLBACK') => {
      counter.note(command);
      // A COMMIT that fails leaves the connection in a state nobody knows: the pool drops it.
      return client.query(command).catch((error: Error) => {
        broken = error;
        throw error;
      });
    };
    try {
      const stream = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
      stream?.cork?.();
      let sent: Promise<{ rowCount: number | null; rows: Record<string, unknown>[]; command: string }>[];
      try {
        counter.note('BEGIN');
        sent = [client.query('BEGIN')];
        if (rebuildable) {
          counter.note(ASYNC_COMMIT);
          sent.push(client.query(ASYNC_COMMIT));
        }
        for (const write of writes) {
          counter.note(write.sql);
          const sql = commitWithWrites && write.onNone ? mustChange(write.sql) : write.sql;
          sent.push(client.query({ ...statement(sql), values: args(write.args) }));
        }
        if (commitWithWrites) sent.push(end('COMMIT'));
      } finally {
        stream?.uncork?.();
      }
      const answers = await Promise.allSettled(sent);
      // The first refusal is the cause; the writes after it only report the aborted transaction.
      const head = rebuildable ? 2 : 1;
      const refused = answers.findIndex((answer, i) => answer.status === 'rejected' && i < head + writes.length);
      let failure: unknown;
      if (refused >= 0) {
        const reason = (answers[refused] as PromiseRejectedResult).reason as { code?: string };
        const write = writes[refused - head];
        failure = commitWithWrites && write?.onNone && reason?.code === DIVISION_BY_ZERO ? write.onNone() : reason;
      }
      const changes: number[] = [];
      if (failure === undefined) {
        try {
          writes.forEach((write, i) => {
            const answer = (answers[i + head] as PromiseFulfilledResult<{ rowCount: number | null; rows: Record<string, unknown>[] }>).value;
            const changed = commitWithWrites && write.onNone ? Number(answer.rows[0]?.n ?? 0) : (answer.rowCount ?? 0);
            checkWrite(write, changed);
            changes.push(changed);
          });
        } catch (error) {
          failure = error;
        }
      }
      if (commitWithWrites) {
        const commit = answers[answers.length - 1];
        if (failure !== undefined) throw failure;
        if (commit.status === 'rejected') throw commit.reason;
        if (commit.value.command !== 'COMMIT') throw new Error(`the transaction ended with ${commit.value.command}`);
        return changes;
      }
      if (failure !== undefined) {
        await end('ROLLBACK').catch(() => undefined);
        throw failure;
      }
      await end('COMMIT');
      return changes;
    } finally {
      client.release(broken);
    }
  }
}

/** A rebuildable transaction's commit does not wait for the WAL flush (this transaction only). */
const ASYNC_COMMIT = 'SET LOCAL synchronous_commit TO OFF';

/** SQLSTATE of `1 / 0`: how a write wrapped by `mustChange` says it changed nothing. */
const DIVISION_BY_ZERO = '22012';

/**
 * A write (INSERT, UPDATE or DELETE without RETURNING) that fails when it changes no row, and
 * answers the rows it changed as "n". count(*) is not a constant, so the division is not folded
 * when the statement is planned: it runs, and fails, only when there was no row.
 */
function mustChange(sql: string): string {
  return `WITH "changed" AS (${sql} RETURNING 1) SELECT count(*) AS "n", 1 / count(*) AS "ok" FROM "changed"`;
}

/** PostgreSQL's refusal of a prepared statement whose table changed since it was prepared. */
function isStalePlan(error: unknown): boolean {
  return (error as { code?: string }).code === '0A000' && /cached plan must not change result type/.test(String((error as Error).message));
}

/**
 * Something about a conversation that most of its turns ask at once (e.g. whether an agent holds
 * it), read by the statement that takes the conversation's next message instead of a statement
 * of its own: the turn finds it with `TurnWork.current()?.takeFact(name)`. Its columns are SQL
 * expressions, named with a prefix of their own; `args` fills their `?`, in order.
 */
export interface ConversationFacts {
  name: string;
  columns: string;
  args(channel: string, conversationKey: string): unknown[];
  /** The fact kept for the turn, from the row the columns came back in. */
  read(row: Record<string, unknown>, channel: string, conversationKey: string): unknown;
}

/**
 * The end-of-turn writes of one turn, committed together: the bot's state, the inbound message
 * marked processed, the identity's last inbound time, held notifications released, the
 * conversation's lease let go when nothing else waits. The inbox opens one per message; the bot
 * and the conversation recorder add their writes while the turn runs (see `TurnWork.current`),
 * and the bot commits it (so a state conflict re-runs the turn, see `PqrBot.run`). Writes added
 * with `base` (the inbox's) survive a failed commit; the others are dropped with it.
 */
export class TurnWork {
  private static readonly scope = new AsyncLocalStorage<TurnWork>();
  private readonly baseWrites: (() => SqlWrite)[] = [];
  private turnWrites: SqlWrite[] = [];
  private readonly afterCommit: ((changes: number) => void)[] = [];
  private afterIndexes: number[] = [];
  committed = false;
  private closed = false;
  /** Rows changed by each base write in the committed transaction, in the order they were added. */
  baseChanges: number[] = [];
  /** Bot state rows read with the message (see `InboundLog.next`): null when the row does not exist. */
  private readonly prefetched = new Map<string, { eTag: string; data: string } | null>();
  /** Facts about the conversation read with the message (see `ConversationFacts`), each taken once. */
  private readonly facts = new Map<string, unknown>();
  /** What the channel learned when it touched the user's identity this turn (see `Identities.touch`). */
  touched?: { channel: string; userId: string; conversationRef: string; locale: string | null; held: boolean };

  constructor(readonly sql: HotSql) {}

  /** The work of the turn running in this async context, if any. */
  static current(): TurnWork | undefined {
    const work = TurnWork.scope.getStore();
    // Something the turn started that outlives it (a timer, a kick) must not write into it.
    return work && !work.committed && !work.closed ? work : undefined;
  }

  /** The turn is over: nothing joins this work any more. */
  close(): void {
    this.closed = true;
  }

  /** Runs `fn` with this work as `TurnWork.current()`. */
  within<T>(fn: () => Promise<T>): Promise<T> {
    return TurnWork.scope.run(this, fn);
  }

  /** Keeps a bot state row read along with the message, for the turn's first read of that key. */
  prefetch(key: string, row: { eTag: string; data: string } | null): void {
    this.prefetched.set(key, row);
  }

  /**
   * The row read with the message, once: undefined when it was not (or was already used); a
   * state conflict reloads from the database.
   */
  takePrefetched(key: string): { eTag: string; data: string } | null | undefined {
    const row = this.prefetched.get(key);
    this.prefetched.delete(key);
    return row;
  }

  /** Keeps a fact read along with the message (see `ConversationFacts`). */
  keepFact(name: string, value: unknown): void {
    this.facts.set(name, value);
  }

  /** The fact read with the message, once: undefined when it was not (or was already used). */
  takeFact<T>(name: string): T | undefined {
    const value = this.facts.get(name) as T | undefined;
    this.facts.delete(name);
    return value;
  }

  /** A write of the inbox's own, built at commit time (e.g. the replies counted by then). */
  base(write: () => SqlWrite): number {
    this.baseWrites.push(write);
    return this.baseWrites.length - 1;
  }

  /** A write of this run of the turn; `after` runs once it is committed, with the rows it changed. */
  add(write: SqlWrite, after?: (changes: number) => void): void {
    this.turnWrites.push(write);
    if (after) {
      this.afterIndexes.push(this.turnWrites.length - 1);
      this.afterCommit.push(after);
    }
  }

  /** Forgets this run's writes (a failed or re-run turn). */
  discard(): void {
    this.turnWrites = [];
    this.afterCommit.length = 0;
    this.afterIndexes = [];
  }

  async commit(): Promise<void> {
    if (this.committed) return;
    const turn = this.turnWrites;
    const after = [...this.afterCommit];
    const indexes = this.afterIndexes;
    try {
      // Rebuildable: the turn's message is on disk, and a turn whose writes were lost runs again.
      const changes = await this.sql.transaction([...turn, ...this.baseWrites.map((build) => build())], { rebuildable: true });
      this.committed = true;
      this.baseChanges = changes.slice(turn.length);
      after.forEach((run, i) => run(changes[indexes[i]]));
    } finally {
      this.discard();
    }
  }
}
