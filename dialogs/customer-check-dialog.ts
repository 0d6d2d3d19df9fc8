import type { Activity } from 'botbuilder';
import { ComponentDialog, WaterfallDialog, type Choice, type Dialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import { documentTypeOf, foldWords, isColombianMobile, normalizeDocument, normalizeMobile, personName } from '../src/nlu';
import type { Customer } from '../src/pqr';
import type { Translate } from '../src/i18n';
import { lastDigits, requesterOf, textsFor, type DialogDeps } from './context';
import { EmailDialog, EMAIL_DIALOG } from './email-dialog';
import { ask, choicePrompt, choose, textPrompt, yesNo } from './prompts';

export const CUSTOMER_CHECK_DIALOG = 'customerCheckDialog';

const LINE_PROMPT = 'linePrompt';
const NAME_PROMPT = 'namePrompt';
const DOC_TYPE_PROMPT = 'documentTypePrompt';
const DOC_PROMPT = 'documentPrompt';
const DOCUMENT_TYPES = ['CC', 'CE', 'PA', 'NIT'] as const;

/**
 * The prompts for a customer's data, shared by the customer check and the corrections at the
 * summary, so a datum is read the same way wherever it is asked. None of them gives up.
 */
export function customerDataPrompts(deps: DialogDeps): Dialog[] {
  return [
    textPrompt(LINE_PROMPT, isColombianMobile, deps),
    textPrompt(NAME_PROMPT, (s) => personName(s) !== null, deps),
    choicePrompt(DOC_TYPE_PROMPT, {
      interpret: (text) => {
        const type = documentTypeOf(text);
        return type ? DOCUMENT_TYPES.indexOf(type) : null;
      },
      patience: deps,
    }),
    // The number is checked against the type the step put in the prompt's `validations`.
    textPrompt(DOC_PROMPT, (value, options) => !!normalizeDocument((options.validations as { documentType: string }).documentType, value), deps),
    new EmailDialog(deps),
  ];
}

export function askName(step: WaterfallStepContext, t: Translate) {
  return ask(step, NAME_PROMPT, t('customer.name'), t('customer.name.retry'));
}

export function askDocumentType(step: WaterfallStepContext, t: Translate) {
  const choices: Choice[] = DOCUMENT_TYPES.map((type) => ({ value: t(`customer.docType.${type}`), synonyms: [type.toLowerCase(), type] }));
  return choose(step, t, t('customer.docType'), choices, DOC_TYPE_PROMPT, t('customer.docType.retry'));
}

/** The type picked at `askDocumentType`. */
export function documentTypePicked(step: WaterfallStepContext): string {
  return DOCUMENT_TYPES[(step.result as FoundChoice).index];
}

/**
 * The number typed together with the type ("cédula 52.123.456", "pasaporte AB123456"), when it is
 * a valid one for that type: the longest run of words at the end that reads as one, the type's
 * own words left before it. Null for a bare type or a tapped button.
 */
export function documentNumberWith(documentType: string, text: string | undefined): string | null {
  const words = (text ?? '').trim().split(/\s+/);
  for (let from = 1; from < words.length; from++) {
    const candidate = words.slice(from).join(' ');
    if (!/\d/.test(candidate)) return null;
    const number = normalizeDocument(documentType, candidate);
    if (number) return number;
  }
  return null;
}

export function askDocumentNumber(step: WaterfallStepContext, t: Translate, documentType: string) {
  return step.prompt(DOC_PROMPT, { prompt: t('customer.docNumber'), retryPrompt: t('customer.docNumber.retry'), validations: { documentType } });
}

/** Tells the channel a line is expected, so Telegram can offer its "share my number" button. */
export function askLine(step: WaterfallStepContext, t: Translate) {
  const expectsLine = (text: string): Partial<Activity> => ({ type: 'message', text, channelData: { expects: 'line' } });
  return ask(step, LINE_PROMPT, expectsLine(t('customer.line')), expectsLine(t('customer.line.retry')));
}

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
 * e-mail (there is no line to identify them). Ends with a `Customer`. A prompt never gives up:
 * after three misses it offers help, another way and a person, and keeps what was given.
 */
export class CustomerCheckDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(CUSTOMER_CHECK_DIALOG);
    this.addDialog(choicePrompt(undefined, { patience: deps }));
    for (const dialog of customerDataPrompts(deps)) this.addDialog(dialog);
    this.addDialog(new WaterfallDialog('knownSteps', [this.offerKnown.bind(this), this.afterKnown.bind(this)]));
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
    const choice = step.result as FoundChoice;
    if (choice.index === 0) return step.endDialog((step.values as CheckState).known);
    return step.replaceDialog('askSteps');
  }

  private async askIsCustomer(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    return choose(step, t, t('customer.ask', { brands: this.deps.brands.map((b) => b.name).join(', ') }), yesNo(t));
  }

  private async askBrandOrName(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const choice = step.result as FoundChoice;
    const state = step.values as CheckState;
    state.isCustomer = choice.index === 0;
    if (state.isCustomer) {
      // "sip, de Andes" names the brand with the yes.
      const named = this.brandNamedIn(step.context.activity.text ?? '');
      if (this.deps.brands.length === 1 || named >= 0) return step.next({ index: Math.max(named, 0), value: this.deps.brands[Math.max(named, 0)].name, score: 1 });
      return choose(step, t, t('customer.brand'), this.deps.brands.map((b) => ({ value: b.name, synonyms: [b.id] })));
    }
    return askName(step, t);
  }

  private brandNamedIn(text: string): number {
    const words = ` ${foldWords(text)} `;
    const matches = this.deps.brands.map((b, i) => ({ i, hit: [b.id, b.name].some((w) => words.includes(` ${foldWords(w)} `)) })).filter((m) => m.hit);
    return matches.length === 1 ? matches[0].i : -1;
  }

  private async askLineOrDocType(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = step.values as CheckState;
    if (state.isCustomer) {
      const brand = step.result as FoundChoice;
      state.brandId = this.deps.brands[brand.index].id;
      const channelLine = normalizeMobile(String(step.context.activity.channelData?.phone ?? ''));
      if (channelLine) {
        state.channelLine = channelLine;
        return choose(step, t, t('customer.line.same', { lastDigits: lastDigits(channelLine) }), yesNo(t));
      }
      return askLine(step, t);
    }
    state.fullName = personName(String(step.result))!;
    return askDocumentType(step, t);
  }

  private async afterLineOrDocType(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = step.values as CheckState;
    if (state.isCustomer) {
      if (state.channelLine && !state.lineAsked) {
        const same = step.result as FoundChoice;
        if (same.index === 0) return step.endDialog({ kind: 'subscriber', brandId: state.brandId!, line: state.channelLine } satisfies Customer);
        // Another line: ask for it, then come back to this step with the answer.
        state.lineAsked = true;
        step.activeDialog!.state.stepIndex = step.index - 1;
        return askLine(step, t);
      }
      const customer: Customer = { kind: 'subscriber', brandId: state.brandId!, line: normalizeMobile(String(step.result))! };
      return step.endDialog(customer);
    }
    state.documentType = documentTypePicked(step);
    // "cédula 52.123.456": the number came with the type; it is not asked again.
    const typed = documentNumberWith(state.documentType, step.context.activity.text);
    if (typed) return step.next(typed);
    return askDocumentNumber(step, t, state.documentType);
  }

  private async afterDocNumber(step: WaterfallStepContext) {
    const state = step.values as CheckState;
    state.documentNumber = normalizeDocument(state.documentType!, String(step.result))!;
    return step.beginDialog(EMAIL_DIALOG);
  }

  private async afterEmail(step: WaterfallStepContext) {
    const state = step.values as CheckState;
    const customer: Customer = {
      kind: 'non_customer',
      fullName: state.fullName!,
      documentType: state.documentType!,
      documentNumber: state.documentNumber!,
      email: String(step.result),
    };
    return step.endDialog(customer);
  }
}
