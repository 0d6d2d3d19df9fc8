/**
 * Quality report of the NLU on a labelled JSONL file, or k-fold cross-validation on a corpus.
 * `--locale en` reads the file as an English conversation would (each text by the model of its
 * language, the rest in English), or cross-validates the English corpus; the default is es-CO.
 *   npx tsx src/nlu/eval.ts FILE.jsonl [--locale L] [--json] [--min-intent-accuracy X] [--min-type-f1 Y]
 *   npx tsx src/nlu/eval.ts --cv 5 [--locale L] [--seed N] [--json] [--baseline]
 */
import { LOCALES, type Locale } from '../i18n';
import { trainBayesBaseline } from './baseline';
import { CorpusError, corpusDir, loadCorpus, readExamples, type Example } from './corpus';
import { mergePredictions, predictAll, report, stratifiedFolds, type ClassReport, type Report } from './metrics';
import { DEFAULT_NLU_LOCALE, INTENT_THRESHOLD, NluRecognizer, TYPE_THRESHOLD, loadAll, trainNlu } from './recognizer';
import { INTENTS, PQR_TYPES, type Recognizer } from './types';

interface Args {
  file?: string;
  cv?: number;
  /** Shuffles the folds differently: how much the figures move with the split. */
  seed: number;
  locale: Locale;
  json: boolean;
  baseline: boolean;
  minIntentAccuracy?: number;
  minTypeF1?: number;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false, baseline: false, seed: 42, locale: DEFAULT_NLU_LOCALE };
  const number = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n)) throw new UsageError(`${flag} needs a number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--baseline') args.baseline = true;
    else if (a === '--cv') args.cv = number(a, argv[++i]);
    else if (a === '--seed') args.seed = number(a, argv[++i]);
    else if (a === '--locale') {
      const locale = argv[++i];
      if (!LOCALES.includes(locale as Locale)) throw new UsageError(`--locale needs one of ${LOCALES.join(', ')}`);
      args.locale = locale as Locale;
    }
    else if (a === '--min-intent-accuracy') args.minIntentAccuracy = number(a, argv[++i]);
    else if (a === '--min-type-f1') args.minTypeF1 = number(a, argv[++i]);
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else if (args.file) throw new UsageError('give one file');
    else args.file = a;
  }
  if (args.cv !== undefined && (!Number.isInteger(args.cv) || args.cv < 2)) throw new UsageError('--cv needs an integer of at least 2');
  if (!args.file && args.cv === undefined) throw new UsageError('give a FILE.jsonl or --cv K');
  return args;
}

type Train = (examples: Example[], locale: Locale) => Recognizer;

function crossValidate(examples: Example[], k: number, seed: number, locale: Locale, trainer: Train): Report {
  const folds = stratifiedFolds(examples, k, seed);
  const parts = folds.map((test, i) => predictAll(trainer(folds.filter((_, j) => j !== i).flat(), locale), test));
  return report(mergePredictions(parts), INTENTS, PQR_TYPES, { intent: INTENT_THRESHOLD, type: TYPE_THRESHOLD });
}

const pct = (x: number) => (x * 100).toFixed(1).padStart(6);

function classTable(title: string, rows: Record<string, ClassReport>): string {
  const width = Math.max(...Object.keys(rows).map((k) => k.length), title.length);
  const lines = [`${title.padEnd(width)}  precision  recall      F1  support`];
  for (const [label, r] of Object.entries(rows)) {
    lines.push(`${label.padEnd(width)}     ${pct(r.precision)}  ${pct(r.recall)}  ${pct(r.f1)}  ${String(r.support).padStart(7)}`);
  }
  return lines.join('\n');
}

function confusionTable(m: Record<string, Record<string, number>>): string {
  const labels = Object.keys(m);
  const short = (l: string) => l.slice(0, 7);
  const width = Math.max(...labels.map((l) => l.length));
  const lines = [`${'gold \\ predicted'.padEnd(width)} ${labels.map((l) => short(l).padStart(7)).join(' ')}`];
  for (const g of labels) lines.push(`${g.padEnd(width)} ${labels.map((p) => String(m[g][p] ?? 0).padStart(7)).join(' ')}`);
  return lines.join('\n');
}

function printReport(title: string, r: Report): void {
  console.log(`\n== ${title} (${r.examples} examples)`);
  console.log(`intent accuracy ${pct(r.intentAccuracy)}%   intent macro-F1 ${pct(r.intentMacroF1)}%`);
  console.log(`type macro-F1   ${pct(r.typeMacroF1)}%   type accuracy   ${pct(r.typeAccuracy)}%   type after intent ${pct(r.typeEndToEndAccuracy)}%`);
  console.log(
    `below threshold: intents ${pct(r.intentBelowThreshold)}% (accuracy of the rest ${pct(r.intentAccuracyAboveThreshold)}%), ` +
      `types ${pct(r.typeBelowThreshold)}% (accuracy of the rest ${pct(r.typeAccuracyAboveThreshold)}%)`,
  );
  console.log(`intent calibration error ${r.intentCalibrationError.toFixed(3)}\n`);
  console.log(classTable('intent', r.perIntent));
  console.log(`\n${classTable('type', r.perType)}\n`);
  console.log(confusionTable(r.confusion));
  console.log(`\n${confusionTable(r.typeConfusion)}`);
  if (r.errors.length) {
    console.log('\nintent errors:');
    for (const e of r.errors) console.log(`  ${e.gold} → ${e.predicted} (${e.confidence.toFixed(2)}): ${e.text.slice(0, 100)}`);
  }
}

function main(argv: string[]): number {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`nlu:eval: ${err.message}\nusage: eval.ts FILE.jsonl [--locale L] [--json] [--min-intent-accuracy X] [--min-type-f1 Y] | eval.ts --cv K [--locale L] [--seed N] [--json] [--baseline]`);
    return 2;
  }
  let result: Report;
  let baseline: Report | undefined;
  try {
    if (args.cv !== undefined) {
      const { examples } = loadCorpus(corpusDir(args.locale));
      result = crossValidate(examples, args.cv, args.seed, args.locale, (ex, locale) => new NluRecognizer(trainNlu(ex, locale)));
      if (args.baseline) baseline = crossValidate(examples, args.cv, args.seed, args.locale, trainBayesBaseline);
    } else {
      const examples = readExamples(args.file as string);
      result = report(predictAll(loadAll(), examples, args.locale), INTENTS, PQR_TYPES, { intent: INTENT_THRESHOLD, type: TYPE_THRESHOLD });
    }
  } catch (err) {
    if (!(err instanceof CorpusError)) throw err;
    console.error(`nlu:eval: ${err.message}`);
    return 2;
  }
  const title = args.cv !== undefined ? `${args.cv}-fold cross-validation on the ${args.locale} corpus (seed ${args.seed})` : `${args.file as string} (${args.locale})`;
  if (args.json) console.log(JSON.stringify(baseline ? { ...result, baseline } : result));
  else {
    printReport(title, result);
    if (baseline) printReport(`${title}, natural BayesClassifier baseline`, baseline);
  }
  const failures: string[] = [];
  if (args.minIntentAccuracy !== undefined && result.intentAccuracy < args.minIntentAccuracy) {
    failures.push(`intent accuracy ${result.intentAccuracy.toFixed(3)} < ${args.minIntentAccuracy}`);
  }
  if (args.minTypeF1 !== undefined && result.typeMacroF1 < args.minTypeF1) failures.push(`type macro-F1 ${result.typeMacroF1.toFixed(3)} < ${args.minTypeF1}`);
  for (const f of failures) console.error(`nlu:eval: below the floor: ${f}`);
  return failures.length ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
