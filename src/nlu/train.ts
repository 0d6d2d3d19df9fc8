/** Trains the NLU of every language on its corpus and writes the model caches (`npm run nlu:train`); a fresh cache is left alone. */
import { LOCALES } from '../i18n';
import { DEFAULT_CACHE_FILE, cacheFileFor, loadOrTrain } from './recognizer';

const file = process.argv[2] ?? DEFAULT_CACHE_FILE;
for (const locale of LOCALES) {
  const started = Date.now();
  const { trained } = loadOrTrain(file, locale);
  const target = cacheFileFor(file, locale);
  console.log(trained ? `${locale}: trained in ${Date.now() - started} ms → ${target}` : `${locale}: ${target} is up to date with the corpus`);
}
