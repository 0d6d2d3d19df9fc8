import fs from 'node:fs';
import path from 'node:path';
import { bindMigrationAwareSqlAdapterFactory, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type * as SchemaEngineGlue from '@prisma/schema-engine-wasm/schema_engine_bg';
import { fromRoot } from '../paths';

/**
 * The Prisma CLI cannot migrate offline (it downloads a native schema engine), so migrations are
 * created and applied through the WASM build of the same engine, driven by the driver adapter.
 */
export type Provider = 'sqlite' | 'postgresql';

export const PRISMA_DIR = fromRoot('prisma');
const MODELS_FILE = path.join(PRISMA_DIR, 'models.prisma');

let wasmReady: Promise<void> | undefined;
/** The engine's JS glue, loaded with the WASM: only a start that has migrations to apply (or `migrate:create`) pays for either. */
let bg: typeof SchemaEngineGlue;

function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    bg = require('@prisma/schema-engine-wasm/schema_engine_bg') as typeof SchemaEngineGlue;
    const wasmPath = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
    const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), { './schema_engine_bg.js': bg as unknown as WebAssembly.ModuleImports });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return wasmReady;
}

export function schemaFiles(provider: Provider): { path: string; content: string }[] {
  const dir = path.join(PRISMA_DIR, provider);
  return [
    { path: path.join(dir, 'schema.prisma'), content: fs.readFileSync(path.join(dir, 'schema.prisma'), 'utf8') },
    { path: MODELS_FILE, content: fs.readFileSync(MODELS_FILE, 'utf8') },
  ];
}

export function migrationsDir(provider: Provider): string {
  return path.join(PRISMA_DIR, provider, 'migrations');
}

export function migrationsList(provider: Provider) {
  const baseDir = migrationsDir(provider);
  const dirs = fs.existsSync(baseDir)
    ? fs.readdirSync(baseDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  const lockPath = path.join(baseDir, 'migration_lock.toml');
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((dir) => ({
      path: dir,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: fs.readFileSync(path.join(baseDir, dir, 'migration.sql'), 'utf8') },
      },
    })),
  };
}

const NO_FILTERS = { externalTables: [], externalEnums: [] };

export async function withSchemaEngine<T>(
  provider: Provider,
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  use: (engine: SchemaEngineGlue.SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadWasm();
  const datamodels = schemaFiles(provider).map((f) => [f.path, f.content] as [string, string]);
  // The engine never closes the connections it opens; track them so a SQLite file is not left locked.
  const opened: SqlDriverAdapter[] = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => track(await adapterFactory.connect()),
    connectToShadowDb: async () => track(await adapterFactory.connectToShadowDb()),
  };
  function track(adapter: SqlDriverAdapter): SqlDriverAdapter {
    opened.push(adapter);
    return adapter;
  }
  const engine = await bg.SchemaEngine.new({ datamodels }, () => {}, bindMigrationAwareSqlAdapterFactory(tracking));
  try {
    return await use(engine);
  } finally {
    engine.free();
    await Promise.all(opened.map((adapter) => adapter.dispose()));
  }
}

/** Applies the pending migrations of `provider`; idempotent, records `_prisma_migrations` like `migrate deploy`. */
export async function applyMigrations(provider: Provider, adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  return withSchemaEngine(provider, adapterFactory, async (engine) => {
    const result = await engine.applyMigrations({ migrationsList: migrationsList(provider), filters: NO_FILTERS });
    return result.appliedMigrationNames;
  });
}

/** SQL that takes the previous schema snapshot (or nothing) to the current models; empty when up to date. */
export async function diffSchema(provider: Provider, adapterFactory: SqlMigrationAwareDriverAdapterFactory, previous: { path: string; content: string }[] | null): Promise<string> {
  return withSchemaEngine(provider, adapterFactory, async (engine) => {
    const result = await engine.diff({
      from: previous ? { tag: 'schemaDatamodel', files: previous } : { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: schemaFiles(provider) },
      script: true,
      exitCode: true,
      shadowDatabaseUrl: null,
      filters: NO_FILTERS,
    } as Parameters<SchemaEngineGlue.SchemaEngine['diff']>[0]);
    return (result as { stdout?: string }).stdout ?? '';
  });
}
