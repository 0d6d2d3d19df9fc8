import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase, type Database } from '../../src/storage';

export interface TestDb extends Database {
  url: string;
}

export interface PgTestDb extends TestDb {
  name: string;
}

const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/**
 * A fresh, migrated database for one test file: a SQLite file by default, or a new PostgreSQL
 * database (created and dropped here) when TEST_DATABASE=postgresql.
 */
export async function createTestDb(): Promise<TestDb> {
  if (process.env.TEST_DATABASE === 'postgresql') return createPgTestDb();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pqr-test-'));
  const url = `file:${path.join(dir, 'pqr.db')}`;
  const db = await openDatabase(url);
  return {
    ...db,
    url,
    close: async () => {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A SQLite file whatever TEST_DATABASE says: for tests that run on both databases in either pass. */
export async function createSqliteTestDb(): Promise<TestDb> {
  const saved = process.env.TEST_DATABASE;
  delete process.env.TEST_DATABASE;
  try {
    return await createTestDb();
  } finally {
    if (saved !== undefined) process.env.TEST_DATABASE = saved;
  }
}

/** A new, migrated PostgreSQL database, dropped by `close`; fails (never skips) without a server. */
export async function createPgTestDb(prefix = 'pqr_test'): Promise<PgTestDb> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const db = await openDatabase(url);
  return {
    ...db,
    url,
    name,
    close: async () => {
      await db.close();
      const drop = new Client({ connectionString: PG_ADMIN_URL });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    },
  };
}
