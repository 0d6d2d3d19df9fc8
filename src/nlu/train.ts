/** Trains the NLU on the corpus and writes the model cache (`npm run nlu:train`); a fresh cache is left alone. */
import { DEFAULT_CACHE_FILE, loadOrTrain } from './recognizer';

const file = process.argv[2] ?? DEFAULT_CACHE_FILE;
const started = Date.now();
const { trained } = loadOrTrain(file);
console.log(trained ? `trained in ${Date.now() - started} ms → ${file}` : `${file} is up to date with the corpus`);
