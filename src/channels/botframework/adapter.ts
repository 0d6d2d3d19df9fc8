import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type ConversationReference, type InvokeResponse, type TurnContext } from 'botbuilder';

/** What a checked request carries into its turn: claims, audience and the connector factory for replies. */
export type AuthenticatedRequest = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

export interface BotFrameworkAuth {
  /** MicrosoftAppId: without it the channel is anonymous (Bot Framework Emulator). */
  appId?: string;
  /** MicrosoftAppPassword: the client secret; not used by a user-assigned managed identity. */
  appPassword?: string;
  /** MicrosoftAppType. */
  appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  /** MicrosoftAppTenantId: required for SingleTenant and UserAssignedMSI. */
  tenantId?: string;
}

/**
 * botbuilder's CloudAdapter with its two steps apart: authenticate, then run the turn.
 * `CloudAdapter.process` does both, but it answers a missing type with a thrown error (a 500),
 * gives bare 400s, writes auth failures to the console instead of our logger, and would
 * authenticate only once the conversation's earlier turns are done; the route needs each step
 * on its own.
 */
export class BotFrameworkCloudAdapter extends CloudAdapter {
  constructor(private readonly auth: BotFrameworkAuth) {
    super(
      new ConfigurationBotFrameworkAuthentication({
        MicrosoftAppId: auth.appId,
        MicrosoftAppPassword: auth.appPassword,
        MicrosoftAppType: auth.appType,
        MicrosoftAppTenantId: auth.tenantId,
      }),
    );
  }

  /**
   * Proactive messages (notifications) from a stored conversation reference. CloudAdapter
   * deprecates the one-argument form; the bot's app id (empty when anonymous) is what it needs.
   */
  override async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    await this.continueConversationAsync(this.auth.appId ?? '', reference, logic);
  }

  /** Checks the JWT the Bot Connector signed (anything passes when anonymous); throws a 401 AuthenticationError. */
  authenticate(activity: Activity, authorization: string): Promise<AuthenticatedRequest> {
    return this.botFrameworkAuthentication.authenticateRequest(activity, authorization);
  }

  /** Runs one turn; replies go to the activity's serviceUrl. Returns the invoke response, if any. */
  runTurn(request: AuthenticatedRequest, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(request, activity, logic);
  }
}
