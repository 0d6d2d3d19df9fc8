import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupSync, sqliteHotSql, walSyncer } from '../../src/storage/hot-sql';
import { StatementCounter } from '../../src/storage/instrument';

/**
 * What is acknowledged is on disk, on SQLite, without an fsync on the event loop: a durable
 * record commits at NORMAL and then waits for a sync of the WAL file on the thread pool, shared
 * by the records that wait at the same time (src/storage/hot-sql.ts).
 */

/** A sync that finishes when the test says so; `started` counts the syncs begun. */
function manualSync() {
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const sync = {
    started: 0,
    once: () =>
      new Promise<void>((resolve, reject) => {
        sync.started++;
        pending.push({ resolve, reject });
      }),
    finish: (error?: Error) => {
      const next = pending.shift();
      if (!next) throw new Error('no sync is running');
      if (error) next.reject(error);
      else next.resolve();
    },
  };
  return sync;
}

const settled = async <T>(promise: Promise<T>) => {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('group commit', () => {
  it('answers every caller after a sync that started after its call, one sync for all who waited together', async () => {
    const sync = manualSync();
    const synced = groupSync(sync.once);
    const first = synced();
    expect(sync.started).toBe(1);
    // Two commits written while the first sync runs: it may have missed them, so they wait for the next, together.
    const second = synced();
    const third = synced();
    expect(sync.started).toBe(1);
    sync.finish();
    await first;
    expect(await settled(second)).toBe(false);
    expect(sync.started).toBe(2);
    sync.finish();
    await Promise.all([second, third]);
    expect(sync.started).toBe(2);
    // Idle again: the next caller starts its own at once.
    const fourth = synced();
    expect(sync.started).toBe(3);
    sync.finish();
    await fourth;
  });

  it('fails the callers of a failed sync, and the next callers get a sync of their own', async () => {
    const sync = manualSync();
    const synced = groupSync(sync.once);
    const first = synced();
    const second = synced();
    sync.finish(new Error('EIO'));
    await expect(first).rejects.toThrow('EIO');
    // The failed sync does not count for the caller who came after it started.
    expect(sync.started).toBe(2);
    sync.finish();
    await expect(second).resolves.toBeUndefined();
    const third = synced();
    sync.finish();
    await expect(third).resolves.toBeUndefined();
    expect(sync.started).toBe(3);
  });
});

describe('durable records on SQLite', () => {
  let dir: string;
  let connection: BetterSqlite3.Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pqr-group-commit-'));
    connection = new BetterSqlite3(join(dir, 'bot.db'));
    connection.pragma('journal_mode = WAL');
    connection.exec('CREATE TABLE "Inbound" ("externalId" TEXT PRIMARY KEY, "payload" TEXT)');
  });
  afterEach(() => {
    connection.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const record = 'INSERT INTO "Inbound" ("externalId", "payload") VALUES (?, ?) ON CONFLICT ("externalId") DO NOTHING RETURNING "externalId"';

  it('answers a durable record only after the WAL is synced, and records made meanwhile share the next sync', async () => {
    const sync = manualSync();
    const sql = sqliteHotSql(() => connection, new StatementCounter(), { syncFile: sync.once });
    const first = sql.all(record, ['wamid.1', 'hola'], { durable: true });
    expect(await settled(first)).toBe(false);
    // Committed already (a reader sees it), not yet answered.
    expect(connection.prepare('SELECT count(*) AS n FROM "Inbound"').get()).toEqual({ n: 1 });
    const more = [sql.all(record, ['wamid.2', 'a'], { durable: true }), sql.all(record, ['wamid.3', 'b'], { durable: true })];
    expect(await settled(more[0])).toBe(false);
    expect(sync.started).toBe(1);
    sync.finish();
    expect(await first).toEqual([{ externalId: 'wamid.1' }]);
    expect(await settled(Promise.all(more))).toBe(false);
    sync.finish();
    expect(await Promise.all(more)).toEqual([[{ externalId: 'wamid.2' }], [{ externalId: 'wamid.3' }]]);
    expect(sync.started).toBe(2);
  });

  it('makes a retried record wait for a sync too (the first one may not be on disk yet), and a failed sync fails the record', async () => {
    const sync = manualSync();
    const sql = sqliteHotSql(() => connection, new StatementCounter(), { syncFile: sync.once });
    const first = sql.all(record, ['wamid.9', 'hola'], { durable: true });
    await settled(first);
    sync.finish(new Error('EIO: the disk refused'));
    await expect(first).rejects.toThrow('EIO');
    // The platform sends it again: nothing new is written, and the answer still waits for the disk.
    const retry = sql.all(record, ['wamid.9', 'hola'], { durable: true });
    expect(await settled(retry)).toBe(false);
    sync.finish();
    expect(await retry).toEqual([]);
  });

  it('leaves plain statements alone, and makes durable work wait for the sync after it', async () => {
    const sync = manualSync();
    const sql = sqliteHotSql(() => connection, new StatementCounter(), { syncFile: sync.once });
    expect(await sql.all(record, ['wamid.5', 'x'])).toEqual([{ externalId: 'wamid.5' }]);
    expect(await sql.run('UPDATE "Inbound" SET "payload" = ? WHERE "externalId" = ?', ['y', 'wamid.5'])).toBe(1);
    expect(sync.started).toBe(0);
    const work = sql.durably(async () => connection.prepare('DELETE FROM "Inbound"').run().changes);
    expect(await settled(work)).toBe(false);
    sync.finish();
    expect(await work).toBe(1);
  });

  it('syncs the real WAL file by default, and does nothing for a database in memory', async () => {
    const sql = sqliteHotSql(() => connection, new StatementCounter());
    expect(await sql.all(record, ['wamid.7', 'hola'], { durable: true })).toEqual([{ externalId: 'wamid.7' }]);
    expect(statSync(join(dir, 'bot.db-wal')).size).toBeGreaterThan(0);
    await sql.close?.();
    const wal = walSyncer(() => connection);
    await expect(wal.sync()).resolves.toBeUndefined();
    await expect(wal.sync()).resolves.toBeUndefined();
    await wal.close();
    // A new connection gets its own descriptor, the old one is let go, and close lets go of the last.
    const open = () => readdirSync('/proc/self/fd').length;
    const other = new BetterSqlite3(join(dir, 'bot.db'));
    const before = open();
    let current = connection;
    const switching = walSyncer(() => current);
    for (let i = 0; i < 20; i++) {
      current = i % 2 ? connection : other;
      await switching.sync();
    }
    await switching.close();
    expect(open()).toBe(before);
    // Syncs still running when the connection changes keep their descriptor until they finish.
    const overlapping = walSyncer(() => current);
    const runs: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      current = i % 2 ? connection : other;
      runs.push(overlapping.sync(), overlapping.sync());
    }
    await expect(Promise.all(runs)).resolves.toHaveLength(80);
    await overlapping.close();
    expect(open()).toBe(before);
    other.close();
    const memory = new BetterSqlite3(':memory:');
    try {
      const inMemory = walSyncer(() => memory);
      await expect(inMemory.sync()).resolves.toBeUndefined();
      await inMemory.close();
    } finally {
      memory.close();
    }
  });
});
