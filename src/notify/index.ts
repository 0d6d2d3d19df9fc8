import type { Transporter } from 'nodemailer';
import type { Config } from '../config';
import type { Locale, Texts } from '../i18n';
import type { Logger } from '../logger';
import type { Clock, NotifiedAct } from '../pqr';
import type { Db } from '../storage';
import { OutboxDispatcher } from './dispatcher';
import { emailSender } from './email';
import { DeadlineScheduler } from './scheduler';

export { OutboxDispatcher, type Outbound, type OutboxRow, type PassReport, type Sender, type SendOutcome } from './dispatcher';
export { ConversationRecorder } from './conversations';
export { chatSender, type ProactiveAdapter } from './chat';
export { whatsAppSender, WINDOW_MS, type TemplateSender, type TemplateSettings } from './whatsapp';
export { emailSender, mailTransport, type EmailSettings } from './email';
export { DeadlineScheduler } from './scheduler';

export interface NotificationDeps {
  settings: Config['notify'];
  prisma: Db;
  clock: Clock;
  texts: Texts;
  defaultLocale: Locale;
  logger: Logger;
  lifecycle: {
    markNotified(pqrId: number, at: Date, proof: Record<string, unknown>, act: NotifiedAct): Promise<unknown>;
    markOverdue(): Promise<string[]>;
    closeFinal?(): Promise<string[]>;
  };
  /** The SMTP transport (from SMTP_URL), shared with one-time codes; without it e-mail is off. */
  mail?: Transporter;
  /** The e-mail and aviso steps for decisions without proof of notification (`NotificationFallback.followUp`). */
  fallback: { followUp(): Promise<number> };
  /** With several instances: whether this one runs the deadline scheduler's tick (see `DeadlineScheduler`). */
  schedulerLeader?: () => Promise<boolean>;
  /** `DataRequests.withdrawStale`: incomplete data-protection reclamos withdrawn after two months (Ley 1581 art. 15). */
  withdrawStale?: () => Promise<number>;
}

export interface Notifications {
  /** Chat channels plug in with `outbox.register(channelId, chatSender(adapter))`. */
  outbox: OutboxDispatcher;
  scheduler: DeadlineScheduler;
  start(): void;
  /** Stops polling and ticking and waits for the work in flight. */
  stop(): Promise<void>;
}

/** The outbox dispatcher (with e-mail when SMTP_URL is set) and the deadline scheduler. */
export function createNotifications(deps: NotificationDeps): Notifications {
  const { settings, logger } = deps;
  const outbox = new OutboxDispatcher({
    prisma: deps.prisma,
    clock: deps.clock,
    texts: deps.texts,
    defaultLocale: deps.defaultLocale,
    logger,
    markNotified: (pqrId, at, proof, act) => deps.lifecycle.markNotified(pqrId, at, proof, act),
    maxAttempts: settings.maxAttempts,
    pollMs: settings.pollMs,
  });
  const email = settings.smtpUrl ? emailSender({ url: settings.smtpUrl, from: settings.smtpFrom }, deps.mail) : undefined;
  if (email) {
    outbox.register('email', email);
    logger.info({ channel: 'email' }, 'notifications by e-mail on (SMTP_URL)');
  } else {
    outbox.disable('email', 'SMTP_URL not set');
    logger.info({ channel: 'email' }, 'notifications by e-mail off: SMTP_URL not set (e-mail notifications stay pending)');
  }
  const scheduler = new DeadlineScheduler({ markOverdue: () => deps.lifecycle.markOverdue(), closeFinal: deps.lifecycle.closeFinal && (() => deps.lifecycle.closeFinal!()), followUp: () => deps.fallback.followUp(), withdrawStale: deps.withdrawStale, kick: () => outbox.kick(), logger, intervalMs: settings.schedulerIntervalMs, leader: deps.schedulerLeader });
  return {
    outbox,
    scheduler,
    start() {
      outbox.start();
      scheduler.start();
    },
    async stop() {
      await scheduler.stop();
      await outbox.stop();
      email?.close();
    },
  };
}
