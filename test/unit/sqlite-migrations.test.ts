import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { openDatabase } from '../../src/storage';
import { applySqliteMigrations, FailedMigrationError } from '../../src/storage/sqlite-migrations';
import { applyMigrations, migrationsList } from '../../src/storage/schema-engine';

/**
 * SQLite files are migrated by src/storage/sqlite-migrations.ts, not by Prisma's schema engine
 * (WASM, ~0.6 s a new file). The result must be the engine's to the byte: the same schema, and a
 * `_prisma_migrations` the engine itself reads as fully applied.
 */
describe('SQLite migrations without the schema engine', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pqr-migrate-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const schemaOf = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();
    } finally {
      db.close();
    }
  };
  const recorded = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare<[], { migration_name: string; checksum: string; finished_at: string | null; logs: string | null; rolled_back_at: string | null; applied_steps_count: number }>(
        'SELECT migration_name, checksum, finished_at, logs, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
      ).all();
    } finally {
      db.close();
    }
  };
  const names = migrationsList('sqlite').migrationDirectories.map((d) => d.path);

  it('builds the schema the engine builds and records every migration as the engine does', async () => {
    const ours = path.join(dir, 'ours.db');
    const engines = path.join(dir, 'engine.db');
    expect(await applySqliteMigrations(ours)).toEqual(names);
    expect(await applyMigrations('sqlite', new PrismaBetterSqlite3({ url: engines }))).toEqual(names);
    expect(schemaOf(ours)).toEqual(schemaOf(engines));
    const strip = (rows: ReturnType<typeof recorded>) => rows.map(({ finished_at, ...rest }) => ({ ...rest, finished: finished_at !== null && /\+00:00$/.test(finished_at) }));
    expect(strip(recorded(ours))).toEqual(strip(recorded(engines)));
    // The engine finds nothing left to apply on our file: Prisma's own tooling can take over.
    expect(await applyMigrations('sqlite', new PrismaBetterSqlite3({ url: ours }))).toEqual([]);
  });

  it('applies nothing twice, and only what is missing', async () => {
    const file = path.join(dir, 'pqr.db');
    await applyMigrations('sqlite', new PrismaBetterSqlite3({ url: file }));
    const db = new Database(file);
    const last = names.at(-1)!;
    db.prepare('DELETE FROM _prisma_migrations WHERE migration_name = ?').run(last);
    db.close();
    // The last migration's tables exist already, so running it again would fail: it must be the only one tried.
    await expect(applySqliteMigrations(file)).rejects.toThrow(FailedMigrationError);
    expect(recorded(file).filter((r) => r.logs !== null).map((r) => r.migration_name)).toEqual([last]);
    // A failed migration stops the next start too, as Prisma's do.
    await expect(applySqliteMigrations(file)).rejects.toThrow(/recorded as failed/);

    const fresh = path.join(dir, 'fresh.db');
    expect(await applySqliteMigrations(fresh)).toEqual(names);
    expect(await applySqliteMigrations(fresh)).toEqual([]);
  });

  it('lets two processes start on one new file at the same moment: one applies, the other waits', async () => {
    const file = path.join(dir, 'shared.db');
    const script = `require(${JSON.stringify(path.resolve(__dirname, '../../src/storage/sqlite-migrations'))}).applySqliteMigrations(process.env.MIGRATE_FILE).then((a) => process.stdout.write(JSON.stringify(a)), (e) => { process.stderr.write(String(e)); process.exit(1); });`;
    const run = () =>
      new Promise<string[]>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { env: { ...process.env, MIGRATE_FILE: file } });
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.stderr.on('data', (chunk) => (err += chunk));
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(err))));
      });
    const [a, b] = await Promise.all([run(), run()]);
    // Every migration applied once, by one or the other.
    expect([...a, ...b].sort()).toEqual(names);
    expect(recorded(file).map((r) => r.migration_name)).toEqual(names);
    expect(recorded(file).every((r) => r.finished_at !== null && r.logs === null)).toBe(true);
  });

  it('is what openDatabase uses for a new SQLite file', async () => {
    const db = await openDatabase(`file:${path.join(dir, 'app.db')}`);
    try {
      expect(db.applied).toEqual(names);
      expect(await db.prisma.pqr.count()).toBe(0);
    } finally {
      await db.close();
    }
  });
});
