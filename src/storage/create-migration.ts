/**
 * `npm run migrate:create -- NAME`: writes the next migration for SQLite and PostgreSQL from the
 * change in prisma/models.prisma since the last migration (each migration keeps a snapshot of the
 * schema it produced, so no shadow database is needed).
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { diffSchema, migrationsDir, schemaFiles, type Provider } from './schema-engine';

// Not .prisma: Prisma reads every .prisma file below the schema folder.
const SNAPSHOT = 'schema.snapshot';

function lastSnapshot(provider: Provider): { path: string; content: string }[] | null {
  const dir = migrationsDir(provider);
  if (!fs.existsSync(dir)) return null;
  const last = fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort().pop();
  return last ? [{ path: path.join(dir, last, SNAPSHOT), content: fs.readFileSync(path.join(dir, last, SNAPSHOT), 'utf8') }] : null;
}

async function main(): Promise<void> {
  const name = (process.argv[2] ?? '').replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  if (!name) {
    console.error('usage: npm run migrate:create -- <name>');
    process.exit(2);
  }
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  // Diffing schema to schema touches no tables; the adapter is still required by the engine.
  const factories: Record<Provider, () => PrismaBetterSqlite3 | PrismaPg> = {
    sqlite: () => new PrismaBetterSqlite3({ url: `file:${path.join(os.tmpdir(), `pqr-diff-${process.pid}.db`)}` }),
    postgresql: () => new PrismaPg({ connectionString: process.env.DIFF_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' }),
  };
  for (const provider of ['sqlite', 'postgresql'] as Provider[]) {
    const sql = await diffSchema(provider, factories[provider](), lastSnapshot(provider));
    if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
      console.log(`${provider}: no changes`);
      continue;
    }
    const dir = path.join(migrationsDir(provider), `${stamp}_${name}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
    // The snapshot inlines the models file so it stays what this migration produced.
    fs.writeFileSync(path.join(dir, SNAPSHOT), schemaFiles(provider).map((f) => f.content).join('\n'));
    const lock = path.join(migrationsDir(provider), 'migration_lock.toml');
    if (!fs.existsSync(lock)) fs.writeFileSync(lock, `# Do not edit: written by npm run migrate:create\nprovider = "${provider}"\n`);
    console.log(`${provider}: ${path.relative(process.cwd(), dir)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
