import type { ConversationReference, TurnContext } from 'botbuilder';
import type { Outbound, Sender } from './dispatcher';

/** What a channel adapter offers for proactive messages (every BotAdapter of this project has it). */
export interface ProactiveAdapter {
  continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void>;
}

/** The conversation reference the user's latest message left, or one built from their user id. */
export function referenceOf(message: Outbound, fallback?: (userId: string) => Partial<ConversationReference>): Partial<ConversationReference> {
  const stored = message.identity?.conversationRef;
  if (stored) return JSON.parse(stored) as Partial<ConversationReference>;
  const userId = message.identity?.userId ?? message.address?.userId;
  if (fallback && userId) return fallback(userId);
  throw new Error('no conversation reference for this user yet');
}

/** Sends the text into the conversation as the bot; returns the id the channel gave the activity. */
export async function sendProactive(adapter: ProactiveAdapter, reference: Partial<ConversationReference>, text: string): Promise<string> {
  let externalId = '';
  let failure: unknown;
  await adapter.continueConversation(reference, async (context) => {
    // Caught here, not thrown: an adapter's onTurnError would apologise to the user and swallow
    // the error, and the dispatcher must see the failure to retry.
    try {
      externalId = (await context.sendActivity(text))?.id ?? '';
    } catch (error) {
      failure = error;
    }
  });
  if (failure) throw failure;
  return externalId;
}

/**
 * A chat channel whose send is the proof of delivery (Direct Line, Telegram, Bot Framework): the
 * message goes to the conversation the user last wrote in.
 */
export function chatSender(adapter: ProactiveAdapter): Sender {
  return {
    proof: 'send',
    async send(message) {
      return { status: 'sent', externalId: await sendProactive(adapter, referenceOf(message), message.text) };
    },
  };
}
