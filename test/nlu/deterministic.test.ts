import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOCALES } from '../../src/i18n';
import { DEFAULT_CACHE_FILE, cacheFileFor, loadOrTrain } from '../../src/nlu/recognizer';

const ROOT = path.resolve(__dirname, '../..');

/**
 * `npm install` trains the models once (data/nlu-model*.json) and every start and test loads them,
 * so retraining must give the same bytes: a model built on another machine or at another install
 * answers exactly like the one that was evaluated.
 */
describe('NLU training is deterministic', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nlu-determinism-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a fresh process training on the same corpus writes byte-identical model files', () => {
    // The install-built cache, brought up to date with the corpus if it was edited since.
    for (const locale of LOCALES) loadOrTrain(DEFAULT_CACHE_FILE, locale);
    const fresh = path.join(dir, 'model.json');
    // `npm run nlu:train -- <file>` in a separate process: nothing shared with this one.
    execFileSync(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'src/nlu/train.ts'), fresh], { cwd: ROOT, stdio: 'pipe' });
    for (const locale of LOCALES) {
      const built = readFileSync(cacheFileFor(DEFAULT_CACHE_FILE, locale));
      const again = readFileSync(cacheFileFor(fresh, locale));
      expect(again.length).toBeGreaterThan(100_000);
      expect(again.equals(built)).toBe(true);
    }
  }, 300_000);
});
