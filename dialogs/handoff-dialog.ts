import type { TurnContext } from 'botbuilder';
import { ComponentDialog, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import { OFFER_KEYS, OFFER_KEYS_WAITING } from '../src/handoff';
import type { Clarified } from './clarify-intent-dialog';
import { ConsentDialog, CONSENT_DIALOG } from './consent-dialog';
import { addressOfTurn, commandOf, localeOf, pickedButton, textsFor, withChoices, type DialogDeps } from './context';
import { choicePrompt, choose } from './prompts';

export const HANDOFF_DIALOG = 'handoffDialog';
const OFFER_PROMPT = 'handoffOfferPrompt';

/**
 * Set in `turnState` by the bot: the user's last few messages, so the agent's summary says what
 * they wanted before asking for a person.
 */
export const RECENT_TEXTS = Symbol('recentTexts');

/**
 * "Quiero hablar con una persona": after the privacy consent (the transcript is personal data),
 * the conversation joins the agents' queue and the bot says what happens next; when nobody can
 * take it (outside hours, no agent online, queue full) the bot says so and offers to file a PQR
 * now or to be contacted (a callback request the next agent sees).
 */
export class HandoffDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(HANDOFF_DIALOG);
    this.addDialog(new ConsentDialog(deps));
    this.addDialog(choicePrompt(OFFER_PROMPT));
    this.addDialog(new WaterfallDialog('handoffSteps', [this.consent.bind(this), this.queue.bind(this), this.offerTaken.bind(this)]));
    this.initialDialogId = 'handoffSteps';
  }

  private async consent(step: WaterfallStepContext) {
    return step.beginDialog(CONSENT_DIALOG);
  }

  private async queue(step: WaterfallStepContext) {
    if (step.result !== true) return step.endDialog();
    const handoffs = this.deps.handoffs!;
    const context = step.context;
    const t = textsFor(context, this.deps);
    const user = addressOfTurn(context);
    const availability = await handoffs.availability();
    if (availability.open) {
      // A callback request of this user becomes the live conversation.
      const handoff = await handoffs.request(user, { kind: 'live', recent: recentTexts(context), locale: context.activity.locale });
      const text = t('handoff.queued', { minutes: availability.expectedMinutes });
      await context.sendActivity(text);
      await handoffs.recordBotMessage(handoff.id, text);
      return step.endDialog();
    }
    const why =
      availability.reason === 'closed'
        ? t('handoff.unavailable.closed', { opening: handoffs.formatOpening(availability.nextOpening!, localeOf(context, this.deps)) })
        : availability.reason === 'busy'
          ? t('handoff.unavailable.busy', { minutes: availability.expectedMinutes ?? 0 })
          : t('handoff.unavailable.nobody');
    return choose(step, t, why, OFFER_KEYS.map((key) => t(key)), OFFER_PROMPT);
  }

  private async offerTaken(step: WaterfallStepContext) {
    const context = step.context;
    const t = textsFor(context, this.deps);
    const choice = step.result as FoundChoice | undefined;
    if (choice?.index === 0) return step.endDialog({ intent: 'radicar_pqr', text: '' } satisfies Clarified);
    if (choice?.index === 1) {
      const handoff = await this.deps.handoffs!.request(addressOfTurn(context), { kind: 'callback', recent: recentTexts(context), locale: context.activity.locale });
      const text = t('handoff.callback.queued');
      await context.sendActivity(text);
      await this.deps.handoffs!.recordBotMessage(handoff.id, text);
      return step.endDialog();
    }
    return step.endDialog({ other: true });
  }
}

function recentTexts(context: TurnContext): string[] {
  return (context.turnState.get(RECENT_TEXTS) as string[] | undefined) ?? [];
}

/**
 * While the user's conversation is with an agent (waiting or held) the bot stays silent: the
 * message joins the transcript the agent sees. "cancelar" and "menú" end the handoff. After a long
 * wait the user may pick one of the offered buttons instead. True when the turn is done.
 */
export async function relayToAgent(context: TurnContext, deps: DialogDeps, showMenu: () => Promise<void>): Promise<boolean> {
  if (!deps.handoffs || context.activity.type !== 'message') return false;
  const handoff = await deps.handoffs.openFor(addressOfTurn(context));
  if (!handoff || handoff.kind !== 'live') return false;
  const t = textsFor(context, deps);
  const text = (context.activity.text ?? '').trim();
  const command = commandOf(text);
  if (command === 'cancel' || command === 'menu') {
    await deps.handoffs.leave(handoff);
    await context.sendActivity(t('handoff.left'));
    await showMenu();
    return true;
  }
  if (handoff.state === 'waiting' && handoff.waitNoticeAt) {
    const picked = pickedButton(text, OFFER_KEYS_WAITING.map((key) => t(key)));
    if (picked === 0) {
      // The main dialog routes "Radicar una PQR" to filing.
      await deps.handoffs.leave(handoff);
      return false;
    }
    if (picked === 1) {
      await deps.handoffs.toCallback(handoff);
      await context.sendActivity(withChoices(t('handoff.callback.queued'), [t('menu.back')]));
      return true;
    }
    if (picked === 2) {
      await context.sendActivity(t('handoff.keepWaiting'));
      return true;
    }
  }
  const attachments = context.activity.attachments?.length ?? 0;
  const line = text || (attachments ? t('handoff.transcript.attachment') : '');
  if (line) await deps.handoffs.recordUserMessage(handoff, line, context.activity.id);
  return true;
}
