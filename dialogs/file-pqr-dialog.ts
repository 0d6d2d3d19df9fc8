import { ComponentDialog, TextPrompt, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Activity } from 'botbuilder';
import { anonymize, asksToEndAService, INTENT_THRESHOLD, shortReply, TYPE_THRESHOLD } from '../src/nlu';
import { formatDate, formatDateTime, PQR_TYPES, type Customer, type PqrType } from '../src/pqr';
import type { Translate } from '../src/i18n';
import { addressKey } from '../src/identity';
import { addressOfTurn, fold, lastDigits, localeOf, menuChoices, pickedButton, textsFor, withChoices, type DialogDeps } from './context';
import { ConsentDialog, CONSENT_DIALOG } from './consent-dialog';
import { CorrectFieldDialog, CORRECT_FIELD_DIALOG, notifyChoices, typeChoice, typeOptions, type CorrectFieldOptions } from './correct-field-dialog';
import { correctionOf, type Correction } from './corrections';
import { EmailDialog, EMAIL_DIALOG } from './email-dialog';
import { hasWords, isDone, isOnlyFiller, splitRequests } from './free-text';
import { CustomerCheckDialog, CUSTOMER_CHECK_DIALOG } from './customer-check-dialog';
import { choicePrompt, choose, textPrompt, yesNo } from './prompts';

export const FILE_PQR_DIALOG = 'filePqrDialog';

const DESCRIBE_PROMPT = 'describePrompt';
const MORE_PROMPT = 'describeMorePrompt';
const SECOND_PROMPT = 'secondRequestPrompt';
/** Takes any answer to the summary: the step reads it as a confirmation, a correction or a question. */
const SUMMARY_PROMPT = 'summaryPrompt';
/** Enough to tell what happened ("me robaron el celular"), once greetings and "quiero poner una queja" are set aside. */
const MIN_DESCRIPTION_WORDS = 3;
export const MAX_DESCRIPTION_CHARS = 8000;
const SUMMARY_DESCRIPTION_CHARS = 300;

/** A PQR filed right after another in the same conversation: same person, same answer channel. */
export interface FollowUp {
  customer: Customer;
  notifyChannel: string;
  notifyAddress: string;
}

export interface FilePqrOptions {
  /** The user's first message, when it already tells what happened. */
  initialText?: string;
  followUp?: FollowUp;
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
  /** A second request heard along the way, offered as its own PQR once this one is filed. */
  second?: string;
  followUp?: FollowUp;
}

/**
 * Filing a PQR: consent → customer check → free-text description (several messages) → type
 * proposed by the classifier and confirmed or corrected by the user → where to answer → summary,
 * where any datum can be corrected → filed with CUN, filing date and due date. Nothing is stored
 * until the user confirms, and nothing given is dropped by a misunderstanding.
 */
export class FilePqrDialog extends ComponentDialog {
  /** Index of `showSummary` in the waterfall: corrections come back to it. */
  private readonly summaryIndex = 7;

  constructor(private readonly deps: DialogDeps) {
    super(FILE_PQR_DIALOG);
    this.addDialog(new ConsentDialog(deps));
    this.addDialog(new CustomerCheckDialog(deps));
    this.addDialog(new CorrectFieldDialog(deps));
    this.addDialog(new EmailDialog(deps));
    this.addDialog(choicePrompt(undefined, { patience: deps }));
    this.addDialog(choicePrompt(SECOND_PROMPT));
    this.addDialog(new TextPrompt(SUMMARY_PROMPT));
    // "quiero hablar con una persona" is not what happened: the prompt offers a person and asks again.
    const asksForPerson = (s: string) => {
      const recognition = deps.nlu.recognize(s, deps.clock.now());
      return recognition.intent === 'hablar_asesor' && recognition.confidence >= INTENT_THRESHOLD;
    };
    this.addDialog(textPrompt(DESCRIBE_PROMPT, (s) => hasWords(s) && !isOnlyFiller(s) && !asksForPerson(s), deps));
    // "ya", "listo" end the description here, so only emoji or punctuation alone are asked again.
    this.addDialog(textPrompt(MORE_PROMPT, hasWords, deps));
    this.addDialog(
      new WaterfallDialog('fileSteps', [
        this.consent.bind(this),
        this.customer.bind(this),
        this.describe.bind(this),
        this.describeMore.bind(this),
        this.proposeType.bind(this),
        this.askNotify.bind(this),
        this.notifyAddress.bind(this),
        this.showSummary.bind(this),
        this.onSummary.bind(this),
        this.afterSecondOffer.bind(this),
      ]),
    );
    this.initialDialogId = 'fileSteps';
  }

  private state(step: WaterfallStepContext): FilingState {
    return step.values as FilingState;
  }

  private async consent(step: WaterfallStepContext) {
    const state = this.state(step);
    const options = (step.options as FilePqrOptions | undefined) ?? {};
    state.followUp = options.followUp;
    const initial = options.initialText?.trim();
    // "Buenas tardes, quiero poner una queja" says what to do, not what happened.
    if (initial && !isOnlyFiller(initial)) {
      const split = splitRequests(initial);
      state.initialText = split?.[0] ?? initial;
      state.second = split?.[1];
    }
    if (state.followUp) return step.next(true);
    return step.beginDialog(CONSENT_DIALOG);
  }

  private async customer(step: WaterfallStepContext) {
    if (step.result !== true) return step.endDialog();
    const followUp = this.state(step).followUp;
    if (followUp) return step.next(followUp.customer);
    return step.beginDialog(CUSTOMER_CHECK_DIALOG);
  }

  private async describe(step: WaterfallStepContext) {
    this.state(step).customer = step.result as Customer;
    const initial = this.state(step).initialText;
    if (initial && initial.split(/\s+/).length >= MIN_DESCRIPTION_WORDS) return step.next(initial);
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
    if (!state.description && !state.second) {
      const split = splitRequests(added);
      if (split) state.second = split[1];
      state.description = split?.[0] ?? added;
    } else if (hasWords(added) && !isOnlyFiller(added)) {
      state.description = `${state.description}\n${added}`;
    }
    if (state.description.length >= MAX_DESCRIPTION_CHARS) {
      state.description = state.description.slice(0, MAX_DESCRIPTION_CHARS);
      await step.context.sendActivity(t('file.describe.tooLong', { max: MAX_DESCRIPTION_CHARS }));
      state.collecting = false;
      return step.next();
    }
    if (state.followUp) return step.next();
    state.collecting = true;
    // Stay on this step: the next answer comes back here until the user says it is all.
    step.activeDialog!.state.stepIndex = step.index - 1;
    return step.prompt(MORE_PROMPT, {
      prompt: withChoices(t('file.describe.more', { done: t('file.describe.done') }), [t('file.describe.done')]),
    });
  }

  private async proposeType(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = this.state(step);
    const result = this.deps.nlu.classifyType(state.description, localeOf(step.context, this.deps));
    state.proposed = { type: result.label, confidence: result.confidence };
    if (state.followUp) {
      // The follow-up goes straight to its summary, where the type can still be corrected.
      state.type = result.label;
      state.notifyChannel = state.followUp.notifyChannel;
      state.notifyAddress = state.followUp.notifyAddress;
      step.activeDialog!.state.stepIndex = this.summaryIndex - 1;
      return step.next();
    }
    if (result.confidence >= TYPE_THRESHOLD) {
      const others = PQR_TYPES.filter((type) => type !== result.label);
      return choose(step, t, t('file.type.propose', { type: t(`type.${result.label}`), definition: t(`type.${result.label}.definition`) }), [
        { value: t('file.type.confirm', { type: t(`type.${result.label}`) }), synonyms: ['si', 'sí', 'correcto', 'yes', t(`type.${result.label}`)] },
        ...others.map((type) => typeChoice(t, type)),
      ]);
    }
    const ranked = result.ranking.map((r) => r.label);
    return choose(step, t, t('file.type.ask', { options: typeOptions(t, ranked) }), ranked.map((type) => typeChoice(t, type)));
  }

  private async askNotify(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = this.state(step);
    state.type = typeOfChoice(t, step.result as FoundChoice, state.proposed.type);
    if (state.type !== state.proposed.type) {
      await this.deps.pqr.recordCorrection(anonymize(state.description), state.proposed.type, state.type, state.proposed.confidence);
    }
    return choose(step, t, t('file.notify.ask'), notifyChoices(t));
  }

  private async notifyAddress(step: WaterfallStepContext) {
    const state = this.state(step);
    if ((step.result as FoundChoice).index === 0) {
      this.answerInChat(step);
      return step.next();
    }
    state.notifyChannel = 'email';
    // "el correo está mal, es ana@gmail.com" picks "Por correo" too: the address it gives is the one.
    const corrected = correctionOf(step.context.activity.text ?? '')?.correction;
    if (corrected?.field === 'email') {
      if (state.customer.kind === 'non_customer') state.customer.email = corrected.value;
      return step.next(corrected.value);
    }
    if (state.customer.kind === 'non_customer') return step.next(state.customer.email);
    return step.beginDialog(EMAIL_DIALOG);
  }

  private answerInChat(step: WaterfallStepContext): void {
    const address = addressOfTurn(step.context);
    Object.assign(this.state(step), { notifyChannel: address.channel, notifyAddress: addressKey(address) });
  }

  /** Shows the summary; comes back here with an e-mail address, a correction, or nothing. */
  private async showSummary(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = this.state(step);
    if (typeof step.result === 'string') state.notifyAddress = step.result;
    else if (isCorrection(step.result)) {
      const pending = this.apply(step, step.result);
      if (pending) return pending;
    }
    const customer = state.customer;
    const who = customer.kind === 'subscriber'
      ? t('file.summary.subscriber', { brand: this.deps.pqr.brandName(customer.brandId), lastDigits: lastDigits(customer.line) })
      : t('file.summary.nonCustomer', { name: customer.fullName, documentType: customer.documentType, documentNumber: customer.documentNumber, email: customer.email });
    const description = state.description.length > SUMMARY_DESCRIPTION_CHARS ? `${state.description.slice(0, SUMMARY_DESCRIPTION_CHARS)}…` : state.description;
    return step.prompt(SUMMARY_PROMPT, { prompt: withChoices(t('file.summary', { type: t(`type.${state.type}.title`), who, description, notify: this.notifyText(t, state) }), this.summaryButtons(t)) });
  }

  /** Applies a correction; an answer by e-mail without an address first asks for one. */
  private apply(step: WaterfallStepContext, correction: Correction) {
    const state = this.state(step);
    const customer = state.customer;
    switch (correction.field) {
      case 'name':
        if (customer.kind === 'non_customer') customer.fullName = correction.value;
        break;
      case 'email':
        if (customer.kind === 'non_customer') {
          if (state.notifyChannel === 'email' && state.notifyAddress === customer.email) state.notifyAddress = correction.value;
          customer.email = correction.value;
        } else if (state.notifyChannel === 'email') state.notifyAddress = correction.value;
        break;
      case 'document':
        if (customer.kind === 'non_customer') Object.assign(customer, { documentType: correction.value.type, documentNumber: correction.value.number });
        break;
      case 'line':
        if (customer.kind === 'subscriber') customer.line = correction.value;
        break;
      case 'description':
        state.description = correction.value.slice(0, MAX_DESCRIPTION_CHARS);
        break;
      case 'type':
        state.type = correction.value;
        break;
      case 'notify': {
        const value = correction.value;
        if (value.channel === 'chat') {
          this.answerInChat(step);
          break;
        }
        state.notifyChannel = 'email';
        const email = value.email ?? (customer.kind === 'non_customer' ? customer.email : undefined);
        if (email) {
          state.notifyAddress = email;
          break;
        }
        step.activeDialog!.state.stepIndex = this.summaryIndex - 1;
        return step.beginDialog(EMAIL_DIALOG);
      }
    }
    return null;
  }

  private summaryButtons(t: Translate): string[] {
    return [t('file.confirm'), t('file.summary.correct'), t('file.cancel')];
  }

  /**
   * The answer to the summary. Only "Sí, radicar" (or a plain yes) files; "cancelar" alone was
   * taken care of before this dialog saw it. Anything else keeps the PQR as it is: a correction
   * changes a field, a request to end a service becomes the next PQR, and the rest is asked again.
   */
  private async onSummary(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = this.state(step);
    const text = String(step.result ?? '');
    const button = pickedButton(text, this.summaryButtons(t));
    const stay = (message: string) => {
      step.activeDialog!.state.stepIndex = step.index - 1;
      return step.prompt(SUMMARY_PROMPT, { prompt: withChoices(message, this.summaryButtons(t)) });
    };
    if (button === 0 || (button < 0 && (isFileIt(text) || shortReply(text) === 'yes'))) return this.file(step);
    const back = () => {
      step.activeDialog!.state.stepIndex = this.summaryIndex - 1;
    };
    if (button === 1) {
      back();
      return step.beginDialog(CORRECT_FIELD_DIALOG, { customer: state.customer } satisfies CorrectFieldOptions);
    }
    const request = correctionOf(text);
    if (request) {
      back();
      if (request.correction) return step.next(request.correction);
      return step.beginDialog(CORRECT_FIELD_DIALOG, { customer: state.customer, field: request.field } satisfies CorrectFieldOptions);
    }
    if (asksToEndAService(text, localeOf(step.context, this.deps)) && !state.second) {
      state.second = text.trim();
      return stay(t('file.summary.endService'));
    }
    if (/\bcancel/.test(fold(text))) return stay(t('file.summary.cancelInside'));
    return stay(t('file.summary.retry'));
  }

  private async file(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = this.state(step);
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
    const text = t('file.filed', {
      type: t(`type.${filed.type}`),
      cun: filed.cun,
      filedAt: formatDateTime(filed.filedAt, locale),
      dueDate: formatDate(filed.dueDate, locale),
      answerDays: this.deps.answerDays,
      notify: this.notifyText(t, state),
    });
    if (!state.second) {
      await step.context.sendActivity(withChoices(text, menuChoices(t)));
      return step.endDialog(filed);
    }
    await step.context.sendActivity(text);
    const second = state.second.length > SUMMARY_DESCRIPTION_CHARS ? `${state.second.slice(0, SUMMARY_DESCRIPTION_CHARS)}…` : state.second;
    return choose(step, t, t('file.second.offer', { text: second }), yesNo(t), SECOND_PROMPT);
  }

  /** Yes to the second request: a new filing with the same person and answer channel. */
  private async afterSecondOffer(step: WaterfallStepContext) {
    const state = this.state(step);
    const choice = step.result as FoundChoice | undefined;
    if (choice?.index !== 0) {
      const t = textsFor(step.context, this.deps);
      await step.context.sendActivity(withChoices(t('menu.prompt'), menuChoices(t)));
      return step.endDialog();
    }
    const followUp: FollowUp = { customer: state.customer, notifyChannel: state.notifyChannel, notifyAddress: state.notifyAddress };
    return step.replaceDialog(FILE_PQR_DIALOG, { initialText: state.second, followUp } satisfies FilePqrOptions);
  }

  private notifyText(t: Translate, state: FilingState): string {
    return state.notifyChannel === 'email' ? t('notify.email', { email: state.notifyAddress }) : t('notify.chat');
  }
}

const FILE_IT = new Set(['radicar', 'radicala', 'radicalo', 'radiquela', 'radiquelo', 'confirmo', 'si radicar', 'si radicala', 'si, radicar', 'yes']);

function isFileIt(text: string): boolean {
  return FILE_IT.has(fold(text));
}

function isCorrection(value: unknown): value is Correction {
  return typeof value === 'object' && value !== null && 'field' in value && 'value' in value;
}

/** The message that confirmed the filing: a re-run of its turn after a crash finds the PQR it filed. */
function filingKeyOf(activity: Partial<Activity>): string | undefined {
  return activity.id ? `${activity.channelId}:${activity.conversation?.id}:${activity.id}` : undefined;
}

/** The confirm button stands for the proposed type; the others name their type. */
function typeOfChoice(t: Translate, choice: FoundChoice, proposed: PqrType): PqrType {
  return PQR_TYPES.find((type) => choice.value === t(`type.${type}.title`)) ?? proposed;
}
