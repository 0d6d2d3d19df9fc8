import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient as SqliteClient } from '../generated/sqlite/client';
import { PrismaClient as PostgresClient } from '../generated/postgresql/client';
import { applyMigrations, type Provider } from './schema-engine';

/** Both generated clients have the same models and methods; code is written against this one. */
export type Db = SqliteClient;
/** The client handed to a `$transaction(async (tx) => …)` callback. */
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export interface Database {
  prisma: Db;
  provider: Provider;
  /** Migrations applied by this start (empty when the schema was already current). */
  applied: string[];
  close(): Promise<void>;
}

export function providerOf(url: string): Provider {
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  if (url.startsWith('file:')) return 'sqlite';
  throw new Error('DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)');
}

function sqliteFactory(url: string): PrismaBetterSqlite3 {
  const file = url.slice('file:'.length);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // Writers wait for each other instead of failing with SQLITE_BUSY.
  return new PrismaBetterSqlite3({ url: file, timeout: 10_000 });
}

/** Opens the database named by `url`, creating (SQLite) and migrating it first. */
export async function openDatabase(url: string): Promise<Database> {
  const provider = providerOf(url);
  if (provider === 'sqlite') {
    const applied = await applyMigrations(provider, sqliteFactory(url));
    const prisma = new SqliteClient({ adapter: sqliteFactory(url) });
    await prisma.$executeRawUnsafe('PRAGMA journal_mode = WAL');
    return { prisma, provider, applied, close: () => prisma.$disconnect() };
  }
  const migrationPool = new Pool({ connectionString: url, max: 1 });
  const applied = await applyMigrations(provider, new PrismaPg(migrationPool)).finally(() => migrationPool.end());
  // The pool is ours to end: $disconnect alone leaves its idle clients holding the process ~10 s.
  const pool = new Pool({ connectionString: url });
  const prisma = new PostgresClient({ adapter: new PrismaPg(pool) }) as unknown as Db;
  return {
    prisma,
    provider,
    applied,
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
