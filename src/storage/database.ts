import fs from 'node:fs';
import path from 'node:path';
import type { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { PrismaClient as SqliteClient } from '../generated/sqlite/client';
import { applyMigrations, migrationsList, type Provider } from './schema-engine';
import { cachePreparedStatements, countingFactory, StatementCounter } from './instrument';
import { applySqliteMigrations } from './sqlite-migrations';
import { postgresHotSql, registerHotSql, sqliteHotSql, type HotSql } from './hot-sql';
import type BetterSqlite3 from 'better-sqlite3';

/*
 * Each database's driver, adapter and generated client are loaded when that database is opened:
 * a SQLite installation never loads pg, a PostgreSQL one never loads better-sqlite3 (measured in
 * the README, "Lean process").
 */
const sqliteModules = () => ({
  PrismaBetterSqlite3: (require('@prisma/adapter-better-sqlite3') as typeof import('@prisma/adapter-better-sqlite3')).PrismaBetterSqlite3,
  SqliteClient: (require('../generated/sqlite/client') as typeof import('../generated/sqlite/client')).PrismaClient,
});
const postgresModules = () => ({
  PrismaPg: (require('@prisma/adapter-pg') as typeof import('@prisma/adapter-pg')).PrismaPg,
  pg: require('pg') as typeof import('pg'),
  PostgresClient: (require('../generated/postgresql/client') as typeof import('../generated/postgresql/client')).PrismaClient,
});

/** Both generated clients have the same models and methods; code is written against this one. */
export type Db = SqliteClient;
/** The client handed to a `$transaction(async (tx) => …)` callback. */
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export interface Database {
  prisma: Db;
  provider: Provider;
  /** Migrations applied by this start (empty when the schema was already current). */
  applied: string[];
  /** Every SQL statement this client sent, BEGIN/COMMIT included (tests and the benchmark read it). */
  statements: StatementCounter;
  /** The hot path's plain SQL on the same connection (SQLite) or pool (PostgreSQL). */
  sql: HotSql;
  /** True when the database answers a trivial query within `timeoutMs` (the health check). */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Any fixed number: the advisory lock that lets one instance at a time migrate a PostgreSQL database. */
const MIGRATION_LOCK = 7_370_812_615;

/** How long a PostgreSQL connection attempt may take: an unreachable server fails requests and health checks instead of hanging them. */
const CONNECT_TIMEOUT_MS = 5000;

async function ping(prisma: Db, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const query = prisma.$queryRawUnsafe('SELECT 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `migrate` holding a session advisory lock, so instances started together on a fresh
 * database migrate it one after the other (the later ones find nothing left to apply).
 */
async function withMigrationLock<T>(url: string, migrate: () => Promise<T>): Promise<T> {
  const client = new (postgresModules().pg.Client)({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return await migrate();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await client.end();
  }
}

export function providerOf(url: string): Provider {
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  if (url.startsWith('file:')) return 'sqlite';
  throw new Error('DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)');
}

/** The file a `file:` URL names, its folder created. */
function sqliteFile(url: string): string {
  const file = url.slice('file:'.length);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return file;
}

function sqliteFactory(url: string): PrismaBetterSqlite3 {
  const file = sqliteFile(url);
  // Writers wait for each other instead of failing with SQLITE_BUSY.
  return new (sqliteModules().PrismaBetterSqlite3)({ url: file, timeout: 10_000 });
}

/** The SQLite adapter the app queries through: statements counted, prepared statements reused. */
function servingSqliteFactory(url: string, counter: StatementCounter, connected: (db: BetterSqlite3.Database) => void, reusePrepared: boolean): PrismaBetterSqlite3 {
  return countingFactory(sqliteFactory(url), counter, (adapter) => {
    const client = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
    if (!client) throw new Error('@prisma/adapter-better-sqlite3 no longer exposes its connection');
    if (reusePrepared) cachePreparedStatements(client);
    connected(client);
  });
}

/**
 * True when every migration in the folder is recorded as finished. The schema engine locks a
 * SQLite file while it checks, so a second process (a CLI beside a running server) only calls it
 * when there is something to apply.
 */
async function upToDate(prisma: Db, provider: Provider): Promise<boolean> {
  const rows = await prisma
    .$queryRawUnsafe<{ migration_name: string }[]>('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL')
    .catch(() => []);
  const done = new Set(rows.map((r) => r.migration_name));
  return migrationsList(provider).migrationDirectories.every((d) => done.has(d.path));
}

/** Opens the database named by `url`, creating (SQLite) and migrating it first. */
export interface OpenOptions {
  /** SQLite: keep Prisma's prepared statements for reuse (default true; false only to measure the difference). */
  reusePreparedStatements?: boolean;
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const reusePrepared = options.reusePreparedStatements ?? true;
  const provider = providerOf(url);
  const statements = new StatementCounter();
  if (provider === 'sqlite') {
    const { SqliteClient } = sqliteModules();
    let connection: BetterSqlite3.Database | undefined;
    const connected = (db: BetterSqlite3.Database) => (connection = db);
    let prisma = new SqliteClient({ adapter: servingSqliteFactory(url, statements, connected, reusePrepared) });
    let applied: string[] = [];
    if (!(await upToDate(prisma, provider))) {
      await prisma.$disconnect();
      applied = await applySqliteMigrations(sqliteFile(url));
      prisma = new SqliteClient({ adapter: servingSqliteFactory(url, statements, connected, reusePrepared) });
    }
    await prisma.$executeRawUnsafe('PRAGMA journal_mode = WAL');
    const sql = sqliteHotSql(() => {
      if (!connection) throw new Error('the SQLite connection is not open');
      return connection;
    }, statements);
    return opened(prisma, provider, applied, statements, sql, async () => {
      await prisma.$disconnect();
      await sql.close?.();
    });
  }
  const { pg, PrismaPg, PostgresClient } = postgresModules();
  // The pool is ours to end: $disconnect alone leaves its idle clients holding the process ~10 s.
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // PrismaPg listens for errors of idle connections only until $disconnect: one dropped by the
  // server while the pool is ending (a restart, a forced drop) must not crash the process.
  pool.on('error', () => undefined);
  const prisma = new PostgresClient({ adapter: countingFactory(new PrismaPg(pool), statements) }) as unknown as Db;
  let applied: string[] = [];
  if (!(await upToDate(prisma, provider))) {
    applied = await withMigrationLock(url, async () => {
      if (await upToDate(prisma, provider)) return [];
      const migrationPool = new pg.Pool({ connectionString: url, max: 1 });
      return applyMigrations(provider, new PrismaPg(migrationPool)).finally(() => migrationPool.end());
    });
  }
  // The hot path's own pool: its clients pipeline a transaction's statements (see postgresHotSql);
  // Prisma's stay as they are.
  const hotPool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, pipeline: true });
  hotPool.on('error', () => undefined);
  // Behind PgBouncer in transaction mode (`?pgbouncer=true`, Prisma's own switch) statements stay unnamed.
  const sql = postgresHotSql(hotPool, statements, pg.types, { named: new URL(url).searchParams.get('pgbouncer') !== 'true' });
  return opened(prisma, provider, applied, statements, sql, async () => {
    await prisma.$disconnect();
    await Promise.all([pool.end(), hotPool.end()]);
  });
}

/** The database as `openDatabase` hands it out, its plain-SQL access registered with its client. */
function opened(prisma: Db, provider: Provider, applied: string[], statements: StatementCounter, sql: HotSql, close: () => Promise<void>): Database {
  registerHotSql(prisma, sql);
  return { prisma, provider, applied, statements, sql, ping: (timeoutMs = 2000) => ping(prisma, timeoutMs), close };
}
