import { BayesClassifier } from 'natural/lib/natural/classifiers';
import { PorterStemmer, PorterStemmerEs } from 'natural/lib/natural/stemmers';
import type { Locale } from '../i18n';
import type { Example } from './corpus';
import { normalize } from './normalize';
import type { Intent, PqrType, Recognition, Recognizer, Scored, TypeRecognition } from './types';

/**
 * natural's own BayesClassifier with the settings the trial found best (stop words kept, smoothing
 * 0.05, same normalisation): what `eval --baseline` compares the project's model against.
 */
function bayes(examples: { text: string; label: string }[], locale: Locale): BayesClassifier {
  const c = new BayesClassifier(locale === 'en' ? PorterStemmer : PorterStemmerEs, 0.05);
  c.setOptions({ keepStops: true });
  for (const e of examples) c.addDocument(normalize(e.text, locale), e.label);
  c.train();
  return c;
}

function scored<T>(c: BayesClassifier, text: string, locale: Locale): Scored<T>[] {
  const raw = c.getClassifications(normalize(text, locale));
  const sum = raw.reduce((a, r) => a + r.value, 0) || 1;
  return raw.map((r) => ({ label: r.label as T, score: r.value / sum })).sort((a, b) => b.score - a.score);
}

export function trainBayesBaseline(examples: Example[], locale: Locale): Recognizer {
  const intent = bayes(examples.map((e) => ({ text: e.text, label: e.intent })), locale);
  const type = bayes(examples.filter((e) => e.type).map((e) => ({ text: e.text, label: e.type as string })), locale);
  const classifyType = (text: string): TypeRecognition => {
    const ranking = scored<PqrType>(type, text, locale);
    return { label: ranking[0].label, confidence: ranking[0].score, ranking };
  };
  return {
    classifyType,
    recognize(text: string): Recognition {
      const intents = scored<Intent>(intent, text, locale);
      const top = intents[0];
      return { intent: top.label, confidence: top.score, intents, type: top.label === 'radicar_pqr' ? classifyType(text) : null, entities: {}, empty: false, locale };
    },
  };
}
