import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';
import type BetterSqlite3 from 'better-sqlite3';

const scope = new AsyncLocalStorage<string>();

/**
 * Runs `fn` with the statements it sends labelled `label` in `StatementCounter.keep` (e.g. the
 * dialog's own queries, apart from the message path's).
 */
export function labelStatements<T>(label: string, fn: () => Promise<T>): Promise<T> {
  return scope.run(label, fn);
}

/**
 * Counts the SQL statements that reach the database driver, BEGIN and COMMIT/ROLLBACK included:
 * what a turn costs, as tests and the benchmark read it (`mark()` … `since(mark)`). Counting is
 * an integer increment per statement; `keep` also keeps the SQL text (tests, never production:
 * the text has no parameters, but it is kept in memory).
 */
export class StatementCounter {
  count = 0;
  /** Of `count`, those labelled 'dialog' (see `labelStatements`). */
  dialogCount = 0;
  /** Prisma transactions open right now (SQLite: plain SQL on the shared connection waits for them). */
  openTransactions = 0;
  private readonly closedWaiters: (() => void)[] = [];

  /** Resolves once no Prisma transaction is open. */
  async transactionsClosed(): Promise<void> {
    while (this.openTransactions > 0) await new Promise<void>((resolve) => this.closedWaiters.push(resolve));
  }

  transactionEnded(): void {
    this.openTransactions = Math.max(0, this.openTransactions - 1);
    if (this.openTransactions === 0) for (const resolve of this.closedWaiters.splice(0)) resolve();
  }

  /** When set, each statement's SQL is appended with its label (`labelStatements`; 'path' when none). */
  keep: { sql: string; label: string }[] | undefined;

  mark(): number {
    return this.count;
  }

  since(mark: number): number {
    return this.count - mark;
  }

  note(sql: string): void {
    this.count++;
    const label = scope.getStore() ?? 'path';
    if (label === 'dialog') this.dialogCount++;
    this.keep?.push({ sql, label });
  }
}

type Queryable = Pick<SqlDriverAdapter, 'queryRaw' | 'executeRaw'>;

function countQueries<T extends Queryable>(target: T, counter: StatementCounter, extra: Partial<Record<string | symbol, unknown>> = {}): T {
  return new Proxy(target, {
    get(object, property) {
      if (property in extra) return extra[property];
      if (property === 'queryRaw' || property === 'executeRaw') {
        return (query: SqlQuery) => {
          counter.note(query.sql);
          return object[property](query);
        };
      }
      const value = Reflect.get(object, property, object) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

/**
 * Wraps a driver adapter factory so every statement is counted. The SQLite adapter runs BEGIN
 * itself and the PostgreSQL one through the transaction it returns: both are counted once here,
 * and COMMIT/ROLLBACK reach the transaction's executeRaw (Prisma sends them as SQL).
 */
export function countingFactory<F extends SqlDriverAdapterFactory>(factory: F, counter: StatementCounter, onConnect?: (adapter: SqlDriverAdapter) => void): F {
  return new Proxy(factory, {
    get(object, property) {
      if (property === 'connect') {
        return async () => {
          const adapter = await object.connect();
          onConnect?.(adapter);
          return countQueries(adapter, counter, {
            startTransaction: async (isolationLevel?: Parameters<SqlDriverAdapter['startTransaction']>[0]) => {
              // PostgreSQL's BEGIN goes through the transaction's own executeRaw, before we can wrap it.
              counter.note('BEGIN');
              counter.openTransactions++;
              let tx: Transaction;
              try {
                tx = await adapter.startTransaction(isolationLevel);
              } catch (error) {
                counter.transactionEnded();
                throw error;
              }
              let ended = false;
              const end = () => {
                if (!ended) counter.transactionEnded();
                ended = true;
              };
              return countQueries(tx, counter, {
                commit: () => tx.commit().finally(end),
                rollback: () => tx.rollback().finally(end),
              });
            },
          });
        };
      }
      const value = Reflect.get(object, property, object) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

/**
 * The SQLite adapter calls `db.prepare(sql)` for every statement (about 0.1 ms each, a tenth of a
 * turn's CPU) and binds the arguments to it for good. This keeps the last `size` prepared
 * statements per SQL text and hands the adapter a fresh binding of a cached one each time.
 * better-sqlite3 runs one statement at a time on its connection, so sharing one is safe.
 */
export function cachePreparedStatements(db: BetterSqlite3.Database, size = 200): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, BetterSqlite3.Statement>();
  const cached = (sql: string): BetterSqlite3.Statement => {
    let stmt = cache.get(sql);
    if (stmt) {
      // Most recently used last: a Map keeps insertion order.
      cache.delete(sql);
    } else {
      stmt = prepare(sql);
      if (cache.size >= size) cache.delete(cache.keys().next().value as string);
    }
    cache.set(sql, stmt);
    return stmt;
  };
  (db as { prepare: unknown }).prepare = (sql: string) => {
    // A statement busy in an iterator cannot be reused: prepare a fresh one (the adapter never iterates).
    const stmt = cached(sql);
    if (stmt.busy) return prepare(sql);
    return {
      get reader() {
        return stmt.reader;
      },
      bind(args: unknown[]) {
        return {
          reader: stmt.reader,
          run: () => stmt.run(...args),
          columns: () => stmt.columns(),
          raw: () => ({ all: () => stmt.raw(true).all(...args) }),
        };
      },
      run: (...args: unknown[]) => stmt.run(...args),
    };
  };
}
