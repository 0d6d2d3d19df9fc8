import type { DialogContext } from 'botbuilder-dialogs';
import type { Translate } from '../src/i18n';
import { CLARIFY_INTENT_DIALOG } from './clarify-intent-dialog';
import { commandOf } from './context';

/** The dialogs running, outermost first. */
function running(dc: DialogContext): string[] {
  const ids: string[] = [];
  for (let inner: DialogContext | undefined = dc; inner?.activeDialog; inner = inner.child) ids.push(inner.activeDialog.id);
  return ids;
}

/**
 * "cancelar", "ayuda" and "menú" work at every step. Returns true when the message was one of
 * them and has been answered; the caller then stops the turn.
 */
export async function handleInterruption(dc: DialogContext, t: Translate, showMenu: () => Promise<void>): Promise<boolean> {
  const command = commandOf(dc.context.activity.text);
  if (!command) return false;
  // The clarification offers "Ayuda" as one of its own buttons: a tap on it must show help, which
  // the clarification does by handing the choice back to be answered.
  if (command === 'help' && running(dc).includes(CLARIFY_INTENT_DIALOG)) return false;
  const active = !!dc.activeDialog;
  if (command === 'help') {
    if (active) {
      await dc.context.sendActivity(t('help.inDialog'));
      await dc.repromptDialog();
    } else {
      await dc.context.sendActivity(t('help'));
      await showMenu();
    }
    return true;
  }
  if (active) await dc.cancelAllDialogs(true);
  if (command === 'cancel') await dc.context.sendActivity(t(active ? 'cancelled' : 'cancelled.nothing'));
  await showMenu();
  return true;
}
