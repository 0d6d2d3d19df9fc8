import { createHash, randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { migrationsList } from './schema-engine';

/** The table exactly as Prisma's schema engine creates it on SQLite, so either may apply the next migration. */
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/** How long a process waits for another one that is applying a migration to the same file. */
const WAIT_FOR_OTHER_MS = 60_000;

const now = () => new Date().toISOString().replace('Z', '+00:00');

export class FailedMigrationError extends Error {
  constructor(readonly migration: string, detail: string) {
    super(`migration ${migration} failed (${detail}); fix the database and mark it rolled back or applied, as with prisma migrate resolve`);
    this.name = 'FailedMigrationError';
  }
}

/**
 * Applies the pending SQLite migrations the way `prisma migrate deploy` does (each script as it
 * is, recorded in `_prisma_migrations` with its sha256), with better-sqlite3 alone. Prisma's
 * schema engine, which the app can only run as WASM here, takes ~0.6 s to load and apply them
 * on a new file: most of a first start and of every test database. PostgreSQL keeps the engine.
 *
 * Another process starting on the same file at the same moment is waited for: a migration is
 * claimed by recording its start in an immediate transaction, and whoever finds it claimed waits
 * until it is finished. A script that fails leaves its row with the error in `logs`, which stops
 * later starts, as Prisma's failed migrations do.
 */
export async function applySqliteMigrations(file: string): Promise<string[]> {
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(file, { timeout: 10_000 });
  try {
    db.exec(MIGRATIONS_TABLE);
    const latest = db.prepare<[string], { id: string; finished_at: string | null; logs: string | null }>(
      'SELECT "id", "finished_at", "logs" FROM "_prisma_migrations" WHERE "migration_name" = ? AND "rolled_back_at" IS NULL ORDER BY "started_at" DESC LIMIT 1',
    );
    const start = db.prepare('INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "applied_steps_count") VALUES (?, ?, ?, ?, 0)');
    const claim = db.transaction((name: string, checksum: string): { state: 'done' | 'failed' | 'busy' } | { state: 'mine'; id: string } => {
      const row = latest.get(name);
      if (row?.finished_at) return { state: 'done' };
      if (row && row.logs !== null) return { state: 'failed' };
      if (row) return { state: 'busy' };
      const id = randomUUID();
      start.run(id, checksum, name, now());
      return { state: 'mine', id };
    });
    const applied: string[] = [];
    for (const dir of migrationsList('sqlite').migrationDirectories) {
      const name = dir.path;
      const script = dir.migrationFile.content.value;
      const checksum = createHash('sha256').update(script).digest('hex');
      const waitUntil = Date.now() + WAIT_FOR_OTHER_MS;
      for (;;) {
        const claimed = claim.immediate(name, checksum);
        if (claimed.state !== 'mine') {
          if (claimed.state === 'done') break;
          if (claimed.state === 'failed') throw new FailedMigrationError(name, 'recorded as failed');
          if (Date.now() > waitUntil) throw new FailedMigrationError(name, 'another process started it and has not finished');
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
        try {
          // As the engine runs it: the whole script, outside a transaction (its PRAGMA foreign_keys needs that).
          db.exec(script);
        } catch (error) {
          db.prepare('UPDATE "_prisma_migrations" SET "logs" = ? WHERE "id" = ?').run(String((error as Error).message ?? error), claimed.id);
          throw new FailedMigrationError(name, (error as Error).message);
        }
        db.prepare('UPDATE "_prisma_migrations" SET "finished_at" = ?, "applied_steps_count" = 1 WHERE "id" = ?').run(now(), claimed.id);
        applied.push(name);
        break;
      }
    }
    return applied;
  } finally {
    db.close();
  }
}
