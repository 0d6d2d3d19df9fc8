import type { Transporter } from 'nodemailer';
import type { Sender } from './dispatcher';

export interface EmailSettings {
  /** SMTP_URL, e.g. smtps://user:pass@smtp.example.com:465 or smtp://127.0.0.1:2525. */
  url: string;
  /** The From header. */
  from: string;
}

/** One SMTP transport per process, shared by notifications and one-time codes. */
export function mailTransport(url: string): Transporter {
  // Loaded only when SMTP_URL is set: most installations never send e-mail.
  return (require('nodemailer') as typeof import('nodemailer')).createTransport(url);
}

/** Chat-style *bold* is noise in a plain-text e-mail. */
function plain(text: string): string {
  return text.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s.,;:!?)])/g, '$1$2');
}

/**
 * E-mail through SMTP. The server's acceptance is the proof of notification; the Message-ID is
 * derived from the outbox row, so a copy re-sent after a crash is the same message to mail clients.
 */
export function emailSender(settings: EmailSettings, transport: Transporter = mailTransport(settings.url)): Sender & { close(): void } {
  return {
    proof: 'send',
    async send(message) {
      const to = message.row.conversationKey;
      const domain = settings.from.match(/@([^>\s]+)/)?.[1] ?? 'pqr-bot.local';
      const info = await transport.sendMail({
        from: settings.from,
        to,
        subject: message.t('notify.subject', message.vars),
        text: plain(message.text),
        messageId: `<outbox-${message.row.id}.${message.row.idempotencyKey.replace(/[^\w.-]/g, '')}@${domain}>`,
      });
      if (!info.accepted.length) throw new Error(`SMTP server did not accept the message: ${info.response}`);
      return { status: 'sent', externalId: info.messageId };
    },
    close: () => transport.close(),
  };
}
