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
import { openChannels, type Channel, type Channels } from './channels';
import type { BotFrameworkAuth } from './channels/botframework';
import { loadConfig, loadEnvFile, type Config } from './config';
import { createHttpServer } from './http';
import { Texts } from './i18n';
import { Identities, jasminGateway, loadLookupSecret, OneTimeCodes, type KeyedDigest } from './identity';
import { createLogger, type Logger } from './logger';
import { Metrics } from './metrics';
import { createRecognizer, type Recognizer } from './nlu';
import type { Transporter } from 'nodemailer';
import { ConversationRecorder, createNotifications, mailTransport, type Notifications } from './notify';
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
  /** The channels that are on, each of the one shape (see src/channels/channel.ts). */
  channels: Channel[];
  webchat: Channels['webchat'];
  /** On when WHATSAPP_ACCESS_TOKEN, _APP_SECRET, _PHONE_NUMBER_ID and _VERIFY_TOKEN are set. */
  whatsapp?: Channels['whatsapp'];
  /** On when TELEGRAM_BOT_TOKEN is set, with TELEGRAM_WEBHOOK_SECRET unless TELEGRAM_MODE=polling. */
  telegram?: Channels['telegram'];
  /** Authenticated with MicrosoftAppId (Azure Bot Service); without it, anonymous from this machine with BOTFRAMEWORK_ANONYMOUS=true (Emulator), else off. */
  botframework?: Channels['botframework'];
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
  const inbound = { leases, leaseMs: config.inbound.leaseMs, facts: handoffs ? [handoffs.service.conversationFacts()] : [] };
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

  // Every message to a user outside a turn leaves through the outbox; each channel plugs in its senders.
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

  if (!config.webchat.directLineSecret) logger.info('DIRECTLINE_SECRET not set: web chat tokens are signed with a per-process key');
  const { channels, on, off } = await openChannels(
    config,
    { prisma: db.prisma, identities, bot: turns, logger, onTurnError, clock, texts, defaultLocale: config.defaultLocale, inbound },
    { botFrameworkIssuer: options.botFrameworkIssuer },
  );
  for (const channel of on) {
    channel.routes(server);
    for (const [id, sender] of Object.entries(channel.senders)) notify.outbox.register(id, sender);
    logger.info({ channel: channel.id }, `channel on: ${channel.description}`);
    for (const warning of channel.warnings) logger.warn({ channel: channel.id }, warning);
  }
  for (const channel of off) {
    channel.routes?.(server);
    logger.info({ channel: channel.id }, `channel off: ${channel.reason}`);
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
    channels: on,
    ...channels,
    notify,
    handoffs: handoffs!,
    logger,
    onTurnError,
    async resumePending() {
      let pending = 0;
      for (const channel of on) pending += await channel.resumePending();
      return pending;
    },
    async close() {
      // Agents' inbox streams never end by themselves; their holds lapse back to the queue if nobody reconnects.
      backoffice.closeStreams();
      await stopListening(server, config.inbound.shutdownMs / 2);
      for (const channel of on) await channel.close();
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
  for (const channel of app.channels) channel.start();
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
