import fs from 'node:fs';
import { z } from 'zod';
import { brandColorProblem } from './contrast';
import type { Terms } from './pqr/terms';

/**
 * The environment, parsed and validated once. The only module that reads process.env.
 * Every setting is optional: the defaults run the bot locally on SQLite with web chat only.
 */
const optional = z.string().trim().min(1).optional();
const days = (fallback: number) => z.coerce.number().int().min(1).max(60).default(fallback);

/** "HH:MM-HH:MM", the start before the end. */
const hoursRange = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM-HH:MM')
  .transform((raw, ctx) => {
    const [from, to] = raw.split('-').map((hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)));
    if (from >= to) {
      ctx.addIssue({ code: 'custom', message: 'the opening time must be before the closing time' });
      return z.NEVER;
    }
    return { from, to };
  });

const brandList = z
  .string()
  .default('vozz:Vozz Móvil:0101,andes:Andes Cel:0102')
  .transform((raw, ctx) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((entry) => {
        const [id, name, cunCode] = entry.split(':').map((s) => s.trim());
        if (!id || !name || !/^\d{4}$/.test(cunCode ?? '')) {
          ctx.addIssue({ code: 'custom', message: `BRANDS entry "${entry}" must be id:Name:CCCC (4-digit CUN code)` });
          return z.NEVER;
        }
        return { id, name, cunCode };
      }),
  );

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .default('file:./data/pqr.db')
    .refine((u) => /^(file:|postgres(ql)?:\/\/)/.test(u), 'must start with file: or postgresql://'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEFAULT_LOCALE: z.enum(['es-CO', 'en']).default('es-CO'),

  OPERATOR_NAME: z.string().default('Plintron Colombia'),
  OPERATOR_CUN_CODE: z.string().regex(/^\d{4}$/, 'must be 4 digits').default('0100'),
  BRANDS: brandList,
  PRIVACY_POLICY_URL: z.string().url().default('https://www.plintron.co/privacy-policy/'),
  CHANNEL_CUSTOMER_LINE: z.string().default('*611'),
  CHANNEL_CUSTOMER_EMAIL: z.string().email().default('atencionclientes@plintron.co'),
  CHANNEL_NONCUSTOMER_URL: z.string().url().default('https://www.plintron.co/contact-us/'),
  CHANNEL_NONCUSTOMER_EMAIL: z.string().email().default('contacto@plintron.co'),

  TERM_ANSWER_DAYS: days(15),
  TERM_RECURSO_DAYS: days(10),
  TERM_REPOSICION_DAYS: days(15),
  TERM_SIC_TRANSFER_DAYS: days(5),
  SILENCE_EFFECT_HOURS: z.coerce.number().int().min(1).default(72),
  BUSINESS_DAY_END: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM').default('17:00'),
  NOTIFY_FALLBACK_DAYS: days(5),
  HOLIDAY_REFRESH_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  RETENTION_YEARS: z.coerce.number().int().min(10).default(10),
  PUBLIC_URL: z.string().url().optional(),

  WEBCHAT_TITLE: z.string().default('Atención al cliente · PQR'),
  WEBCHAT_BRAND_COLOR: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .default('#0b5cab')
    .superRefine((color, ctx) => {
      const problem = brandColorProblem(color);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  DIRECTLINE_SECRET: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  /** Behind a load balancer: client IPs come from X-Forwarded-For. */
  TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  WEBCHAT_NEW_CONVERSATIONS_PER_SECOND: z.coerce.number().min(0.01).default(2),
  WEBCHAT_NEW_CONVERSATIONS_BURST: z.coerce.number().int().min(1).default(30),
  /** Messages a web chat conversation may post: a sustained rate and a burst; over it, 429 with Retry-After. */
  WEBCHAT_MESSAGES_PER_SECOND: z.coerce.number().min(0.01).default(1),
  WEBCHAT_MESSAGES_BURST: z.coerce.number().int().min(1).default(10),

  WHATSAPP_ACCESS_TOKEN: optional,
  WHATSAPP_PHONE_NUMBER_ID: optional,
  WHATSAPP_APP_SECRET: optional,
  WHATSAPP_VERIFY_TOKEN: optional,
  WHATSAPP_API_BASE_URL: z.string().url().default('https://graph.facebook.com'),
  TELEGRAM_BOT_TOKEN: optional,
  TELEGRAM_WEBHOOK_SECRET: optional,
  TELEGRAM_API_ROOT: z.string().url().default('https://api.telegram.org'),
  TELEGRAM_MODE: z.enum(['webhook', 'polling']).default('webhook'),
  MicrosoftAppId: optional,
  MicrosoftAppPassword: optional,
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MicrosoftAppTenantId: optional,
  /** Local development only: /api/messages without MicrosoftAppId, from loopback addresses, replying only to loopback. */
  BOTFRAMEWORK_ANONYMOUS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** A bearer with supervisor rights: long enough that guessing it, even unthrottled, is hopeless. */
  BACKOFFICE_TOKEN: z.string().trim().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  BACKOFFICE_SESSION_SECRET: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  BACKOFFICE_SESSION_HOURS: z.coerce.number().int().min(1).max(168).default(8),
  /** When set, GET /metrics needs `Authorization: Bearer METRICS_TOKEN`. */
  METRICS_TOKEN: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  SMTP_URL: optional,
  /** Jasmin-style SMS gateway for one-time codes to a line: http://user:password@host:1401/send. */
  SMS_GATEWAY_URL: z.string().url().optional(),
  /** Key of lookup digests and one-time-code HMACs; generated and kept in the database when not set. */
  LOOKUP_KEY_SECRET: z.string().trim().min(32, 'must be at least 32 characters').optional(),
  /** The sender of notification e-mails; defaults to the operator's customer-care address. */
  SMTP_FROM: optional,
  /** An approved WhatsApp template with one body parameter (the CUN), sent when the 24-hour window has closed. */
  WHATSAPP_TEMPLATE_NAME: z.string().trim().min(1).default('pqr_respuesta'),
  WHATSAPP_TEMPLATE_LANGUAGE: z.string().trim().min(2).default('es'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(100).default(2000),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(12),
  SCHEDULER_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(60),
  /**
   * Several instances: how soon another instance takes over the conversations of one that died.
   * The holder renews it every third of it while it works; a dead holder's users wait at most
   * about this plus INBOUND_SWEEP_SECONDS (10 + 2: under 15 s). Expiry is judged by PostgreSQL's
   * clock, so the instances' clocks need not agree (src/storage/leases.ts).
   */
  CONVERSATION_LEASE_SECONDS: z.coerce.number().int().min(1).default(10),
  /** How often each instance looks for recorded messages nobody is processing (whose lease expired). */
  INBOUND_SWEEP_SECONDS: z.coerce.number().int().min(1).default(2),
  /** On SIGTERM, how long turns in flight may take to finish before the process exits anyway. */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(25),

  /** Live handoff: agents' hours on business days (America/Bogota), and on Saturdays when set. */
  HANDOFF_HOURS: hoursRange.default({ from: 8 * 60, to: 18 * 60 }),
  HANDOFF_SATURDAY_HOURS: hoursRange.optional(),
  /** With this many conversations waiting, new requests are offered filing or a callback instead. */
  HANDOFF_MAX_QUEUE: z.coerce.number().int().min(1).default(10),
  /** A user waiting longer than this is told so and offered filing or a callback. */
  HANDOFF_MAX_WAIT_MINUTES: z.coerce.number().int().min(1).default(15),
  /** An agent's hold lapses back to the queue this long after their inbox stopped answering (tab closed). */
  HANDOFF_HOLD_TIMEOUT_SECONDS: z.coerce.number().int().min(10).default(120),
  /** An agent counts as online this long after their last event stream or heartbeat. */
  HANDOFF_ONLINE_SECONDS: z.coerce.number().int().min(10).default(60),
  /** Minutes an agent takes per conversation, for the expected wait the bot announces. */
  HANDOFF_AVERAGE_MINUTES: z.coerce.number().int().min(1).default(6),
  /** An approved WhatsApp template without parameters ("Un asesor te respondió…"), sent first when an agent writes after the 24-hour window closed. */
  WHATSAPP_HANDOFF_TEMPLATE_NAME: z.string().trim().min(1).default('pqr_asesor'),
});

export type Env = z.infer<typeof schema>;

export interface Config {
  env: Env;
  port: number;
  host: string;
  databaseUrl: string;
  logLevel: Env['LOG_LEVEL'];
  defaultLocale: Env['DEFAULT_LOCALE'];
  operator: {
    name: string;
    cunCode: string;
    brands: { id: string; name: string; cunCode: string }[];
    privacyPolicyUrl: string;
    channels: { customerLine: string; customerEmail: string; nonCustomerUrl: string; nonCustomerEmail: string };
  };
  terms: Terms;
  /** Years the expediente of a PQR is kept after it closes: a deletion request stops there (Ley 1581 art. 15). */
  retentionYears: number;
  /** The address users reach this server at (https://pqr.example.co): links sent in a chat are made absolute with it. */
  publicUrl?: string;
  /** How often each instance re-reads the holiday overrides a supervisor may change. */
  holidayRefreshMs: number;
  webchat: {
    title: string;
    brandColor: string;
    directLineSecret?: string;
    newConversations: { ratePerSecond: number; burst: number; trustProxy: boolean };
    /** Per conversation: posts over this rate get 429. */
    messages: { ratePerSecond: number; burst: number };
  };
  /**
   * The channels' own settings: a channel is present when its credentials are set, else `off`
   * says why (the start-up log repeats it). Web chat is always on (see `webchat`).
   */
  channels: ChannelSettings;
  /** Behind a load balancer: client IPs from X-Forwarded-For, HTTPS from X-Forwarded-Proto (HSTS). */
  trustProxy: boolean;
  /** GET /metrics needs this bearer when set. */
  metricsToken?: string;
  /** BOTFRAMEWORK_ANONYMOUS: /api/messages without MicrosoftAppId, for the Emulator on this machine only. */
  botframework: { anonymous: boolean };
  /** The agents' back office: bootstrap bearer, session signing secret and session lifetime. */
  backoffice: { token?: string; sessionSecret?: string; sessionTtlSeconds: number };
  maxBodyBytes: number;
  /** The outbox dispatcher, e-mail, the WhatsApp template for a closed window, and the deadline scheduler. */
  notify: {
    smtpUrl?: string;
    smtpFrom: string;
    whatsappTemplate: { name: string; language: string };
    pollMs: number;
    maxAttempts: number;
    schedulerIntervalMs: number;
  };
  /** Recorded messages across instances: conversation lease, sweep for orphaned messages, shutdown grace. */
  inbound: { leaseMs: number; sweepMs: number; shutdownMs: number };
  /** Live handoff to agents: hours (minutes of the Bogotá day), queue limits, hold and presence timeouts. */
  handoff: HandoffSettings;
  /** One-time codes to a line (SMS gateway) and the key of lookup digests and code HMACs. */
  identity: { smsGatewayUrl?: string; lookupKeySecret?: string };
}

export interface WhatsAppSettings {
  /** WHATSAPP_ACCESS_TOKEN: a permanent (system user) token with whatsapp_business_messaging. */
  accessToken: string;
  /** WHATSAPP_PHONE_NUMBER_ID: the business number's id, not the number itself. */
  phoneNumberId: string;
  /** WHATSAPP_APP_SECRET: checks X-Hub-Signature-256 on every webhook. */
  appSecret: string;
  /** WHATSAPP_VERIFY_TOKEN: answered in the subscription handshake. */
  verifyToken: string;
  /** WHATSAPP_API_BASE_URL: Meta's Graph URL, or a fake Graph server in tests. */
  apiBaseUrl: string;
  /** WHATSAPP_TEMPLATE_NAME/_LANGUAGE: the approved template sent when the 24-hour window has closed. */
  template: { name: string; language: string };
}

export type TelegramSettings = {
  /** TELEGRAM_BOT_TOKEN, from BotFather. */
  botToken: string;
  /** TELEGRAM_API_ROOT: Telegram's Bot API, or a fake one in tests. */
  apiRoot: string;
} & (
  | {
      mode: 'webhook';
      /** TELEGRAM_WEBHOOK_SECRET: the secret_token given to setWebhook, checked on every update. */
      webhookSecret: string;
    }
  | { mode: 'polling' }
);

export interface BotFrameworkSettings {
  /** MicrosoftAppId: posts need a Bot Connector token for it; without it, `anonymous` (loopback only). */
  mode: 'authenticated' | 'anonymous';
  appId?: string;
  appPassword?: string;
  appType: Env['MicrosoftAppType'];
  tenantId?: string;
  /** BOTFRAMEWORK_ANONYMOUS was set too (ignored when authenticated: the start-up log warns). */
  anonymousRequested: boolean;
}

export interface ChannelSettings {
  whatsapp?: WhatsAppSettings;
  telegram?: TelegramSettings;
  botframework?: BotFrameworkSettings;
  /** Why each channel that is off is off: the variables to set. */
  off: Partial<Record<'whatsapp' | 'telegram' | 'botframework', string>>;
}

function channelSettings(env: Env): ChannelSettings {
  const off: ChannelSettings['off'] = {};
  const { WHATSAPP_ACCESS_TOKEN: accessToken, WHATSAPP_PHONE_NUMBER_ID: phoneNumberId, WHATSAPP_APP_SECRET: appSecret, WHATSAPP_VERIFY_TOKEN: verifyToken } = env;
  const whatsapp =
    accessToken && phoneNumberId && appSecret && verifyToken
      ? { accessToken, phoneNumberId, appSecret, verifyToken, apiBaseUrl: env.WHATSAPP_API_BASE_URL, template: { name: env.WHATSAPP_TEMPLATE_NAME, language: env.WHATSAPP_TEMPLATE_LANGUAGE } }
      : undefined;
  if (!whatsapp) off.whatsapp = 'WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_PHONE_NUMBER_ID or WHATSAPP_VERIFY_TOKEN not set';

  // Webhook mode needs the secret Telegram sends back with every update; polling needs only the token.
  const { TELEGRAM_BOT_TOKEN: botToken, TELEGRAM_API_ROOT: apiRoot, TELEGRAM_WEBHOOK_SECRET: webhookSecret } = env;
  let telegram: TelegramSettings | undefined;
  if (!botToken) off.telegram = 'TELEGRAM_BOT_TOKEN not set';
  else if (env.TELEGRAM_MODE === 'polling') telegram = { botToken, apiRoot, mode: 'polling' };
  else if (webhookSecret) telegram = { botToken, apiRoot, mode: 'webhook', webhookSecret };
  else off.telegram = 'TELEGRAM_WEBHOOK_SECRET (needed for the webhook; or set TELEGRAM_MODE=polling) not set';

  const mode: BotFrameworkSettings['mode'] | undefined = env.MicrosoftAppId ? 'authenticated' : env.BOTFRAMEWORK_ANONYMOUS ? 'anonymous' : undefined;
  const botframework: BotFrameworkSettings | undefined = mode
    ? { mode, appId: env.MicrosoftAppId, appPassword: env.MicrosoftAppPassword, appType: env.MicrosoftAppType, tenantId: env.MicrosoftAppTenantId, anonymousRequested: env.BOTFRAMEWORK_ANONYMOUS }
    : undefined;
  if (!botframework) off.botframework = 'MicrosoftAppId (or BOTFRAMEWORK_ANONYMOUS=true for the Emulator on this machine) not set';
  return { whatsapp, telegram, botframework, off };
}

export interface HandoffSettings {
  hours: { from: number; to: number };
  saturdayHours?: { from: number; to: number };
  maxQueue: number;
  maxWaitMs: number;
  holdTimeoutMs: number;
  onlineMs: number;
  averageMinutes: number;
  whatsappTemplate: { name: string; language: string };
}

export class ConfigError extends Error {}

/** Reads `.env` (if present) into process.env without overriding what is already set. */
export function loadEnvFile(file = '.env'): void {
  if (fs.existsSync(file)) process.loadEnvFile(file);
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (as copied from .env.example) means "not set".
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  return {
    env,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    logLevel: env.LOG_LEVEL,
    defaultLocale: env.DEFAULT_LOCALE,
    operator: {
      name: env.OPERATOR_NAME,
      cunCode: env.OPERATOR_CUN_CODE,
      brands: env.BRANDS,
      privacyPolicyUrl: env.PRIVACY_POLICY_URL,
      channels: {
        customerLine: env.CHANNEL_CUSTOMER_LINE,
        customerEmail: env.CHANNEL_CUSTOMER_EMAIL,
        nonCustomerUrl: env.CHANNEL_NONCUSTOMER_URL,
        nonCustomerEmail: env.CHANNEL_NONCUSTOMER_EMAIL,
      },
    },
    terms: {
      answerDays: env.TERM_ANSWER_DAYS,
      recursoDays: env.TERM_RECURSO_DAYS,
      reposicionDays: env.TERM_REPOSICION_DAYS,
      sicTransferDays: env.TERM_SIC_TRANSFER_DAYS,
      silenceEffectHours: env.SILENCE_EFFECT_HOURS,
      businessDayEnd: env.BUSINESS_DAY_END,
      noProofDays: env.NOTIFY_FALLBACK_DAYS,
    },
    retentionYears: env.RETENTION_YEARS,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
    holidayRefreshMs: env.HOLIDAY_REFRESH_SECONDS * 1000,
    webchat: {
      title: env.WEBCHAT_TITLE,
      brandColor: env.WEBCHAT_BRAND_COLOR,
      directLineSecret: env.DIRECTLINE_SECRET,
      newConversations: { ratePerSecond: env.WEBCHAT_NEW_CONVERSATIONS_PER_SECOND, burst: env.WEBCHAT_NEW_CONVERSATIONS_BURST, trustProxy: env.TRUST_PROXY },
      messages: { ratePerSecond: env.WEBCHAT_MESSAGES_PER_SECOND, burst: env.WEBCHAT_MESSAGES_BURST },
    },
    channels: channelSettings(env),
    trustProxy: env.TRUST_PROXY,
    metricsToken: env.METRICS_TOKEN,
    botframework: { anonymous: env.BOTFRAMEWORK_ANONYMOUS },
    backoffice: { token: env.BACKOFFICE_TOKEN, sessionSecret: env.BACKOFFICE_SESSION_SECRET, sessionTtlSeconds: env.BACKOFFICE_SESSION_HOURS * 3600 },
    maxBodyBytes: env.MAX_BODY_BYTES,
    notify: {
      smtpUrl: env.SMTP_URL,
      smtpFrom: env.SMTP_FROM ?? `${env.OPERATOR_NAME} <${env.CHANNEL_CUSTOMER_EMAIL}>`,
      whatsappTemplate: { name: env.WHATSAPP_TEMPLATE_NAME, language: env.WHATSAPP_TEMPLATE_LANGUAGE },
      pollMs: env.OUTBOX_POLL_MS,
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
      schedulerIntervalMs: env.SCHEDULER_INTERVAL_SECONDS * 1000,
    },
    inbound: { leaseMs: env.CONVERSATION_LEASE_SECONDS * 1000, sweepMs: env.INBOUND_SWEEP_SECONDS * 1000, shutdownMs: env.SHUTDOWN_TIMEOUT_SECONDS * 1000 },
    handoff: {
      hours: env.HANDOFF_HOURS,
      saturdayHours: env.HANDOFF_SATURDAY_HOURS,
      maxQueue: env.HANDOFF_MAX_QUEUE,
      maxWaitMs: env.HANDOFF_MAX_WAIT_MINUTES * 60_000,
      holdTimeoutMs: env.HANDOFF_HOLD_TIMEOUT_SECONDS * 1000,
      onlineMs: env.HANDOFF_ONLINE_SECONDS * 1000,
      averageMinutes: env.HANDOFF_AVERAGE_MINUTES,
      whatsappTemplate: { name: env.WHATSAPP_HANDOFF_TEMPLATE_NAME, language: env.WHATSAPP_TEMPLATE_LANGUAGE },
    },
    identity: { smsGatewayUrl: env.SMS_GATEWAY_URL, lookupKeySecret: env.LOOKUP_KEY_SECRET },
  };
}
