import { randomBytes } from 'node:crypto';
import type { Server } from 'restify';
import type { Config } from '../config';
import type { Translate } from '../i18n';
import type { BotFrameworkAuth, BotFrameworkChannel } from './botframework';
import type { Channel, ChannelDeps } from './channel';
import type { DirectLineChannel, PageTexts } from './directline';
import type { TelegramChannel } from './telegram';
import type { WhatsAppChannel } from './whatsapp';
import { refuseMessages } from './botframework/off';

export type { Channel, ChannelDeps, TurnLogic } from './channel';

/** The channels that are on, by name; web chat always is. */
export interface Channels {
  webchat: DirectLineChannel;
  whatsapp?: WhatsAppChannel;
  telegram?: TelegramChannel;
  botframework?: BotFrameworkChannel;
}

/** A channel left off: why (the variables to set), and the route that says so, if it keeps one. */
export interface OffChannel {
  id: string;
  reason: string;
  routes?(server: Server): void;
}

export interface ChannelOptions {
  /** Who signs /api/messages tokens, when not the Bot Framework's public cloud (tests: a local issuer). */
  botFrameworkIssuer?: BotFrameworkAuth['issuer'];
}

/**
 * Builds the channels whose settings are present. A channel that is off is not even imported
 * (`import()` here), so a default start loads neither telegraf nor the Bot Framework's
 * authentication nor the WhatsApp SDK.
 */
export async function openChannels(config: Config, deps: ChannelDeps, options: ChannelOptions = {}): Promise<{ channels: Channels; on: Channel[]; off: OffChannel[] }> {
  const { whatsapp, telegram, botframework, off: reasons } = config.channels;
  const { createDirectLine } = await import('./directline');
  const channels: Channels = {
    webchat: createDirectLine({
      ...deps,
      // Without DIRECTLINE_SECRET tokens are signed with a per-process key (index.ts says so at start-up).
      secret: config.webchat.directLineSecret ?? randomBytes(32).toString('hex'),
      page: { title: config.webchat.title, brandColor: config.webchat.brandColor, locale: config.defaultLocale, texts: pageTexts(deps.texts.for(config.defaultLocale)) },
      maxBodyBytes: config.maxBodyBytes,
      newConversations: config.webchat.newConversations,
      messages: config.webchat.messages,
    }),
  };
  if (whatsapp) channels.whatsapp = (await import('./whatsapp')).createWhatsApp(whatsapp, deps);
  if (telegram) channels.telegram = (await import('./telegram')).createTelegram(telegram, deps);
  if (botframework) channels.botframework = (await import('./botframework')).createBotFramework(botframework, { ...deps, issuer: options.botFrameworkIssuer, trustProxy: config.trustProxy });

  const off: OffChannel[] = Object.entries(reasons).map(([id, reason]) => ({ id, reason }));
  // /api/messages stays a route that says why it refuses, as the Bot Framework's own tools expect an answer.
  const botframeworkOff = off.find((entry) => entry.id === 'botframework');
  if (botframeworkOff) botframeworkOff.routes = refuseMessages;
  return { channels, on: Object.values(channels).filter((channel): channel is Channel => channel !== undefined), off };
}

function pageTexts(t: Translate): PageTexts {
  const keys: (keyof PageTexts)[] = ['connecting', 'failed', 'retry', 'newConversation', 'chatLabel', 'placeholder', 'renderError', 'noscript', 'tooLong'];
  return Object.fromEntries(keys.map((key) => [key, t(`webchat.page.${key}`)])) as unknown as PageTexts;
}
