import { BayesClassifier } from 'natural/lib/natural/classifiers';
import { PorterStemmerEs } from 'natural/lib/natural/stemmers';
import type { Example } from './corpus';
import { normalize } from './normalize';
import type { Intent, PqrType, Recognition, Recognizer, Scored, TypeRecognition } from './types';

/**
 * natural's own BayesClassifier with the settings the trial found best (stop words kept, smoothing
 * 0.05, same normalisation): what `eval --baseline` compares the project's model against.
 */
function bayes(examples: { text: string; label: string }[]): BayesClassifier {
  const c = new BayesClassifier(PorterStemmerEs, 0.05);
  c.setOptions({ keepStops: true });
  for (const e of examples) c.addDocument(normalize(e.text), e.label);
  c.train();
  return c;
}

function scored<T>(c: BayesClassifier, text: string): Scored<T>[] {
  const raw = c.getClassifications(normalize(text));
  const sum = raw.reduce((a, r) => a + r.value, 0) || 1;
  return raw.map((r) => ({ label: r.label as T, score: r.value / sum })).sort((a, b) => b.score - a.score);
}

export function trainBayesBaseline(examples: Example[]): Recognizer {
  const intent = bayes(examples.map((e) => ({ text: e.text, label: e.intent })));
  const type = bayes(examples.filter((e) => e.type).map((e) => ({ text: e.text, label: e.type as string })));
  const classifyType = (text: string): TypeRecognition => {
    const ranking = scored<PqrType>(type, text);
    return { label: ranking[0].label, confidence: ranking[0].score, ranking };
  };
  return {
    classifyType,
    recognize(text: string): Recognition {
      const intents = scored<Intent>(intent, text);
      const top = intents[0];
      return { intent: top.label, confidence: top.score, intents, type: top.label === 'radicar_pqr' ? classifyType(text) : null, entities: {}, empty: false };
    },
  };
}
