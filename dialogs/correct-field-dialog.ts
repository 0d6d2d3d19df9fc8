import { ComponentDialog, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import { normalizeDocument, normalizeMobile, personName } from '../src/nlu';
import { PQR_TYPES, type Customer } from '../src/pqr';
import type { Translate } from '../src/i18n';
import { textsFor, type DialogDeps } from './context';
import { askDocumentNumber, askDocumentType, askLine, askName, customerDataPrompts, documentNumberWith, documentTypePicked } from './customer-check-dialog';
import { correctableFields, type Correction, type Field } from './corrections';
import { EMAIL_DIALOG } from './email-dialog';
import { hasWords } from './free-text';
import { choicePrompt, choose, textPrompt } from './prompts';

export const CORRECT_FIELD_DIALOG = 'correctFieldDialog';
const FIELD_PROMPT = 'correctFieldPrompt';
const DESCRIPTION_PROMPT = 'correctDescriptionPrompt';

export interface CorrectFieldOptions {
  customer: Customer;
  /** The field the person already named ("el correo quedó mal"); asked when absent. */
  field?: Field;
}

interface CorrectState {
  field: Field;
  documentType?: string;
}

/** The notification choices, shared with the filing's own question. */
export function notifyChoices(t: Translate) {
  return [
    { value: t('file.notify.chat'), synonyms: ['chat', 'aqui', 'aquí', 'aqui mismo', 'aquí mismo', 'por aqui', 'por aquí', 'aca', 'acá', 'este chat', 'whatsapp', 'telegram'] },
    { value: t('file.notify.email'), synonyms: ['correo', 'email', 'e-mail', 'mail', 'correo electronico', 'al correo', 'por mail'] },
  ];
}

/** Each type with its one-line definition, for a question that lists them. */
export function typeOptions(t: Translate, types: readonly (typeof PQR_TYPES)[number][] = PQR_TYPES): string {
  return types.map((type) => t('file.type.option', { type: t(`type.${type}.title`), definition: t(`type.${type}.definition`) })).join('\n');
}

export function typeChoice(t: Translate, type: (typeof PQR_TYPES)[number]) {
  return { value: t(`type.${type}.title`), synonyms: [type, t(`type.${type}`), `es una ${t(`type.${type}`)}`, `es un ${t(`type.${type}`)}`] };
}

/**
 * "Corregir un dato" at the summary: which field, then its new value, read by the same prompts
 * as the first time. Ends with the `Correction`.
 */
export class CorrectFieldDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(CORRECT_FIELD_DIALOG);
    this.addDialog(choicePrompt(FIELD_PROMPT, { patience: deps }));
    for (const dialog of customerDataPrompts(deps)) this.addDialog(dialog);
    this.addDialog(textPrompt(DESCRIPTION_PROMPT, hasWords, deps));
    this.addDialog(new WaterfallDialog('correctSteps', [this.pickField.bind(this), this.askValue.bind(this), this.afterValue.bind(this), this.afterSecondAnswer.bind(this)]));
    this.initialDialogId = 'correctSteps';
  }

  private async pickField(step: WaterfallStepContext) {
    const { customer, field } = step.options as CorrectFieldOptions;
    if (field) return step.next(field);
    const t = textsFor(step.context, this.deps);
    const fields = correctableFields(customer);
    return choose(step, t, t('file.correct.ask'), fields.map((f) => t(`file.correct.${f}`)), FIELD_PROMPT);
  }

  private async askValue(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const { customer } = step.options as CorrectFieldOptions;
    const field = typeof step.result === 'string' ? (step.result as Field) : correctableFields(customer)[(step.result as FoundChoice).index];
    (step.values as CorrectState).field = field;
    switch (field) {
      case 'name':
        return askName(step, t);
      case 'document':
        return askDocumentType(step, t);
      case 'email':
        return step.beginDialog(EMAIL_DIALOG);
      case 'line':
        return askLine(step, t);
      case 'description':
        return step.prompt(DESCRIPTION_PROMPT, { prompt: t('file.correct.describe'), retryPrompt: t('file.describe.tooShort') });
      case 'type':
        return choose(step, t, t('file.type.ask', { options: typeOptions(t) }), PQR_TYPES.map((type) => typeChoice(t, type)), FIELD_PROMPT);
      case 'notify':
        return choose(step, t, t('file.notify.ask'), notifyChoices(t), FIELD_PROMPT);
    }
  }

  private async afterValue(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = step.values as CorrectState;
    const { customer } = step.options as CorrectFieldOptions;
    const end = (correction: Correction) => step.endDialog(correction);
    switch (state.field) {
      case 'name':
        return end({ field: 'name', value: personName(String(step.result))! });
      case 'document': {
        state.documentType = documentTypePicked(step);
        const typed = documentNumberWith(state.documentType, step.context.activity.text);
        if (typed) return end({ field: 'document', value: { type: state.documentType, number: typed } });
        return askDocumentNumber(step, t, state.documentType);
      }
      case 'email':
        return end({ field: 'email', value: String(step.result) });
      case 'line':
        return end({ field: 'line', value: normalizeMobile(String(step.result))! });
      case 'description':
        return end({ field: 'description', value: String(step.result).trim() });
      case 'type':
        return end({ field: 'type', value: PQR_TYPES[(step.result as FoundChoice).index] });
      case 'notify':
        if ((step.result as FoundChoice).index === 0) return end({ field: 'notify', value: { channel: 'chat' } });
        if (customer.kind === 'non_customer') return end({ field: 'notify', value: { channel: 'email', email: customer.email } });
        state.field = 'email';
        // A subscriber's address is asked once the channel is chosen; the next step ends with it.
        return step.beginDialog(EMAIL_DIALOG);
    }
  }

  /** The document's number, or a subscriber's address for answers by e-mail. */
  private async afterSecondAnswer(step: WaterfallStepContext) {
    const state = step.values as CorrectState;
    if (state.field === 'email') return step.endDialog({ field: 'notify', value: { channel: 'email', email: String(step.result) } } satisfies Correction);
    return step.endDialog({ field: 'document', value: { type: state.documentType!, number: normalizeDocument(state.documentType!, String(step.result))! } } satisfies Correction);
  }
}
