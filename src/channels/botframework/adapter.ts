import {
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ConversationReference,
  type InvokeResponse,
  type ResourceResponse,
  type TurnContext,
} from 'botbuilder';
import { AuthenticationConstants } from 'botframework-connector';

/** What a checked request carries into its turn: claims, audience and the connector factory for replies. */
export type AuthenticatedRequest = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

export interface BotFrameworkAuth {
  /** MicrosoftAppId: without it the channel is off, or anonymous with BOTFRAMEWORK_ANONYMOUS (Bot Framework Emulator). */
  appId?: string;
  /** MicrosoftAppPassword: the client secret; not used by a user-assigned managed identity. */
  appPassword?: string;
  /** MicrosoftAppType. */
  appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  /** MicrosoftAppTenantId: required for SingleTenant and UserAssignedMSI. */
  tenantId?: string;
  /**
   * Who signs the tokens of incoming requests (default: the Bot Framework's public cloud). Tests
   * point it at a local issuer; everything else keeps the public cloud's values.
   */
  issuer?: { openIdMetadataUrl: string; tokenIssuer: string };
}

/** Identities, state and notifications of /api/messages live apart from the project's own channels of the same name. */
const NAMESPACE = 'botframework:';

/** The channel id the dialogs, identities and the outbox see for a Bot Framework channel: `botframework:msteams`. */
export function namespacedChannel(channelId: string): string {
  return `${NAMESPACE}${channelId}`;
}

/** The Bot Framework's own channel id again, as the connector knows it. */
function wireChannel(channelId: string | undefined): string | undefined {
  return channelId?.startsWith(NAMESPACE) ? channelId.slice(NAMESPACE.length) : channelId;
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
        ...(auth.issuer
          ? {
              // Setting one of these makes botbuilder take all of them as given.
              ToBotFromChannelOpenIdMetadataUrl: auth.issuer.openIdMetadataUrl,
              ToBotFromEmulatorOpenIdMetadataUrl: auth.issuer.openIdMetadataUrl,
              ToBotFromChannelTokenIssuer: auth.issuer.tokenIssuer,
              ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
              ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
              OAuthUrl: AuthenticationConstants.OAuthUrl,
              CallerId: CallerIdConstants.PublicAzureChannel,
              ValidateAuthority: true,
            }
          : {}),
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

  /** Replies leave with the channel id the connector gave, not the namespaced one the bot used. */
  override sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    return super.sendActivities(
      context,
      activities.map((activity) => ({ ...activity, channelId: wireChannel(activity.channelId) })),
    );
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
