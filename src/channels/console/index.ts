import readline from 'node:readline';
import { randomUUID } from 'node:crypto';
import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';

/**
 * The terminal channel (`npm run chat`), for developers and demos: each line typed is a message;
 * buttons print as a numbered list and typing the number picks that option.
 */
export class ConsoleAdapter extends BotAdapter {
  private lastChoices: string[] = [];
  private readonly reference: ConversationReference;

  constructor(
    private readonly output: NodeJS.WritableStream = process.stdout,
    locale = 'es-CO',
  ) {
    super();
    const userId = `console-${randomUUID()}`;
    this.reference = {
      channelId: 'console',
      serviceUrl: 'urn:pqr-bot:console',
      conversation: { id: userId, isGroup: false, conversationType: 'personal', name: 'console' },
      user: { id: userId, name: 'user' },
      bot: { id: 'pqr-bot', name: 'PQR' },
      locale,
    };
  }

  /** Reads lines until the input closes, running one turn per line, in order. */
  async listen(input: NodeJS.ReadableStream, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    await this.receive({ type: ActivityTypes.Event, name: 'webchat/join' }, logic);
    const lines = readline.createInterface({ input, terminal: false });
    this.output.write('> ');
    for await (const line of lines) {
      await this.receive({ type: ActivityTypes.Message, text: this.choiceFor(line.trim()) }, logic);
      this.output.write('> ');
    }
  }

  async receive(partial: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference(
      { ...partial, id: randomUUID(), timestamp: new Date(), channelId: 'console' },
      this.reference,
      true,
    ) as Activity;
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    return activities.map((activity) => {
      if (activity.type === ActivityTypes.Message) this.print(activity);
      return { id: randomUUID() };
    });
  }

  async updateActivity(): Promise<void> {
    throw new Error('The console cannot edit a message already printed');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('The console cannot delete a message already printed');
  }

  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true) as Activity;
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  private print(activity: Partial<Activity>): void {
    const text = (activity.text ?? '').replace(/\*([^*\n]+)\*/g, '$1');
    this.output.write(`\n${text}\n`);
    const actions = activity.suggestedActions?.actions ?? [];
    this.lastChoices = actions.map((a) => String(a.title ?? a.value));
    this.lastChoices.forEach((title, i) => this.output.write(`  ${i + 1}. ${title}\n`));
  }

  /** "2" after a numbered list means the second option's title. */
  private choiceFor(line: string): string {
    const n = Number(line);
    return Number.isInteger(n) && n >= 1 && n <= this.lastChoices.length ? this.lastChoices[n - 1] : line;
  }
}
