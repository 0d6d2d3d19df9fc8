import { createTestDb, type TestDb } from '../helpers/db';

/**
 * The end-of-turn transaction of plain SQL (src/storage/hot-sql.ts), on SQLite and, with
 * TEST_DATABASE=postgresql, on PostgreSQL: what is stored is exactly what was given, a failed
 * check or statement leaves nothing behind and the connection usable.
 */
describe('plain-SQL transactions', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  const insert = (key: string, data: string) => ({
    sql: 'INSERT INTO "BotState" ("key", "eTag", "data", "updatedAt") VALUES (?, ?, ?, ?)',
    args: [key, 'e1', data, new Date('2026-12-02T15:04:05.678Z')],
  });
  const row = (key: string) => db.prisma.botState.findUnique({ where: { key } });

  it('stores text exactly, whatever quotes, backslashes, question marks or accents it holds', async () => {
    const nasty = `{"t":"it's \\"quoted\\" \\\\ back\\\\slash ? ?? $1 '); DROP TABLE \\"BotState\\"; -- ñandú 🙂 E'x'"}`;
    const changes = await db.sql.transaction([insert('nasty', nasty), { sql: 'UPDATE "BotState" SET "eTag" = ? WHERE "key" = ? AND "eTag" = ?', args: ['e2', 'nasty', 'e1'] }]);
    expect(changes).toEqual([1, 1]);
    const stored = await row('nasty');
    expect(stored?.data).toBe(nasty);
    expect(stored?.eTag).toBe('e2');
    expect(stored?.updatedAt.toISOString()).toBe('2026-12-02T15:04:05.678Z');
  });

  it('rolls everything back when a check refuses what a statement changed', async () => {
    const refuse = { sql: 'UPDATE "BotState" SET "eTag" = ? WHERE "key" = ? AND "eTag" = ?', args: ['e9', 'nobody', 'e1'], check: (changed: number) => {
      if (changed === 0) throw new Error('conflict');
    } };
    await expect(db.sql.transaction([insert('checked', 'a'), refuse])).rejects.toThrow('conflict');
    expect(await row('checked')).toBeNull();
  });

  it('rolls everything back with the write\'s own error when a write that must change a row changes none (on PostgreSQL, checked in SQL, the COMMIT sent with it)', async () => {
    class Conflict extends Error {}
    const mustUpdate = (key: string, eTag: string) => ({ sql: 'UPDATE "BotState" SET "eTag" = ? WHERE "key" = ? AND "eTag" = ?', args: ['e2', key, eTag], onNone: () => new Conflict(`conflict on ${key}`) });
    // Refused in the middle: the write before it rolled back, the one after it never applied.
    await expect(db.sql.transaction([insert('none-a', 'x'), mustUpdate('none-a', 'stale'), insert('none-b', 'y')])).rejects.toBeInstanceOf(Conflict);
    expect(await row('none-a')).toBeNull();
    expect(await row('none-b')).toBeNull();
    // Changing its row, it reports how many and commits with the rest.
    expect(await db.sql.transaction([insert('some-a', 'x'), mustUpdate('some-a', 'e1'), insert('some-b', 'y')])).toEqual([1, 1, 1]);
    expect((await row('some-a'))?.eTag).toBe('e2');
    expect((await row('some-b'))?.data).toBe('y');
    // Many at once on the pool's connections, every other one refused: each keeps only its own writes.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => db.sql.transaction([insert(`once-${i}`, String(i)), mustUpdate(`once-${i}`, i % 2 === 0 ? 'e1' : 'e0')])),
    );
    outcomes.forEach((outcome, i) => {
      if (i % 2 === 0) expect(outcome).toEqual({ status: 'fulfilled', value: [1, 1] });
      else expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(Conflict);
    });
    const rows = await db.prisma.botState.findMany({ where: { key: { startsWith: 'once-' } } });
    expect(rows.map((r) => `${r.key}=${r.eTag}`).sort()).toEqual(Array.from({ length: 15 }, (_, k) => `once-${2 * k}=e2`).sort());
    // The connections are usable afterwards.
    expect(await db.sql.transaction([insert('after-none', 'ok')])).toEqual([1]);
  });

  it('keeps the same rules in a rebuildable transaction (a turn\'s writes: on PostgreSQL its commit does not wait for the WAL flush), for that transaction only', async () => {
    class Conflict extends Error {}
    const mustUpdate = (key: string, eTag: string) => ({ sql: 'UPDATE "BotState" SET "eTag" = ? WHERE "key" = ? AND "eTag" = ?', args: ['e2', key, eTag], onNone: () => new Conflict(`conflict on ${key}`) });
    const rebuildable = { rebuildable: true };
    await expect(db.sql.transaction([insert('rb-a', 'x'), mustUpdate('rb-a', 'stale'), insert('rb-b', 'y')], rebuildable)).rejects.toBeInstanceOf(Conflict);
    expect(await row('rb-a')).toBeNull();
    expect(await row('rb-b')).toBeNull();
    expect(await db.sql.transaction([insert('rb-c', 'x'), mustUpdate('rb-c', 'e1'), insert('rb-d', 'y')], rebuildable)).toEqual([1, 1, 1]);
    const checked = { ...insert('rb-e', 'z'), check: (changed: number) => expect(changed).toBe(1) };
    expect(await db.sql.transaction([checked], rebuildable)).toEqual([1]);
    expect((await row('rb-c'))?.eTag).toBe('e2');
    expect((await row('rb-e'))?.data).toBe('z');
    await expect(db.sql.transaction([insert('rb-dup', '1'), insert('rb-dup', '2')], rebuildable)).rejects.toHaveProperty('message', expect.stringMatching(/UNIQUE|duplicate key/i));
    if (db.provider === 'postgresql') {
      // SET LOCAL: every connection of the pool commits durably again afterwards.
      await Promise.all(Array.from({ length: 12 }, (_, i) => db.sql.transaction([insert(`rb-many-${i}`, 'x')], rebuildable)));
      const settings = await Promise.all(Array.from({ length: 12 }, () => db.sql.all<{ synchronous_commit: string }>('SHOW synchronous_commit', [])));
      expect(new Set(settings.map((rows) => rows[0].synchronous_commit))).toEqual(new Set(['on']));
    }
  });

  it('rolls everything back when a statement fails, and the next transaction works', async () => {
    // Matched by message: better-sqlite3's native addon is loaded once per jest worker, so its error
    // may come from another test file's realm, where toThrow would not recognise it as an Error.
    await expect(db.sql.transaction([insert('dup', 'first'), insert('dup', 'second')])).rejects.toHaveProperty('message', expect.stringMatching(/UNIQUE|duplicate key/i));
    expect(await row('dup')).toBeNull();
    expect(await db.sql.transaction([insert('after', 'ok')])).toEqual([1]);
    expect((await row('after'))?.data).toBe('ok');
  });

  it('leaves nothing of a failed statement in the middle, and many transactions at once each keep their own writes', async () => {
    // On PostgreSQL the writes go out together (pipelined): those after the failing one are
    // refused by the aborted transaction, those before it rolled back.
    await expect(db.sql.transaction([insert('mid-a', 'x'), insert('mid-a', 'y'), insert('mid-b', 'z')])).rejects.toHaveProperty('message', expect.stringMatching(/UNIQUE|duplicate key/i));
    expect(await row('mid-a')).toBeNull();
    expect(await row('mid-b')).toBeNull();
    // More transactions than the pool has connections, every other one failing its check.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        db.sql.transaction([
          insert(`many-${i}`, String(i)),
          { sql: 'UPDATE "BotState" SET "data" = ? WHERE "key" = ?', args: [`${i}!`, `many-${i}`], check: (changed: number) => {
            if (changed !== 1 || i % 2 === 1) throw new Error(`refused ${i}`);
          } },
        ]),
      ),
    );
    outcomes.forEach((outcome, i) => expect(outcome.status).toBe(i % 2 === 0 ? 'fulfilled' : 'rejected'));
    const rows = await db.prisma.botState.findMany({ where: { key: { startsWith: 'many-' } }, orderBy: { key: 'asc' } });
    expect(rows.map((r) => `${r.key}=${r.data}`).sort()).toEqual(Array.from({ length: 15 }, (_, k) => `many-${2 * k}=${2 * k}!`).sort());
    // The same statements again, on connections that have them prepared already.
    expect(await db.sql.all<{ data: string }>('SELECT "data" FROM "BotState" WHERE "key" = ?', ['many-4'])).toEqual([{ data: '4!' }]);
  });

  it('still answers after the table changed under its prepared statements (another instance migrated it, as in a rolling deploy)', async () => {
    await db.sql.transaction([insert('schema-a', 'x')]);
    const read = () => db.sql.all<Record<string, unknown>>('SELECT "BotState".* FROM "BotState" WHERE "key" = ?', ['schema-a']);
    // Prepared on the connections the pool holds (several at once, so more than one).
    await Promise.all(Array.from({ length: 12 }, read));
    await db.prisma.$executeRawUnsafe('ALTER TABLE "BotState" ADD COLUMN "extra" TEXT');
    try {
      const answers = await Promise.all(Array.from({ length: 12 }, read));
      for (const rows of answers) expect(rows).toEqual([expect.objectContaining({ key: 'schema-a', data: 'x', extra: null })]);
      expect(await db.sql.transaction([{ sql: 'UPDATE "BotState" SET "data" = ? WHERE "key" = ?', args: ['y', 'schema-a'] }])).toEqual([1]);
    } finally {
      await db.prisma.$executeRawUnsafe('ALTER TABLE "BotState" DROP COLUMN "extra"');
    }
    expect((await read())[0]).not.toHaveProperty('extra');
  });

  it('answers a durable record and durable work as any other (how SQLite makes them durable: test/unit/group-commit.test.ts)', async () => {
    const rows = await db.sql.all('INSERT INTO "Lease" ("key", "owner", "until") VALUES (?, ?, ?) RETURNING "key"', ['durable-1', 'o', new Date()], { durable: true });
    expect(rows).toEqual([{ key: 'durable-1' }]);
    expect(await db.sql.durably(async () => 'done')).toBe('done');
    expect(await db.prisma.lease.findUnique({ where: { key: 'durable-1' } })).toEqual(expect.objectContaining({ owner: 'o' }));
  });
});
