import { ConfigError, loadConfig, loadEnvFile } from '../config';
import { openDatabase, type Database } from '../storage';

/** Opens the configured database (.env, then the environment) for one command, and closes it after. */
export async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  loadEnvFile();
  const db = await openDatabase(loadConfig().databaseUrl);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/**
 * Runs a command's `main` and exits with its code. An error the user can fix (a bad setting, or
 * one of `userErrors`) prints its message alone and exits 2; anything else prints in full and exits
 * with `failureCode`.
 */
export function runCommand(main: () => Promise<number>, options: { userErrors?: (new (...args: never[]) => Error)[]; failureCode?: number } = {}): void {
  const userErrors = [ConfigError, ...(options.userErrors ?? [])];
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const theirs = userErrors.some((kind) => error instanceof kind);
      console.error(theirs ? (error as Error).message : error);
      process.exit(theirs ? 2 : (options.failureCode ?? 2));
    },
  );
}
