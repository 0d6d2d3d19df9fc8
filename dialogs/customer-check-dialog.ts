import type { Activity } from 'botbuilder';
import { ComponentDialog, TextPrompt, WaterfallDialog, type FoundChoice, type PromptOptions, type WaterfallStepContext } from 'botbuilder-dialogs';
import { isColombianMobile, isValidEmail, normalizeDocument, normalizeMobile } from '../src/nlu';
import type { Customer } from '../src/pqr';
import { lastDigits, requesterOf, textsFor, type DialogDeps } from './context';
import { ask, choicePrompt, choose, MAX_ATTEMPTS, textPrompt, yesNo } from './prompts';

export const CUSTOMER_CHECK_DIALOG = 'customerCheckDialog';

const LINE_PROMPT = 'linePrompt';
const NAME_PROMPT = 'namePrompt';
const DOC_PROMPT = 'documentPrompt';
const EMAIL_PROMPT = 'emailPrompt';
const DOCUMENT_TYPES = ['CC', 'CE', 'PA', 'NIT'] as const;

const isFullName = (s: string) => /^[\p{L}' .-]{3,80}$/u.test(s) && s.trim().split(/\s+/).length >= 2;

interface CheckState {
  known?: Customer;
  isCustomer?: boolean;
  /** The line the user writes from (WhatsApp), offered before asking for one. */
  channelLine?: string;
  lineAsked?: boolean;
  brandId?: string;
  fullName?: string;
  documentType?: string;
  documentNumber?: string;
}

/**
 * "¿Eres cliente?": subscribers give brand and line; non-customers give name, document and
 * e-mail (there is no line to identify them). Ends with a `Customer`, or `null` when the user
 * could not give a valid answer after three tries (the bot then offers the other channels).
 */
export class CustomerCheckDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(CUSTOMER_CHECK_DIALOG);
    this.addDialog(choicePrompt());
    this.addDialog(textPrompt(LINE_PROMPT, isColombianMobile));
    this.addDialog(textPrompt(NAME_PROMPT, isFullName));
    this.addDialog(
      new TextPrompt(DOC_PROMPT, async (p) => {
        const type = (p.options.validations as { documentType?: string } | undefined)?.documentType ?? 'CC';
        return !!normalizeDocument(type, p.recognized.value ?? '') || p.attemptCount >= MAX_ATTEMPTS;
      }),
    );
    this.addDialog(textPrompt(EMAIL_PROMPT, isValidEmail));
    this.addDialog(
      new WaterfallDialog('knownSteps', [this.offerKnown.bind(this), this.afterKnown.bind(this)]),
    );
    this.addDialog(
      new WaterfallDialog('askSteps', [this.askIsCustomer.bind(this), this.askBrandOrName.bind(this), this.askLineOrDocType.bind(this), this.afterLineOrDocType.bind(this), this.afterDocNumber.bind(this), this.afterEmail.bind(this)]),
    );
    this.initialDialogId = 'knownSteps';
  }

  private async offerKnown(step: WaterfallStepContext) {
    const known = await this.deps.pqr.knownCustomer(await requesterOf(step.context, this.deps));
    if (!known) return step.replaceDialog('askSteps');
    (step.values as CheckState).known = known;
    const t = textsFor(step.context, this.deps);
    const text = known.kind === 'subscriber'
      ? t('customer.known', { lastDigits: lastDigits(known.line), brand: this.deps.pqr.brandName(known.brandId) })
      : t('customer.knownNonCustomer', { name: known.fullName });
    return choose(step, t, text, yesNo(t));
  }

  private async afterKnown(step: WaterfallStepContext) {
    const choice = step.result as FoundChoice | undefined;
    if (choice?.index === 0) return step.endDialog((step.values as CheckState).known);
    return step.replaceDialog('askSteps');
  }

  private async askIsCustomer(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    return choose(step, t, t('customer.ask', { brands: this.deps.brands.map((b) => b.name).join(', ') }), yesNo(t));
  }

  private async askBrandOrName(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const choice = step.result as FoundChoice | undefined;
    if (!choice) return this.giveUp(step);
    const state = step.values as CheckState;
    state.isCustomer = choice.index === 0;
    if (state.isCustomer) {
      if (this.deps.brands.length === 1) return step.next({ index: 0, value: this.deps.brands[0].name, score: 1 });
      return choose(step, t, t('customer.brand'), this.deps.brands.map((b) => ({ value: b.name, synonyms: [b.id] })));
    }
    return ask(step, NAME_PROMPT, t('customer.name'), t('customer.name.retry'));
  }

  private async askLineOrDocType(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = step.values as CheckState;
    if (state.isCustomer) {
      const brand = step.result as FoundChoice | undefined;
      if (!brand) return this.giveUp(step);
      state.brandId = this.deps.brands[brand.index].id;
      const channelLine = normalizeMobile(String(step.context.activity.channelData?.phone ?? ''));
      if (channelLine) {
        state.channelLine = channelLine;
        return choose(step, t, t('customer.line.same', { lastDigits: lastDigits(channelLine) }), yesNo(t));
      }
      return this.askLine(step);
    }
    const name = String(step.result ?? '').trim();
    if (!isFullName(name)) return this.giveUp(step);
    state.fullName = name.replace(/\s+/g, ' ');
    return choose(step, t, t('customer.docType'), DOCUMENT_TYPES.map((type) => ({ value: t(`customer.docType.${type}`), synonyms: [type.toLowerCase(), type] })));
  }

  private async afterLineOrDocType(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = step.values as CheckState;
    if (state.isCustomer) {
      if (state.channelLine && !state.lineAsked) {
        const same = step.result as FoundChoice | undefined;
        if (!same) return this.giveUp(step);
        if (same.index === 0) return step.endDialog({ kind: 'subscriber', brandId: state.brandId!, line: state.channelLine } satisfies Customer);
        // Another line: ask for it, then come back to this step with the answer.
        state.lineAsked = true;
        step.activeDialog!.state.stepIndex = step.index - 1;
        return this.askLine(step);
      }
      const line = normalizeMobile(String(step.result ?? ''));
      if (!line) return this.giveUp(step);
      const customer: Customer = { kind: 'subscriber', brandId: state.brandId!, line };
      return step.endDialog(customer);
    }
    const docType = step.result as FoundChoice | undefined;
    if (!docType) return this.giveUp(step);
    state.documentType = DOCUMENT_TYPES[docType.index];
    const options: PromptOptions = { prompt: t('customer.docNumber'), retryPrompt: t('customer.docNumber.retry'), validations: { documentType: state.documentType } };
    return step.prompt(DOC_PROMPT, options);
  }

  private async afterDocNumber(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = step.values as CheckState;
    const number = normalizeDocument(state.documentType!, String(step.result ?? ''));
    if (!number) return this.giveUp(step);
    state.documentNumber = number;
    return ask(step, EMAIL_PROMPT, t('customer.email'), t('customer.email.retry'));
  }

  private async afterEmail(step: WaterfallStepContext) {
    const state = step.values as CheckState;
    const email = String(step.result ?? '').trim().toLowerCase();
    if (!isValidEmail(email)) return this.giveUp(step);
    const customer: Customer = {
      kind: 'non_customer',
      fullName: state.fullName!,
      documentType: state.documentType!,
      documentNumber: state.documentNumber!,
      email,
    };
    return step.endDialog(customer);
  }

  /** Tells the channel a line is expected, so Telegram can offer its "share my number" button. */
  private askLine(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const expectsLine = (text: string): Partial<Activity> => ({ type: 'message', text, channelData: { expects: 'line' } });
    return step.prompt(LINE_PROMPT, { prompt: expectsLine(t('customer.line')), retryPrompt: expectsLine(t('customer.line.retry')) });
  }

  private async giveUp(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    await step.context.sendActivity(t('tooManyTries', { channels: t('channels.short') }));
    return step.endDialog(null);
  }
}
