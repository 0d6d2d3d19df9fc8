import { addressKey, type Address } from '../identity';
import type { Tx } from '../storage';

/** A chat user: the identity module's address. */
export type ChatUser = Address;

/**
 * What the outbox renders and sends: the text of `key` in the user's language, with buttons when
 * `choices` (text keys) are given, and on WhatsApp `template` first when the 24-hour window closed.
 */
export interface ChatMessage {
  key: string;
  vars?: Record<string, string | number>;
  choices?: string[];
  template?: { name: string; language: string };
  /** Makes a retried action queue nothing twice. */
  idempotencyKey: string;
  pqrId?: number;
}

/** Queues a message to a chat user in the transaction of the change it reports. */
export async function queueChatMessage(tx: Tx, user: ChatUser, message: ChatMessage): Promise<void> {
  const { key, vars = {}, choices, template, idempotencyKey, pqrId } = message;
  await tx.outbox.create({
    data: {
      channel: user.channel,
      conversationKey: addressKey(user),
      kind: 'notification',
      payload: JSON.stringify({ key, vars, ...(choices ? { choices } : {}), ...(template ? { template } : {}) }),
      idempotencyKey,
      pqrId: pqrId ?? null,
    },
  });
}
