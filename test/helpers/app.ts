import { buildApp, listen, type App, type AppOptions } from '../../src/index';
import { loadConfig } from '../../src/config';
import { DEFAULT_CACHE_FILE } from '../../src/nlu/recognizer';
import { FixedClock, type Clock } from '../../src/pqr';
import { createTestDb, type TestDb } from './db';

/** The model `npm install` built (data/nlu-model.json): tests load it instead of training their own. */
export const NLU_TEST_CACHE = DEFAULT_CACHE_FILE;

export interface RunningApp {
  app: App;
  db: TestDb;
  url: string;
  clock: Clock;
  close(): Promise<void>;
}

/** The whole server, as `npm start` builds it, on a fresh test database and a free port. */
export async function startTestApp(env: Record<string, string> = {}, clock: Clock = new FixedClock('2026-11-23T15:00:00Z'), options: Omit<AppOptions, 'clock' | 'nluCacheFile'> = {}): Promise<RunningApp> {
  const db = await createTestDb();
  const config = loadConfig({ DATABASE_URL: db.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DIRECTLINE_SECRET: 'test-directline-secret-0123456789', ...env });
  const app = await buildApp(config, { ...options, clock, nluCacheFile: NLU_TEST_CACHE });
  const url = await listen(app);
  return {
    app,
    db,
    url,
    clock,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
