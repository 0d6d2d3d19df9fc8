import type { TurnContext } from 'botbuilder';
import { SCORE_KEYS } from '../src/handoff';
import { INTENT_THRESHOLD, type Intent } from '../src/nlu';
import { addressOfTurn, commandOf, pickedButton, textsFor, withChoices, type DialogDeps } from './context';

/** Intents that mean the user moved on to a new request rather than leaving a comment. */
const REQUESTS: Intent[] = ['consultar_estado', 'recurso'];
/**
 * A complaint reads like a comment ("pésimo servicio, nunca me solucionan"): only an explicit
 * request ("quiero poner una queja") counts as a new filing.
 */
const ASKS_TO_FILE = /\b(quiero|quisiera|necesito|deseo|voy a|radicar|poner|presentar|interponer)\b/;

/**
 * The answer to "¿Cómo calificas la atención?" (asked through the outbox after an answer was
 * delivered or a live conversation ended): a score from 1 to 5, then an optional comment. Anything
 * else is the user's next request and goes on normally; the question is then dropped, so a later
 * "3" picks a menu option, not a score. True when the message was the rating and has been answered.
 */
export async function captureRating(context: TurnContext, deps: DialogDeps): Promise<boolean> {
  if (!deps.ratings || context.activity.type !== 'message') return false;
  const pending = await deps.ratings.pendingFor(addressOfTurn(context));
  if (!pending) return false;
  const t = textsFor(context, deps);
  const text = (context.activity.text ?? '').trim();
  const score = pickedButton(text, SCORE_KEYS.map((key) => t(key))) + 1;
  if (pending.state === 'asked') {
    if (score === 0 || !(await deps.ratings.score(pending.id, score))) {
      await deps.ratings.finish(pending);
      return false;
    }
    await context.sendActivity(withChoices(t('rating.askComment'), [t('rating.noComment')]));
    return true;
  }
  // Waiting for the optional comment.
  const noComment = pickedButton(text, [t('rating.noComment')]) === 0;
  if (score > 0 || noComment || !text || commandOf(text) || isNewRequest(text, deps)) {
    await deps.ratings.finish(pending);
    if (score > 0) await context.sendActivity(t('rating.already'));
    else if (noComment) await context.sendActivity(t('rating.thanks'));
    return score > 0 || noComment;
  }
  await deps.ratings.comment(pending.id, text);
  await context.sendActivity(t('rating.thanks'));
  return true;
}

function isNewRequest(text: string, deps: DialogDeps): boolean {
  const recognition = deps.nlu.recognize(text, deps.clock.now());
  if (recognition.entities.cun) return true;
  if (recognition.confidence < INTENT_THRESHOLD) return false;
  return REQUESTS.includes(recognition.intent as Intent) || (recognition.intent === 'radicar_pqr' && ASKS_TO_FILE.test(text.toLowerCase()));
}
