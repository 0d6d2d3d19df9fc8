import { ActivityHandler, ConversationState, UserState, type Activity, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import type { MainDialog } from '../dialogs';

/** Remembers how to reach the user later (conversation reference, last message, language). */
export interface InboundRecorder {
  record(activity: Partial<Activity>): Promise<void>;
}

/**
 * The bot: runs the main dialog and saves conversation and user state after every turn.
 * Nothing channel-specific lives here; each channel adapter calls `run`.
 */
export class PqrBot extends ActivityHandler {
  private readonly dialogState: StatePropertyAccessor<DialogState>;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
    private readonly dialog: MainDialog,
    private readonly conversations?: InboundRecorder,
  ) {
    super();
    this.dialogState = conversationState.createProperty<DialogState>('dialogState');

    this.onMessage(async (context, next) => {
      await this.dialog.run(context, this.dialogState);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const joined = context.activity.membersAdded ?? [];
      if (joined.some((member) => member.id !== context.activity.recipient?.id)) await this.dialog.greet(context);
      await next();
    });

    // Web Chat sends this event when it connects, so the bot greets first.
    this.onEvent(async (context, next) => {
      if (context.activity.name === 'webchat/join') await this.dialog.greet(context);
      await next();
    });
  }

  async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
    await this.userState.saveChanges(context, false);
    // After the turn: the identity exists only once the user consented, maybe in this very turn.
    await this.conversations?.record(context.activity);
  }
}
