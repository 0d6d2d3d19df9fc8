import type { Activity, StatePropertyAccessor, TurnContext } from 'botbuilder';
import { ComponentDialog, DialogSet, DialogTurnStatus, WaterfallDialog, type DialogContext, type DialogState, type DialogStateManagerConfiguration, type WaterfallStepContext } from 'botbuilder-dialogs';
import { INTENT_THRESHOLD, isUpset, urgencyOf, type Intent } from '../src/nlu';
import { handleInterruption } from './cancel-and-help';
import { candidatesOf, ClarifyIntentDialog, CLARIFY_INTENT_DIALOG, type ClarifyOptions, type Clarified } from './clarify-intent-dialog';
import { addressOfTurn, localeOf, menuChoices, pickedButton, textsFor, withChoices, type DialogDeps, type Reroute } from './context';
import { DataRequestDialog, DATA_REQUEST_DIALOG, dataRequestOf } from './data-request-dialog';
import { FilePqrDialog, FILE_PQR_DIALOG, type FilePqrOptions } from './file-pqr-dialog';
import { HandoffDialog, HANDOFF_DIALOG, relayToAgent } from './handoff-dialog';
import { captureRating } from './rating-dialog';
import { RecursoDialog, RECURSO_DIALOG, type RecursoOptions } from './recurso-dialog';
import { StatusDialog, STATUS_DIALOG, type StatusOptions } from './status-dialog';
import { UrgentDialog, URGENT_DIALOG, type UrgentOptions } from './urgent-dialog';

/** Where botbuilder-dialogs looks for its memory configuration in `turnState` (dialogStateManager.js). */
const DIALOG_STATE_MANAGER_CONFIGURATION = 'DialogStateManagerConfiguration';

export const MAIN_DIALOG = 'mainDialog';

/**
 * The conversation's entry: greeting and menu, and free text understood at any point. Routes to
 * filing, status or recurso; answers help, channels, agent requests, greetings and goodbyes itself.
 */
export class MainDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(MAIN_DIALOG);
    this.addDialog(new FilePqrDialog(deps));
    this.addDialog(new StatusDialog(deps));
    this.addDialog(new RecursoDialog(deps, (context) => this.showMenu(context)));
    this.addDialog(new ClarifyIntentDialog(deps));
    this.addDialog(new HandoffDialog(deps));
    this.addDialog(new UrgentDialog(deps));
    this.addDialog(new DataRequestDialog(deps));
    this.addDialog(new WaterfallDialog('mainSteps', [this.route.bind(this), this.afterChild.bind(this)]));
    this.initialDialogId = 'mainSteps';
  }

  /**
   * Runs one turn: interruptions first, then the active dialog, else a new route. Someone clearly
   * upset hears one line of acknowledgement first; a conversation that comes to rest always ends
   * with the menu's buttons on screen, so there is a way out.
   */
  async run(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    const dc = await this.createContext(context, accessor);
    // An agent holds the conversation (the bot stays silent), or the message answers the rating question.
    // One statement tells whether either may apply (most messages have neither); without the service, each looks for itself.
    const claims = context.activity.type === 'message' && this.deps.handoffs ? await this.deps.handoffs.claimsOn(addressOfTurn(context)) : { handoff: true, rating: true };
    if (claims.handoff && (await relayToAgent(context, this.deps, () => this.showMenu(context)))) return;
    if (claims.rating && (await captureRating(context, this.deps))) return;
    const t = textsFor(context, this.deps);
    let last: Partial<Activity> | undefined;
    context.onSendActivities(async (_context, activities, next) => {
      last = activities.filter((a) => a.type === 'message').at(-1) ?? last;
      return next();
    });
    if (context.activity.type === 'message' && isUpset(context.activity.text ?? '')) await context.sendActivity(t('tone.upset'));
    if (await handleInterruption(dc, t, () => this.showMenu(context))) return;
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id);
    if (!dc.activeDialog && !last?.suggestedActions?.actions?.length) await this.showMenu(context);
  }

  /**
   * The turn's dialog context. botbuilder-dialogs rebuilds its memory scopes and path resolvers
   * for every turn unless the turn carries them (DialogStateManager): they hold nothing of a turn,
   * so they are built on the first turn and handed to the next ones, with the dialog set.
   */
  private async createContext(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<DialogContext> {
    if (this.dialogSet?.accessor !== accessor) {
      const set = new DialogSet(accessor);
      set.add(this);
      this.dialogSet = { accessor, set };
    }
    if (this.stateConfiguration) context.turnState.set(DIALOG_STATE_MANAGER_CONFIGURATION, this.stateConfiguration);
    const dc = await this.dialogSet.set.createContext(context);
    this.stateConfiguration ??= dc.state.configuration;
    return dc;
  }

  private dialogSet?: { accessor: StatePropertyAccessor<DialogState>; set: DialogSet };
  private stateConfiguration?: DialogStateManagerConfiguration;

  async greet(context: TurnContext): Promise<void> {
    const t = textsFor(context, this.deps);
    await context.sendActivity(withChoices(t('greeting'), this.menu(context)));
  }

  async showMenu(context: TurnContext): Promise<void> {
    const t = textsFor(context, this.deps);
    await context.sendActivity(withChoices(t('menu.prompt'), this.menu(context)));
  }

  private menu(context: TurnContext): string[] {
    return menuChoices(textsFor(context, this.deps));
  }

  private async route(step: WaterfallStepContext) {
    const context = step.context;
    const t = textsFor(context, this.deps);
    // After a clarification the user's earlier message is routed with the intent they chose.
    const options = step.options as Partial<Clarified> | undefined;
    const clarified = options?.intent && options.text !== undefined ? (options as Clarified) : undefined;
    const text = clarified?.text ?? (context.activity.text ?? '').trim();
    const menuIntent = clarified ? null : this.menuIntent(context, text);
    // Requests about one's personal data (Ley 1581) have words of their own: a lexicon, before the classifier.
    const dataRequest = clarified || menuIntent ? null : dataRequestOf(text);
    if (dataRequest) return step.beginDialog(DATA_REQUEST_DIALOG, dataRequest);
        const recognition = this.deps.nlu.recognize(text, this.deps.clock.now(), localeOf(context, this.deps));
    if (!menuIntent && recognition.empty) {
      await context.sendActivity(withChoices(t('empty'), this.menu(context)));
      return step.endDialog();
    }
    const intent: Intent | null = clarified?.intent ?? menuIntent ?? (recognition.confidence >= INTENT_THRESHOLD ? recognition.intent : null);
    const cun = recognition.entities.cun;
    // A CUN alone says enough: an unsure message that carries one goes to its status.
    if (intent === null && !cun) {
      const candidates = candidatesOf(recognition);
      if (candidates.length > 0) {
        const options: ClarifyOptions = { text, predicted: recognition.intent, confidence: recognition.confidence, candidates };
        return step.beginDialog(CLARIFY_INTENT_DIALOG, options);
      }
    }
    const urgency = clarified ? null : urgencyOf(text);
    if (urgency && (intent === null || intent === 'radicar_pqr')) {
      const options: UrgentOptions = { urgency, text };
      return step.beginDialog(URGENT_DIALOG, options);
    }
    if (intent === 'radicar_pqr') {
      const options: FilePqrOptions = { initialText: menuIntent ? undefined : text };
      return step.beginDialog(FILE_PQR_DIALOG, options);
    }
    if (intent === 'consultar_estado' || (cun && intent !== 'recurso')) {
      const options: StatusOptions = { cun };
      return step.beginDialog(STATUS_DIALOG, options);
    }
    if (intent === 'hablar_asesor' && this.deps.handoffs) return step.beginDialog(HANDOFF_DIALOG);
    if (intent === 'recurso') {
      const options: RecursoOptions = { cun };
      return step.beginDialog(RECURSO_DIALOG, options);
    }
    await this.answer(context, intent);
    return step.endDialog();
  }

  private async answer(context: TurnContext, intent: Intent | null): Promise<void> {
    const t = textsFor(context, this.deps);
    switch (intent) {
      case 'saludo':
        return this.greet(context);
      case 'despedida':
        await context.sendActivity(withChoices(t('goodbye'), this.menu(context)));
        return;
      case 'canales':
        await context.sendActivity(withChoices(t('channels'), this.menu(context)));
        return;
      case 'hablar_asesor':
        await context.sendActivity(withChoices(t('agent', { channels: t('channels.short') }), this.menu(context)));
        return;
      case 'ayuda':
        await context.sendActivity(withChoices(t('help'), this.menu(context)));
        return;
      case 'cancelar':
        await context.sendActivity(withChoices(t('cancelled.nothing'), this.menu(context)));
        return;
      default:
        await context.sendActivity(withChoices(t('notUnderstood'), this.menu(context)));
    }
  }

  /**
   * A child that did not understand the message as its own hands it back to be routed afresh; a
   * clarification hands back the intent the user chose.
   */
  private async afterChild(step: WaterfallStepContext) {
    const result = step.result as (Partial<Reroute> & Partial<Clarified> & { other?: boolean }) | undefined;
    if (result?.reroute) return step.replaceDialog('mainSteps');
    if (result?.intent && result.text !== undefined) return step.replaceDialog('mainSteps', { intent: result.intent, text: result.text } satisfies Clarified);
    if (result?.other) {
      await this.showMenu(step.context);
      return step.endDialog();
    }
    return step.endDialog(step.result);
  }

  /** The menu's buttons (by title or number) are routed without asking the classifier. */
  private menuIntent(context: TurnContext, text: string): Intent | null {
    const intents: Intent[] = ['radicar_pqr', 'consultar_estado', 'canales', 'ayuda'];
    const index = pickedButton(text, this.menu(context));
    return index >= 0 ? intents[index] : null;
  }
}
