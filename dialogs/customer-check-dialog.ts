import { ComponentDialog, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import { isColombianMobile, isValidEmail, normalizeDocument, normalizeMobile } from '../src/nlu';
import type { Customer } from '../src/pqr';
import { channelUser, lastDigits, textsFor, type DialogDeps } from './context';
import { ask, choicePrompt, choose, textPrompt, yesNo } from './prompts';

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
  docTries?: number;
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
    this.addDialog(textPrompt(DOC_PROMPT, (s) => /^[A-Za-z0-9.\- ]{5,20}$/.test(s)));
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
    const known = await this.deps.pqr.knownCustomer(channelUser(step.context));
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
      return ask(step, LINE_PROMPT, t('customer.line'), t('customer.line.retry'));
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
      const line = normalizeMobile(String(step.result ?? ''));
      if (!line) return this.giveUp(step);
      const customer: Customer = { kind: 'subscriber', brandId: state.brandId!, line };
      return step.endDialog(customer);
    }
    const docType = step.result as FoundChoice | undefined;
    if (!docType) return this.giveUp(step);
    state.documentType = DOCUMENT_TYPES[docType.index];
    return ask(step, DOC_PROMPT, t('customer.docNumber'), t('customer.docNumber.retry'));
  }

  private async afterDocNumber(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = step.values as CheckState;
    const number = normalizeDocument(state.documentType!, String(step.result ?? ''));
    if (!number) {
      // The prompt accepted the shape; the type-specific rule decides. Re-ask, counting tries.
      state.docTries = (state.docTries ?? 0) + 1;
      if (state.docTries >= 3) return this.giveUp(step);
      await step.context.sendActivity(t('customer.docNumber.retry'));
      step.activeDialog!.state.stepIndex = step.index - 2;
      return step.next({ index: DOCUMENT_TYPES.indexOf(state.documentType as (typeof DOCUMENT_TYPES)[number]), value: state.documentType, score: 1 });
    }
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

  private async giveUp(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    await step.context.sendActivity(t('tooManyTries', { channels: t('channels.short') }));
    return step.endDialog(null);
  }
}
