import pg from 'pg';
import { createPgTestDb, type PgTestDb } from '../helpers/db';
import { openDatabase } from '../../src/storage';
import { postgresHotSql } from '../../src/storage/hot-sql';
import { StatementCounter } from '../../src/storage/instrument';

/**
 * The hot path's statements on PostgreSQL are prepared once per connection under a name, except
 * behind a pooler in transaction mode (`?pgbouncer=true`), which cannot keep them: read from the
 * server's own list of the session's prepared statements.
 */
describe('prepared statements of the hot path on PostgreSQL', () => {
  let db: PgTestDb;
  beforeAll(async () => {
    db = await createPgTestDb('pqr_prepared');
  });
  afterAll(() => db.close());

  async function preparedAfterUse(named: boolean | undefined): Promise<string[]> {
    // One connection, so the list read afterwards is that of the session the statements used.
    const pool = new pg.Pool({ connectionString: db.url, max: 1, pipeline: true });
    try {
      const sql = postgresHotSql(pool, new StatementCounter(), pg.types, named === undefined ? {} : { named });
      await sql.all('SELECT "key" FROM "BotState" WHERE "key" = ?', ['a']);
      await sql.transaction([{ sql: 'DELETE FROM "Lease" WHERE "key" = ?', args: ['nobody'] }]);
      await sql.all('SELECT "key" FROM "BotState" WHERE "key" = ?', ['b']);
      const { rows } = await pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name');
      return rows.map((r) => r.name);
    } finally {
      await pool.end();
    }
  }

  it('prepares each statement once under its name by default', async () => {
    expect(await preparedAfterUse(undefined)).toEqual(['hot_1_0', 'hot_2_0']);
  });

  it('prepares nothing by name when told so (a pooler in transaction mode)', async () => {
    expect(await preparedAfterUse(false)).toEqual([]);
  });

  it('works behind ?pgbouncer=true, the switch openDatabase reads', async () => {
    const opened = await openDatabase(`${db.url}?pgbouncer=true`);
    try {
      expect(await opened.sql.transaction([{ sql: 'INSERT INTO "Lease" ("key", "owner", "until") VALUES (?, ?, ?)', args: ['k', 'o', new Date()] }])).toEqual([1]);
      expect(await opened.sql.all('SELECT "owner" FROM "Lease" WHERE "key" = ?', ['k'])).toEqual([{ owner: 'o' }]);
    } finally {
      await opened.close();
    }
  });
});
