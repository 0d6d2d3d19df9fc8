import type { Locale } from '../i18n';
import type { Example } from './corpus';
import type { Recognizer } from './types';

export interface ClassReport {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Report {
  examples: number;
  intentAccuracy: number;
  intentMacroF1: number;
  /** Type of the radicar_pqr lines that name one, as the dialogs ask it: classifyType on the description. */
  typeAccuracy: number;
  typeMacroF1: number;
  /** Type when the intent model also had to pick radicar_pqr first (a wrong intent counts as a wrong type). */
  typeEndToEndAccuracy: number;
  perIntent: Record<string, ClassReport>;
  perType: Record<string, ClassReport>;
  /** confusion[gold][predicted] = count */
  confusion: Record<string, Record<string, number>>;
  typeConfusion: Record<string, Record<string, number>>;
  /** Share of predictions under the threshold (the bot would ask), and accuracy of the rest. */
  intentBelowThreshold: number;
  intentAccuracyAboveThreshold: number;
  typeBelowThreshold: number;
  typeAccuracyAboveThreshold: number;
  /** Expected calibration error of the top intent's confidence (10 bins). */
  intentCalibrationError: number;
  errors: { text: string; gold: string; predicted: string; confidence: number }[];
}

export interface Prediction {
  gold: string;
  predicted: string;
  confidence: number;
}

function perClass(labels: string[], preds: Prediction[]): Record<string, ClassReport> {
  const out: Record<string, ClassReport> = {};
  for (const l of labels) {
    const tp = preds.filter((p) => p.gold === l && p.predicted === l).length;
    const predicted = preds.filter((p) => p.predicted === l).length;
    const support = preds.filter((p) => p.gold === l).length;
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    out[l] = { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support };
  }
  return out;
}

function confusion(labels: string[], preds: Prediction[]): Record<string, Record<string, number>> {
  const m: Record<string, Record<string, number>> = {};
  for (const g of labels) m[g] = Object.fromEntries(labels.map((p) => [p, 0]));
  for (const p of preds) {
    m[p.gold] ??= Object.fromEntries(labels.map((l) => [l, 0]));
    m[p.gold][p.predicted] = (m[p.gold][p.predicted] ?? 0) + 1;
  }
  return m;
}

const accuracy = (preds: Prediction[]) => (preds.length ? preds.filter((p) => p.gold === p.predicted).length / preds.length : 0);

function macroF1(report: Record<string, ClassReport>): number {
  const present = Object.values(report).filter((r) => r.support > 0);
  return present.length ? present.reduce((a, r) => a + r.f1, 0) / present.length : 0;
}

function calibrationError(preds: Prediction[]): number {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, conf: 0, correct: 0 }));
  for (const p of preds) {
    const b = bins[Math.min(9, Math.floor(p.confidence * 10))];
    b.n++;
    b.conf += p.confidence;
    b.correct += p.gold === p.predicted ? 1 : 0;
  }
  return bins.reduce((a, b) => a + (b.n ? (b.n / preds.length) * Math.abs(b.conf / b.n - b.correct / b.n) : 0), 0);
}

function split(preds: Prediction[], threshold: number): { below: number; aboveAccuracy: number } {
  const above = preds.filter((p) => p.confidence >= threshold);
  return { below: preds.length ? 1 - above.length / preds.length : 0, aboveAccuracy: accuracy(above) };
}

export interface Predictions {
  texts: string[];
  intent: Prediction[];
  type: Prediction[];
  typeEndToEnd: Prediction[];
}

/** `locale` plays the conversation's language, for the texts that do not say theirs. */
export function predictAll(recognizer: Recognizer, examples: Example[], locale?: Locale): Predictions {
  const out: Predictions = { texts: [], intent: [], type: [], typeEndToEnd: [] };
  for (const e of examples) {
    const r = recognizer.recognize(e.text, undefined, locale);
    out.texts.push(e.text);
    out.intent.push({ gold: e.intent, predicted: r.intent, confidence: r.confidence });
    if (e.intent === 'radicar_pqr' && e.type) {
      const t = recognizer.classifyType(e.text, locale);
      out.type.push({ gold: e.type, predicted: t.label, confidence: t.confidence });
      out.typeEndToEnd.push({ gold: e.type, predicted: r.type?.label ?? r.intent, confidence: r.type?.confidence ?? 0 });
    }
  }
  return out;
}

export function mergePredictions(parts: Predictions[]): Predictions {
  return {
    texts: parts.flatMap((p) => p.texts),
    intent: parts.flatMap((p) => p.intent),
    type: parts.flatMap((p) => p.type),
    typeEndToEnd: parts.flatMap((p) => p.typeEndToEnd),
  };
}

export function report(p: Predictions, intents: readonly string[], types: readonly string[], thresholds: { intent: number; type: number }): Report {
  const perIntent = perClass([...intents], p.intent);
  const perType = perClass([...types], p.type);
  const i = split(p.intent, thresholds.intent);
  const t = split(p.type, thresholds.type);
  return {
    examples: p.intent.length,
    intentAccuracy: accuracy(p.intent),
    intentMacroF1: macroF1(perIntent),
    typeAccuracy: accuracy(p.type),
    typeMacroF1: macroF1(perType),
    typeEndToEndAccuracy: accuracy(p.typeEndToEnd),
    perIntent,
    perType,
    confusion: confusion([...intents], p.intent),
    typeConfusion: confusion([...types], p.type),
    intentBelowThreshold: i.below,
    intentAccuracyAboveThreshold: i.aboveAccuracy,
    typeBelowThreshold: t.below,
    typeAccuracyAboveThreshold: t.aboveAccuracy,
    intentCalibrationError: calibrationError(p.intent),
    errors: p.intent
      .map((x, k) => ({ text: p.texts[k], gold: x.gold, predicted: x.predicted, confidence: x.confidence }))
      .filter((x) => x.gold !== x.predicted),
  };
}

/** Stratified k folds on intent+type with a fixed seed, so every run reports the same figures. */
export function stratifiedFolds(examples: Example[], k: number, seed = 42): Example[][] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const groups = new Map<string, Example[]>();
  for (const e of examples) {
    const key = `${e.intent}/${e.type ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const folds: Example[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key) ?? [];
    for (let i = g.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [g[i], g[j]] = [g[j], g[i]];
    }
    for (const e of g) folds[next++ % k].push(e);
  }
  return folds;
}
