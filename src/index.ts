import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConversationState, UserState, type TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import { MainDialog } from '../dialogs';
import { PqrBot } from './bot';
import pino from 'pino';
import { ConsoleAdapter } from './channels/console';
import { registerWhatsApp, type WhatsAppChannel } from './channels/whatsapp';
import { registerBotFramework, type BotFrameworkChannel } from './channels/botframework';
import { registerDirectLine, type DirectLineChannel, type PageTexts } from './channels/directline';
import { loadConfig, loadEnvFile, type Config } from './config';
import { createHttpServer } from './http';
import { Texts, type Translate } from './i18n';
import { createLogger, type Logger } from './logger';
import { Metrics } from './metrics';
import { createRecognizer, type Recognizer } from './nlu';
import { BusinessCalendar, PqrLifecycle, PqrService, systemClock, type Clock } from './pqr';
import { openDatabase, PrismaBotStorage, type Database } from './storage';

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  /** Where the trained NLU model is cached (default data/nlu-model.json). */
  nluCacheFile?: string;
}

export interface App {
  config: Config;
  server: Server;
  db: Database;
  bot: PqrBot;
  pqr: PqrService;
  lifecycle: PqrLifecycle;
  calendar: BusinessCalendar;
  texts: Texts;
  clock: Clock;
  webchat: DirectLineChannel;
  /** On when WHATSAPP_ACCESS_TOKEN, _APP_SECRET, _PHONE_NUMBER_ID and _VERIFY_TOKEN are set. */
  whatsapp?: WhatsAppChannel;
  /** Always on: anonymous (Bot Framework Emulator) without MicrosoftAppId, authenticated with it (Azure Bot Service). */
  botframework: BotFrameworkChannel;
  logger: Logger;
  /** Logs a failed turn (no personal data) and apologises to the user on their channel. */
  onTurnError: (context: TurnContext, error: Error) => Promise<void>;
  /** Stops taking requests, finishes the turns in flight and closes the database. */
  close(): Promise<void>;
}

export interface BotParts {
  bot: PqrBot;
  pqr: PqrService;
  lifecycle: PqrLifecycle;
  calendar: BusinessCalendar;
  nlu: Recognizer;
  texts: Texts;
}

/** Domain, NLU, texts, dialogs and the bot over the database: everything but the channels. */
export async function buildBot(config: Config, db: Database, clock: Clock, nluCacheFile = path.resolve('data', 'nlu-model.json')): Promise<BotParts> {
  const calendar = new BusinessCalendar(await db.prisma.holidayOverride.findMany());
  const pqr = new PqrService(db.prisma, clock, calendar, config.terms, config.operator);
  await pqr.syncBrands();
  const lifecycle = new PqrLifecycle(db.prisma, clock, calendar, config.terms);
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
  const dialog = new MainDialog({
    pqr,
    lifecycle,
    nlu,
    texts,
    clock,
    defaultLocale: config.defaultLocale,
    brands: config.operator.brands,
    answerDays: config.terms.answerDays,
    recursoDays: config.terms.recursoDays,
  });
  const storage = new PrismaBotStorage(db.prisma);
  return { bot: new PqrBot(new ConversationState(storage), new UserState(storage), dialog), pqr, lifecycle, calendar, nlu, texts };
}

/** The composition root: configuration → storage → domain → NLU → dialogs → bot → channels → HTTP. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const db = await openDatabase(config.databaseUrl);
  if (db.applied.length) logger.info({ migrations: db.applied }, 'database migrated');

  const { bot, pqr, lifecycle, calendar, texts } = await buildBot(config, db, clock, options.nluCacheFile);

  const metrics = new Metrics(db.prisma);
  // Channels run turns through this: the same bot, counted and timed.
  const turns = metrics.instrument(bot);
  const server = createHttpServer({
    name: 'pqr-bot',
    maxBodyBytes: config.maxBodyBytes,
    logger,
    metrics,
    healthy: async () => (await db.prisma.$queryRawUnsafe('SELECT 1'), true),
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
  });
  const env = config.env;
  const whatsapp =
    env.WHATSAPP_ACCESS_TOKEN && env.WHATSAPP_APP_SECRET && env.WHATSAPP_PHONE_NUMBER_ID && env.WHATSAPP_VERIFY_TOKEN
      ? registerWhatsApp(server, {
          prisma: db.prisma,
          bot: turns,
          logger,
          onTurnError,
          clock,
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
    auth: { appId: env.MicrosoftAppId, appPassword: env.MicrosoftAppPassword, appType: env.MicrosoftAppType, tenantId: env.MicrosoftAppTenantId },
  });
  logChannels(config, logger, !!whatsapp);

  return {
    config,
    server,
    db,
    bot,
    pqr,
    lifecycle,
    calendar,
    texts,
    clock,
    webchat,
    whatsapp,
    botframework,
    logger,
    onTurnError,
    async close() {
      server.close();
      await webchat.idle();
      await whatsapp?.idle();
      await botframework.idle();
      await db.close();
    },
  };
}

function pageTexts(t: Translate): PageTexts {
  const keys: (keyof PageTexts)[] = ['connecting', 'failed', 'retry', 'newConversation', 'chatLabel', 'placeholder', 'renderError', 'noscript'];
  return Object.fromEntries(keys.map((key) => [key, t(`webchat.page.${key}`)])) as unknown as PageTexts;
}

/** One line per channel: which are on, and which are off for lack of credentials. */
function logChannels(config: Config, logger: Logger, whatsappOn: boolean): void {
  const env = config.env;
  logger.info({ channel: 'webchat' }, 'channel on: web chat at / (Direct Line at /v3/directline)');
  const off = (channel: string, missing: string) => logger.info({ channel }, `channel off: ${missing} not set`);
  if (whatsappOn) logger.info({ channel: 'whatsapp' }, 'channel on: WhatsApp webhook at /api/whatsapp');
  else off('whatsapp', 'WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_PHONE_NUMBER_ID or WHATSAPP_VERIFY_TOKEN');
  if (!env.TELEGRAM_BOT_TOKEN) off('telegram', 'TELEGRAM_BOT_TOKEN');
  if (env.MicrosoftAppId) logger.info({ channel: 'botframework', appType: env.MicrosoftAppType }, 'channel on: Bot Framework at /api/messages, authenticated with MicrosoftAppId (Azure Bot Service)');
  else {
    logger.info({ channel: 'botframework' }, 'channel on: Bot Framework at /api/messages, anonymous (Bot Framework Emulator; MicrosoftAppId not set)');
    logger.warn({ channel: 'botframework' }, 'anyone can post to /api/messages: set MicrosoftAppId and its credentials in production');
  }
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
  const resumed = (await app.webchat.resumePending()) + ((await app.whatsapp?.resumePending()) ?? 0);
  if (resumed) app.logger.info({ resumed }, 'resumed messages left unprocessed');
  const url = await listen(app);
  app.logger.info({ url }, `PQR bot listening: open ${url} for the web chat`);
  const stop = async (signal: string) => {
    app.logger.info({ signal }, 'shutting down: finishing turns in flight');
    await app.close();
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
