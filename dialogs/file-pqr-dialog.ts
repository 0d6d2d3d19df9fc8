import { ComponentDialog, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Activity } from 'botbuilder';
import { anonymize, isValidEmail, TYPE_THRESHOLD } from '../src/nlu';
import { formatDate, formatDateTime, PQR_TYPES, type Customer, type PqrType } from '../src/pqr';
import type { Translate } from '../src/i18n';
import { addressKey } from '../src/identity';
import { addressOfTurn, lastDigits, localeOf, textsFor, withChoices, type DialogDeps } from './context';
import { ConsentDialog, CONSENT_DIALOG } from './consent-dialog';
import { hasWords, isDone } from './free-text';
import { CustomerCheckDialog, CUSTOMER_CHECK_DIALOG } from './customer-check-dialog';
import { ask, choicePrompt, choose, textPrompt } from './prompts';

export const FILE_PQR_DIALOG = 'filePqrDialog';

const DESCRIBE_PROMPT = 'describePrompt';
const EMAIL_PROMPT = 'notifyEmailPrompt';
/** Enough to be a description, not just "quiero poner una queja". */
const MIN_DESCRIPTION_WORDS = 6;
export const MAX_DESCRIPTION_CHARS = 8000;

export interface FilePqrOptions {
  /** The user's first message, when it already tells what happened. */
  initialText?: string;
}

interface FilingState {
  customer: Customer;
  description: string;
  proposed: { type: PqrType; confidence: number };
  type: PqrType;
  notifyChannel: string;
  notifyAddress: string;
  initialText?: string;
  /** True while the user is adding messages to the description. */
  collecting?: boolean;
}

/**
 * Filing a PQR: consent → customer check → free-text description (several messages) → type
 * proposed by the classifier and confirmed or corrected by the user → where to answer → summary
 * → filed with CUN, filing date and due date. Nothing is stored until the user confirms.
 */
export class FilePqrDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(FILE_PQR_DIALOG);
    this.addDialog(new ConsentDialog(deps));
    this.addDialog(new CustomerCheckDialog(deps));
    this.addDialog(choicePrompt());
    this.addDialog(textPrompt(DESCRIBE_PROMPT, hasWords));
    this.addDialog(textPrompt(EMAIL_PROMPT, isValidEmail));
    this.addDialog(
      new WaterfallDialog('fileSteps', [
        this.consent.bind(this),
        this.customer.bind(this),
        this.describe.bind(this),
        this.describeMore.bind(this),
        this.proposeType.bind(this),
        this.askNotify.bind(this),
        this.notifyAddress.bind(this),
        this.summary.bind(this),
        this.file.bind(this),
      ]),
    );
    this.initialDialogId = 'fileSteps';
  }

  private state(step: WaterfallStepContext): FilingState {
    return step.values as FilingState;
  }

  private async consent(step: WaterfallStepContext) {
    this.state(step).initialText = (step.options as FilePqrOptions | undefined)?.initialText;
    return step.beginDialog(CONSENT_DIALOG);
  }

  private async customer(step: WaterfallStepContext) {
    if (step.result !== true) return step.endDialog();
    return step.beginDialog(CUSTOMER_CHECK_DIALOG);
  }

  private async describe(step: WaterfallStepContext) {
    if (!step.result) return step.endDialog();
    this.state(step).customer = step.result as Customer;
    const initial = this.state(step).initialText;
    if (initial && initial.trim().split(/\s+/).length >= MIN_DESCRIPTION_WORDS) return step.next(initial);
    const t = textsFor(step.context, this.deps);
    return step.prompt(DESCRIBE_PROMPT, { prompt: t('file.describe'), retryPrompt: t('file.describe.tooShort') });
  }

  /** Loops (by replacing itself) while the user keeps adding messages to the description. */
  private async describeMore(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = this.state(step);
    const added = String(step.result ?? '').trim();
    if (state.collecting && isDone(added, t)) {
      state.collecting = false;
      return step.next();
    }
    if (hasWords(added)) state.description = state.description ? `${state.description}\n${added}` : added;
    if (!state.description) {
      await step.context.sendActivity(t('tooManyTries', { channels: t('channels.short') }));
      return step.endDialog();
    }
    if (state.description.length >= MAX_DESCRIPTION_CHARS) {
      state.description = state.description.slice(0, MAX_DESCRIPTION_CHARS);
      await step.context.sendActivity(t('file.describe.tooLong', { max: MAX_DESCRIPTION_CHARS }));
      state.collecting = false;
      return step.next();
    }
    state.collecting = true;
    // Stay on this step: the next answer comes back here until the user says it is all.
    step.activeDialog!.state.stepIndex = step.index - 1;
    return step.prompt(DESCRIBE_PROMPT, {
      prompt: withChoices(t('file.describe.more', { done: t('file.describe.done') }), [t('file.describe.done')]),
    });
  }

  private async proposeType(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = this.state(step);
    const result = this.deps.nlu.classifyType(state.description, localeOf(step.context, this.deps));
    state.proposed = { type: result.label, confidence: result.confidence };
    if (result.confidence >= TYPE_THRESHOLD) {
      const others = PQR_TYPES.filter((type) => type !== result.label);
      return choose(step, t, t('file.type.propose', { type: t(`type.${result.label}`), definition: t(`type.${result.label}.definition`) }), [
        { value: t('file.type.confirm', { type: t(`type.${result.label}`) }), synonyms: ['si', 'sí', 'correcto', 'yes', t(`type.${result.label}`)] },
        ...others.map((type) => typeChoice(t, type)),
      ]);
    }
    const ranked = result.ranking.map((r) => r.label);
    const options = ranked.map((type) => t('file.type.option', { type: t(`type.${type}.title`), definition: t(`type.${type}.definition`) })).join('\n');
    return choose(step, t, t('file.type.ask', { options }), ranked.map((type) => typeChoice(t, type)));
  }

  private async askNotify(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = this.state(step);
    const choice = step.result as FoundChoice | undefined;
    if (!choice) return this.giveUp(step);
    state.type = typeOfChoice(t, choice, state.proposed.type);
    if (state.type !== state.proposed.type) {
      await this.deps.pqr.recordCorrection(anonymize(state.description), state.proposed.type, state.type, state.proposed.confidence);
    }
    return choose(step, t, t('file.notify.ask'), [
      { value: t('file.notify.chat'), synonyms: ['chat', 'aqui', 'aquí', 'este chat', 'whatsapp', 'telegram'] },
      { value: t('file.notify.email'), synonyms: ['correo', 'email', 'e-mail', 'mail', 'correo electronico'] },
    ]);
  }

  private async notifyAddress(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = this.state(step);
    const choice = step.result as FoundChoice | undefined;
    if (!choice) return this.giveUp(step);
    if (choice.index === 0) {
      const address = addressOfTurn(step.context);
      state.notifyChannel = address.channel;
      state.notifyAddress = addressKey(address);
      return step.next();
    }
    state.notifyChannel = 'email';
    if (state.customer.kind === 'non_customer') return step.next(state.customer.email);
    return ask(step, EMAIL_PROMPT, t('customer.email'), t('customer.email.retry'));
  }

  private async summary(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = this.state(step);
    if (state.notifyChannel === 'email') {
      const email = String(step.result ?? '').trim().toLowerCase();
      if (!isValidEmail(email)) return this.giveUp(step);
      state.notifyAddress = email;
    }
    const who = state.customer.kind === 'subscriber'
      ? t('file.summary.subscriber', { brand: this.deps.pqr.brandName(state.customer.brandId), lastDigits: lastDigits(state.customer.line) })
      : t('file.summary.nonCustomer', { name: state.customer.fullName });
    const description = state.description.length > 300 ? `${state.description.slice(0, 300)}…` : state.description;
    return choose(step, t, t('file.summary', { type: t(`type.${state.type}.title`), who, description, notify: this.notifyText(t, state) }), [
      { value: t('file.confirm'), synonyms: ['si', 'sí', 'radicar', 'radicala', 'confirmo', 'yes'] },
      { value: t('file.cancel'), synonyms: ['no', 'cancelar', 'cancel'] },
    ]);
  }

  private async file(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = this.state(step);
    const choice = step.result as FoundChoice | undefined;
    if (choice?.index !== 0) {
      await step.context.sendActivity(t('cancelled'));
      return step.endDialog();
    }
    const locale = localeOf(step.context, this.deps);
    const filed = await this.deps.pqr.file({
      type: state.type,
      description: state.description,
      user: addressOfTurn(step.context),
      customer: state.customer,
      notifyChannel: state.notifyChannel,
      notifyAddress: state.notifyAddress,
      classification: { proposed: state.proposed.type, confidence: Number(state.proposed.confidence.toFixed(3)) },
      filingKey: filingKeyOf(step.context.activity),
    });
    await step.context.sendActivity(
      t('file.filed', {
        type: t(`type.${filed.type}`),
        cun: filed.cun,
        filedAt: formatDateTime(filed.filedAt, locale),
        dueDate: formatDate(filed.dueDate, locale),
        answerDays: this.deps.answerDays,
        notify: this.notifyText(t, state),
      }),
    );
    return step.endDialog(filed);
  }

  private notifyText(t: Translate, state: FilingState): string {
    return state.notifyChannel === 'email' ? t('notify.email', { email: state.notifyAddress }) : t('notify.chat');
  }

  private async giveUp(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    await step.context.sendActivity(t('tooManyTries', { channels: t('channels.short') }));
    return step.endDialog();
  }
}

/** The message that confirmed the filing: a re-run of its turn after a crash finds the PQR it filed. */
function filingKeyOf(activity: Partial<Activity>): string | undefined {
  return activity.id ? `${activity.channelId}:${activity.conversation?.id}:${activity.id}` : undefined;
}

function typeChoice(t: Translate, type: PqrType) {
  return { value: t(`type.${type}.title`), synonyms: [type, t(`type.${type}`), `es una ${t(`type.${type}`)}`, `es un ${t(`type.${type}`)}`] };
}

/** The confirm button stands for the proposed type; the others name their type. */
function typeOfChoice(t: Translate, choice: FoundChoice, proposed: PqrType): PqrType {
  return PQR_TYPES.find((type) => choice.value === t(`type.${type}.title`)) ?? proposed;
}
