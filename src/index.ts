import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConversationState, UserState, type TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import { MainDialog, PromptLanguage } from '../dialogs';
import { askAboutAnswer, createHandoffs, type HandoffOptions, type HandoffParts } from './handoff';
import { registerAvisos } from './avisos';
import { registerBackoffice } from './backoffice';
import { DataRequests, ExportLinks, registerDataExport } from './habeas';
import { PqrBot } from './bot';
import pino from 'pino';
import { Counter } from 'prom-client';
import { ConsoleAdapter } from './channels/console';
import { registerWhatsApp, type WhatsAppChannel } from './channels/whatsapp';
import { registerTelegram, type TelegramChannel, type TelegramConfig } from './channels/telegram';
import { NOTIFIABLE_CHANNELS, registerBotFramework, type BotFrameworkAuth, type BotFrameworkChannel } from './channels/botframework';
import { registerDirectLine, type DirectLineChannel, type PageTexts } from './channels/directline';
import { loadConfig, loadEnvFile, type Config } from './config';
import { createHttpServer } from './http';
import { Texts, type Translate } from './i18n';
import { Identities, jasminGateway, loadLookupSecret, OneTimeCodes, type KeyedDigest } from './identity';
import { createLogger, type Logger } from './logger';
import { Metrics } from './metrics';
import { createRecognizer, type Recognizer } from './nlu';
import type { Transporter } from 'nodemailer';
import { chatSender, ConversationRecorder, createNotifications, mailTransport, TemplateClient, whatsAppSender, type Notifications } from './notify';
import { BusinessCalendar, HolidayOverrides, NotificationFallback, PqrLifecycle, PqrService, systemClock, type Clock } from './pqr';
import { Leases, openDatabase, PrismaBotStorage, type Database } from './storage';

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  /** Where the trained NLU model is cached (default data/nlu-model.json). */
  nluCacheFile?: string;
  /** Who signs /api/messages tokens, when not the Bot Framework's public cloud (tests: a local issuer). */
  botFrameworkIssuer?: BotFrameworkAuth['issuer'];
}

export interface App {
  config: Config;
  server: Server;
  db: Database;
  bot: PqrBot;
  pqr: PqrService;
  lifecycle: PqrLifecycle;
  /** Channel identities, what they have proven, consent (see src/identity). */
  identities: Identities;
  /** Data-protection requests (Ley 1581 arts. 14 and 15; see src/habeas). */
  dataRequests: DataRequests;
  calendar: BusinessCalendar;
  /** Holidays a supervisor adds or removes; every instance re-reads them every HOLIDAY_REFRESH_SECONDS. */
  holidays: HolidayOverrides;
  /** Notification by e-mail and by aviso (/avisos) for decisions without proof of delivery. */
  fallback: NotificationFallback;
  texts: Texts;
  clock: Clock;
  webchat: DirectLineChannel;
  /** On when WHATSAPP_ACCESS_TOKEN, _APP_SECRET, _PHONE_NUMBER_ID and _VERIFY_TOKEN are set. */
  whatsapp?: WhatsAppChannel;
  /** On when TELEGRAM_BOT_TOKEN is set, with TELEGRAM_WEBHOOK_SECRET unless TELEGRAM_MODE=polling. */
  telegram?: TelegramChannel;
  /** Authenticated with MicrosoftAppId (Azure Bot Service); without it, anonymous from this machine with BOTFRAMEWORK_ANONYMOUS=true (Emulator), else off. */
  botframework: BotFrameworkChannel;
  /** The outbox dispatcher (`notify.outbox.runOnce()`, `kick()`) and the deadline scheduler (`notify.scheduler.tick()`). */
  notify: Notifications;
  /** Live handoff to agents (`handoffs.service.sweep()` checks lapsed holds and long waits) and CSAT. */
  handoffs: HandoffParts;
  logger: Logger;
  /** Logs a failed turn (no personal data) and apologises to the user on their channel. */
  onTurnError: (context: TurnContext, error: Error) => Promise<void>;
  /**
   * Processes recorded messages that nobody is processing (left by a crash, a restart or a dead
   * instance); `main` runs it at start and every INBOUND_SWEEP_SECONDS. Returns how many were pending.
   */
  resumePending(): Promise<number>;
  /** Stops taking requests, finishes the turns in flight and closes the database. */
  close(): Promise<void>;
}

export interface BotParts {
  bot: PqrBot;
  /** Present when `buildBot` was given `handoff` options (the server always does). */
  handoffs?: HandoffParts;
  pqr: PqrService;
  lifecycle: PqrLifecycle;
  calendar: BusinessCalendar;
  holidays: HolidayOverrides;
  nlu: Recognizer;
  texts: Texts;
  conversations: ConversationRecorder;
  identities: Identities;
  codes: OneTimeCodes;
  lookupDigest: KeyedDigest;
  dataRequests: DataRequests;
  exportLinks: ExportLinks;
  /** The SMTP transport when SMTP_URL is set: notifications and one-time codes share it. */
  mail?: Transporter;
}

/** Domain, NLU, texts, dialogs and the bot over the database: everything but the channels. */
export async function buildBot(
  config: Config,
  db: Database,
  clock: Clock,
  nluCacheFile = path.resolve('data', 'nlu-model.json'),
  options: { handoff?: Pick<HandoffOptions, 'logger' | 'kick' | 'leader'> } = {},
): Promise<BotParts> {
  const calendar = new BusinessCalendar();
  const holidays = new HolidayOverrides(db.prisma, clock, calendar);
  await holidays.refresh();
  const identities = new Identities(db.prisma, clock);
  const lookupDigest = await loadLookupSecret(db.prisma, config.identity.lookupKeySecret);
  const mail = config.notify.smtpUrl ? mailTransport(config.notify.smtpUrl) : undefined;
  const codes = new OneTimeCodes(db.prisma, clock, identities, lookupDigest, {
    sms: config.identity.smsGatewayUrl ? jasminGateway(config.identity.smsGatewayUrl) : undefined,
    email: mail
      ? async (to, subject, text) => {
          await mail.sendMail({ from: config.notify.smtpFrom, to, subject, text });
        }
      : undefined,
  });
  const pqr = new PqrService(db.prisma, clock, calendar, config.terms, config.operator, identities, lookupDigest);
  await pqr.syncBrands();
  const lifecycle = new PqrLifecycle(db.prisma, clock, calendar, config.terms);
  const dataRequests = new DataRequests(db.prisma, clock, calendar, config.terms, config.retentionYears);
  const exportLinks = new ExportLinks(lookupDigest, clock);
  const nlu = await createRecognizer({ cacheFile: nluCacheFile });

  const { channels } = config.operator;
  const texts = new Texts({
    operator: config.operator.name,
    policyUrl: config.operator.privacyPolicyUrl,
    customerLine: channels.customerLine,
    customerEmail: channels.customerEmail,
    nonCustomerUrl: channels.nonCustomerUrl,
    nonCustomerEmail: channels.nonCustomerEmail,
    recursoDays: config.terms.recursoDays,
    sicDays: config.terms.sicTransferDays,
  });
  const handoffs = options.handoff
    ? await createHandoffs({
        ...options.handoff,
        db,
        databaseUrl: config.databaseUrl,
        clock,
        calendar,
        pqr,
        identities,
        texts,
        defaultLocale: config.defaultLocale,
        settings: config.handoff,
        sweepMs: config.notify.schedulerIntervalMs,
      })
    : undefined;
  const dialog = new MainDialog({
    pqr,
    lifecycle,
    identities,
    codes,
    nlu,
    texts,
    clock,
    defaultLocale: config.defaultLocale,
    brands: config.operator.brands,
    answerDays: config.terms.answerDays,
    handoffs: handoffs?.service,
    ratings: handoffs?.ratings,
    dataRequests,
    exportLinks,
    publicUrl: config.publicUrl,
    retentionYears: config.retentionYears,
  });
  const storage = new PrismaBotStorage(db.prisma);
  const conversations = new ConversationRecorder(db.prisma, identities, clock, config.defaultLocale);
  const bot = new PqrBot(new ConversationState(storage), new UserState(storage), dialog, conversations, new PromptLanguage(texts, config.defaultLocale));
  return { bot, handoffs, pqr, lifecycle, calendar, holidays, nlu, texts, conversations, identities, codes, lookupDigest, mail, dataRequests, exportLinks };
}

/** The composition root: configuration → storage → domain → NLU → dialogs → bot → channels → HTTP. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const db = await openDatabase(config.databaseUrl);
  if (db.applied.length) logger.info({ migrations: db.applied }, 'database migrated');

  // Agent messages and the bot's handoff notices leave through the outbox, built further down.
  let kickOutbox = () => undefined as void;
  const leases = new Leases(db.prisma);
  const { bot, pqr, lifecycle, calendar, holidays, texts, conversations, handoffs, identities, codes, lookupDigest, mail, dataRequests, exportLinks } = await buildBot(config, db, clock, options.nluCacheFile, {
    handoff: { logger, kick: () => kickOutbox(), leader: () => leases.claim('scheduler:handoff', config.notify.schedulerIntervalMs * 1.5) },
  });
  // Only the error's kind: a gateway's or SMTP server's message may carry the number or address.
  codes.onDeliveryFailure = (kind, error) => logger.warn({ kind, error: error instanceof Error ? error.name : 'unknown' }, 'a one-time code could not be delivered');
  logger.info(
    { sms: !!config.identity.smsGatewayUrl, email: !!config.notify.smtpUrl },
    `one-time codes: by SMS ${config.identity.smsGatewayUrl ? 'on' : 'off (SMS_GATEWAY_URL not set)'}, by e-mail ${config.notify.smtpUrl ? 'on' : 'off (SMTP_URL not set)'}`,
  );
  holidays.start(config.holidayRefreshMs, (error) => logger.error({ err: error }, 'holiday overrides could not be re-read'));
  const fallback = new NotificationFallback(db.prisma, clock, calendar, config.terms, lifecycle);

  const metrics = new Metrics(db.prisma);
  // Channels run turns through this: the same bot, counted and timed.
  const turns = metrics.instrument(bot);
  const stateConflicts = new Counter({
    name: 'pqr_bot_state_conflicts_total',
    help: 'Turns whose conversation state another turn saved first, by channel and whether the turn was re-run',
    labelNames: ['channel', 'retried'],
    registers: [metrics.registry],
  });
  bot.onStateConflict = ({ channel, retried }) => {
    stateConflicts.inc({ channel, retried: String(retried) });
    logger.warn({ channel, retried }, 'conversation state was saved by another turn meanwhile');
  };
  // Every instance on the database shares the leases: one instance at a time per conversation, one scheduler tick per interval.
  const inbound = { leases, leaseMs: config.inbound.leaseMs };
  const server = createHttpServer({
    name: 'pqr-bot',
    maxBodyBytes: config.maxBodyBytes,
    logger,
    metrics,
    metricsToken: config.metricsToken,
    trustProxy: config.trustProxy,
    healthy: () => db.ping(),
  });

  const onTurnError = async (context: TurnContext, error: Error) => {
    logger.error({ err: { name: error.name, message: error.message, stack: error.stack }, channel: context.activity.channelId }, 'turn failed');
    const t = texts.for(config.defaultLocale);
    await context.sendActivity(t('error.generic', { channels: t('channels.short') })).catch(() => undefined);
  };

  if (!config.webchat.directLineSecret) logger.info('DIRECTLINE_SECRET not set: web chat tokens are signed with a per-process key');
  const webchat = registerDirectLine(server, {
    prisma: db.prisma,
    bot: turns,
    secret: config.webchat.directLineSecret ?? randomBytes(32).toString('hex'),
    logger,
    onTurnError,
    page: { title: config.webchat.title, brandColor: config.webchat.brandColor, locale: config.defaultLocale, texts: pageTexts(texts.for(config.defaultLocale)) },
    maxBodyBytes: config.maxBodyBytes,
    newConversations: config.webchat.newConversations,
    messages: config.webchat.messages,
    inbound,
  });
  const env = config.env;
  const whatsapp =
    env.WHATSAPP_ACCESS_TOKEN && env.WHATSAPP_APP_SECRET && env.WHATSAPP_PHONE_NUMBER_ID && env.WHATSAPP_VERIFY_TOKEN
      ? registerWhatsApp(server, {
          prisma: db.prisma,
          identities,
          bot: turns,
          logger,
          onTurnError,
          clock,
          inbound,
          texts: texts.for(config.defaultLocale),
          config: {
            accessToken: env.WHATSAPP_ACCESS_TOKEN,
            phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID,
            appSecret: env.WHATSAPP_APP_SECRET,
            verifyToken: env.WHATSAPP_VERIFY_TOKEN,
            apiBaseUrl: env.WHATSAPP_API_BASE_URL,
          },
        })
      : undefined;
  const botframework = registerBotFramework(server, {
    bot: turns,
    logger,
    onTurnError,
    auth: { appId: env.MicrosoftAppId, appPassword: env.MicrosoftAppPassword, appType: env.MicrosoftAppType, tenantId: env.MicrosoftAppTenantId, issuer: options.botFrameworkIssuer },
    anonymous: config.botframework.anonymous,
    trustProxy: config.trustProxy,
  });
  const telegramConfig = telegramConfigOf(config);
  const telegram = telegramConfig
    ? registerTelegram(server, { prisma: db.prisma, identities, bot: turns, logger, onTurnError, clock, texts, defaultLocale: config.defaultLocale, config: telegramConfig, inbound })
    : undefined;
  logChannels(config, logger, !!whatsapp, telegram?.mode);

  // Every message to a user outside a turn leaves through the outbox; each channel plugs in its sender.
  const notify = createNotifications({
    settings: config.notify,
    prisma: db.prisma,
    clock,
    texts,
    defaultLocale: config.defaultLocale,
    logger,
    lifecycle: {
      markOverdue: () => lifecycle.markOverdue(),
      closeFinal: () => lifecycle.closeFinal(),
      // Once the answer reached the user, they are asked once how the service was.
      markNotified: async (pqrId, at, proof, act) => {
        const recorded = await lifecycle.markNotified(pqrId, at, proof, act);
        if (act === 'respuesta') await askAboutAnswer(db.prisma, handoffs!.ratings, pqrId);
        return recorded;
      },
    },
    mail,
    fallback,
    // The holder renews the lease at each of its ticks, before it runs out: another instance ticks only once the holder stops.
    withdrawStale: () => dataRequests.withdrawStale(),
    schedulerLeader: () => leases.claim('scheduler:deadline', config.notify.schedulerIntervalMs * 1.5),
  });
  notify.outbox.register('webchat', chatSender(webchat.adapter));
  if (telegram) notify.outbox.register('telegram', chatSender(telegram.adapter));
  // Conversations that came in through /api/messages (Emulator, Azure Bot Service channels), by their namespaced channel ids.
  if (botframework.mode !== 'off') for (const channel of NOTIFIABLE_CHANNELS) notify.outbox.register(channel, chatSender(botframework.adapter));
  if (whatsapp) {
    const templates = new TemplateClient({ accessToken: env.WHATSAPP_ACCESS_TOKEN!, phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID!, apiBaseUrl: env.WHATSAPP_API_BASE_URL });
    notify.outbox.register('whatsapp', whatsAppSender({ adapter: whatsapp.adapter, templates, template: config.notify.whatsappTemplate, clock }));
  }
  conversations.onRelease(() => notify.outbox.kick());
  kickOutbox = () => notify.outbox.kick();
  notify.start();
  handoffs!.start();

  registerDataExport(server, { links: exportLinks, requests: dataRequests, identities, logger });
  registerAvisos(server, { fallback, clock, t: texts.for(config.defaultLocale), locale: config.defaultLocale, logger });

  if (!config.backoffice.sessionSecret) logger.info('BACKOFFICE_SESSION_SECRET not set: back office sessions are signed with a per-process key (they end at restart; set it when running several instances)');
  const backoffice = registerBackoffice(server, {
    prisma: db.prisma,
    provider: db.provider,
    lifecycle,
    calendar,
    holidays,
    clock,
    terms: config.terms,
    logger,
    operatorName: config.operator.name,
    bootstrapToken: config.backoffice.token,
    sessionSecret: config.backoffice.sessionSecret ?? randomBytes(32).toString('hex'),
    sessionTtlSeconds: config.backoffice.sessionTtlSeconds,
    trustProxy: config.webchat.newConversations.trustProxy,
    handoffs: handoffs!,
    lookupDigest,
    dataRequests,
  });

  return {
    config,
    server,
    db,
    bot,
    pqr,
    lifecycle,
    identities,
    dataRequests,
    calendar,
    holidays,
    fallback,
    texts,
    clock,
    webchat,
    whatsapp,
    telegram,
    botframework,
    notify,
    handoffs: handoffs!,
    logger,
    onTurnError,
    async resumePending() {
      return (await webchat.resumePending()) + ((await whatsapp?.resumePending()) ?? 0) + ((await telegram?.resumePending()) ?? 0);
    },
    async close() {
      // Agents' inbox streams never end by themselves; their holds lapse back to the queue if nobody reconnects.
      backoffice.closeStreams();
      await stopListening(server, config.inbound.shutdownMs / 2);
      await webchat.idle();
      await whatsapp?.idle();
      await telegram?.close();
      await botframework.idle();
      await notify.stop();
      await handoffs!.stop();
      holidays.stop();
      await db.close();
    },
  };
}

/** Stops accepting connections and waits for the requests in flight; after `graceMs` it cuts the ones left. */
function stopListening(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.server.closeAllConnections(), graceMs);
    cut.unref();
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
  });
}

function pageTexts(t: Translate): PageTexts {
  const keys: (keyof PageTexts)[] = ['connecting', 'failed', 'retry', 'newConversation', 'chatLabel', 'placeholder', 'renderError', 'noscript', 'tooLong'];
  return Object.fromEntries(keys.map((key) => [key, t(`webchat.page.${key}`)])) as unknown as PageTexts;
}

/** Webhook mode needs the secret Telegram sends back with every update; polling needs only the token. */
function telegramConfigOf(config: Config): TelegramConfig | undefined {
  const { TELEGRAM_BOT_TOKEN: botToken, TELEGRAM_API_ROOT: apiRoot, TELEGRAM_MODE: mode, TELEGRAM_WEBHOOK_SECRET: webhookSecret } = config.env;
  if (!botToken) return undefined;
  if (mode === 'polling') return { botToken, apiRoot, mode };
  return webhookSecret ? { botToken, apiRoot, mode, webhookSecret } : undefined;
}

/** One line per channel: which are on, and which are off for lack of credentials. */
function logChannels(config: Config, logger: Logger, whatsappOn: boolean, telegramMode: TelegramChannel['mode'] | undefined): void {
  const env = config.env;
  logger.info({ channel: 'webchat' }, 'channel on: web chat at / (Direct Line at /v3/directline)');
  const off = (channel: string, missing: string) => logger.info({ channel }, `channel off: ${missing} not set`);
  if (whatsappOn) logger.info({ channel: 'whatsapp' }, 'channel on: WhatsApp webhook at /api/whatsapp');
  else off('whatsapp', 'WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_PHONE_NUMBER_ID or WHATSAPP_VERIFY_TOKEN');
  if (telegramMode === 'webhook') logger.info({ channel: 'telegram' }, 'channel on: Telegram webhook at /api/telegram');
  else if (telegramMode === 'polling') logger.info({ channel: 'telegram' }, 'channel on: Telegram by long polling (TELEGRAM_MODE=polling)');
  else if (env.TELEGRAM_BOT_TOKEN) off('telegram', 'TELEGRAM_WEBHOOK_SECRET (needed for the webhook; or set TELEGRAM_MODE=polling)');
  else off('telegram', 'TELEGRAM_BOT_TOKEN');
  if (env.MicrosoftAppId) {
    logger.info({ channel: 'botframework', appType: env.MicrosoftAppType }, 'channel on: Bot Framework at /api/messages, authenticated with MicrosoftAppId (Azure Bot Service)');
    if (config.botframework.anonymous) logger.warn({ channel: 'botframework' }, 'BOTFRAMEWORK_ANONYMOUS ignored: MicrosoftAppId is set, so every post needs a Bot Connector token');
  } else if (config.botframework.anonymous) {
    logger.info({ channel: 'botframework' }, 'channel on: Bot Framework at /api/messages, anonymous (Bot Framework Emulator; BOTFRAMEWORK_ANONYMOUS=true)');
    logger.warn({ channel: 'botframework' }, '/api/messages takes unauthenticated posts from this machine (loopback) and replies only to loopback: for local development only');
  } else off('botframework', 'MicrosoftAppId (or BOTFRAMEWORK_ANONYMOUS=true for the Emulator on this machine)');
}

export async function listen(app: App): Promise<string> {
  await new Promise<void>((resolve) => app.server.listen(app.config.port, app.config.host, resolve));
  const address = app.server.address();
  return `http://${app.config.host === '0.0.0.0' ? '127.0.0.1' : app.config.host}:${address.port}`;
}

/** `npm run chat`: the same bot in the terminal, on the same database. */
async function chat(config: Config): Promise<void> {
  const app = await buildApp(config, { logger: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2)) });
  const adapter = new ConsoleAdapter(process.stdout, config.defaultLocale);
  adapter.onTurnError = app.onTurnError;
  await adapter.listen(process.stdin, (context) => app.bot.run(context));
  await app.close();
}

async function main(): Promise<void> {
  loadEnvFile();
  const config = loadConfig();
  if (process.argv.includes('--console')) return chat(config);
  const app = await buildApp(config);
  const resumed = await app.resumePending();
  if (resumed) app.logger.info({ resumed }, 'resumed messages left unprocessed');
  // Messages whose instance died mid-conversation, once its lease has expired.
  const sweep = setInterval(
    () => void app.resumePending().catch((error: unknown) => app.logger.error({ err: error }, 'looking for unprocessed messages failed')),
    config.inbound.sweepMs,
  );
  sweep.unref();
  const url = await listen(app);
  app.logger.info({ url }, `PQR bot listening: open ${url} for the web chat`);
  if (app.telegram?.mode === 'polling') app.telegram.startPolling();
  const stop = async (signal: string) => {
    app.logger.info({ signal }, 'shutting down: finishing turns in flight');
    clearInterval(sweep);
    // What is left unfinished stays recorded: another instance, or this one restarted, finishes it.
    setTimeout(() => {
      app.logger.error('shutdown timed out with turns unfinished');
      process.exit(1);
    }, config.inbound.shutdownMs).unref();
    try {
      await app.close();
    } catch (error) {
      app.logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    app.logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
