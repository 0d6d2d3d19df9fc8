import { ETagConflictError, type PrismaBotStorage } from '../../storage';

/** What the chat shows below the bot's last message. */
export interface ChatKeyboards {
  /** The inline keyboard of the bot's last message: its message_id and the choice of each button. */
  inline?: { messageId: number; choices: string[] };
  /** The "share my number" reply keyboard is open and should be closed by the next plain message. */
  contactKeyboard?: boolean;
}

type Stored = ChatKeyboards & { eTag?: string };

/**
 * Which inline keyboard of a chat is live: only the one on the bot's last message, and only once.
 * A tap on an older keyboard, or a second tap on the same one, is expired: answering it would
 * feed an old answer to a newer question. Kept in the BotState table so every instance agrees.
 */
export class KeyboardRegistry {
  constructor(private readonly storage: PrismaBotStorage) {}

  private key(chatId: string): string {
    return `telegram/keyboards/${chatId}`;
  }

  async read(chatId: string): Promise<ChatKeyboards> {
    const items = await this.storage.read([this.key(chatId)]);
    const { eTag: _eTag, ...keyboards } = (items[this.key(chatId)] ?? {}) as Stored;
    return keyboards;
  }

  async write(chatId: string, keyboards: ChatKeyboards): Promise<void> {
    await this.storage.write({ [this.key(chatId)]: { ...keyboards, eTag: '*' } });
  }

  /**
   * The choice a tap on button `index` of message `messageId` stands for, taking it so it
   * cannot be used twice; null when that keyboard is no longer live.
   */
  async take(chatId: string, messageId: number | undefined, index: number): Promise<string | null> {
    const key = this.key(chatId);
    const stored = (await this.storage.read([key]))[key] as Stored | undefined;
    const choice = stored?.inline && stored.inline.messageId === messageId ? stored.inline.choices[index] : undefined;
    if (choice === undefined || !stored) return null;
    const { inline: _used, ...rest } = stored;
    try {
      await this.storage.write({ [key]: rest });
    } catch (error) {
      // Another instance took the same tap (a double tap delivered to two instances).
      if (error instanceof ETagConflictError) return null;
      throw error;
    }
    return choice;
  }
}
