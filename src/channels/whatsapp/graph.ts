import { createHash } from 'node:crypto';
import { GraphApiError, WhatsAppClient } from '@kapso/whatsapp-cloud-api';
import { FileTooLargeError } from '../evidence';
import { platformFetch, type PlatformFetch } from '../platform-fetch';
import { RetryableHttpError, retrying, transient, type RetryAdvice } from '../retry';

export interface GraphSettings {
  accessToken: string;
  phoneNumberId: string;
  /** Meta's Graph URL, or a fake Graph server in tests. */
  apiBaseUrl: string;
  /** Per request; a slow Graph must not hold a conversation's queue forever. */
  timeoutMs?: number;
  /** Tries per call when Graph answers 5xx/429 or the network fails. */
  attempts?: number;
  /** Media larger than this is refused rather than held in memory and in the database. */
  maxMediaBytes?: number;
}

/** One WhatsApp message, in the shapes the Cloud API accepts for free-form replies. */
export type OutboundMessage =
  | { kind: 'text'; body: string }
  | { kind: 'buttons'; body: string; buttons: { id: string; title: string }[] }
  | { kind: 'list'; body: string; buttonText: string; rows: { id: string; title: string }[] };

export interface DownloadedMedia {
  bytes: Buffer;
  mimeType: string;
  sha256: string;
}

/** Graph's media ids are numbers; anything else in a webhook would steer the token-bearing GET elsewhere. */
const MEDIA_ID = /^\d{1,32}$/;

export class InvalidMediaIdError extends Error {
  constructor() {
    super('the media id is not a Graph media id (1-32 digits)');
    this.name = 'InvalidMediaIdError';
  }
}

/** A server error, throttling, or no answer at all: worth another try. */
function retryable(error: unknown): RetryAdvice {
  if (error instanceof GraphApiError) {
    if (error.retry.action === 'retry') return { retry: true };
    if (error.retry.action === 'retry_after') return { retry: true, afterMs: error.retry.retryAfterMs };
    return { retry: false };
  }
  return { retry: transient(error) };
}

/** Recipients are addressed by phone number (wa_id) or, when Meta gives only that, by business-scoped user id. */
export function recipientOf(userId: string): { to: string } | { recipient: string } {
  return /^\d{6,15}$/.test(userId) ? { to: userId } : { recipient: userId };
}

/**
 * The Graph API calls the channel makes, through `@kapso/whatsapp-cloud-api`: send a message
 * (returns its wamid) and download a media object. Transient failures are retried with backoff.
 */
export class GraphClient {
  private readonly client: WhatsAppClient;
  private readonly fetch: PlatformFetch;
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly maxMediaBytes: number;

  constructor(private readonly settings: GraphSettings) {
    this.timeoutMs = settings.timeoutMs ?? 10_000;
    this.attempts = settings.attempts ?? 3;
    this.maxMediaBytes = settings.maxMediaBytes ?? 16 * 1024 * 1024;
    this.client = new WhatsAppClient({
      accessToken: settings.accessToken,
      baseUrl: settings.apiBaseUrl,
      fetch: (this.fetch = platformFetch(this.timeoutMs)),
    });
  }

  /** Sends one message to a user and returns the wamid Graph gave it. */
  async send(userId: string, message: OutboundMessage): Promise<string> {
    const base = { phoneNumberId: this.settings.phoneNumberId, ...recipientOf(userId) };
    const response = await this.withRetries(() => {
      switch (message.kind) {
        case 'text':
          return this.client.messages.sendText({ ...base, body: message.body });
        case 'buttons':
          return this.client.messages.sendInteractiveButtons({ ...base, bodyText: message.body, buttons: message.buttons });
        case 'list':
          return this.client.messages.sendInteractiveList({
            ...base,
            bodyText: message.body,
            buttonText: message.buttonText,
            sections: [{ rows: message.rows }],
          });
      }
    });
    return response.messages[0]?.id ?? '';
  }

  /**
   * Sends an approved template (the only kind Meta delivers outside the 24-hour window) with its
   * body parameters; returns the wamid.
   */
  async sendTemplate(userId: string, template: { name: string; language: string }, parameters: string[]): Promise<string> {
    const response = await this.withRetries(() =>
      this.client.messages.sendTemplate({
        phoneNumberId: this.settings.phoneNumberId,
        ...recipientOf(userId),
        template: {
          name: template.name,
          language: { code: template.language },
          components: parameters.length ? [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }] : undefined,
        },
      }),
    );
    return response.messages[0]?.id ?? '';
  }

  /** GET /{media-id} for the short-lived URL, then GET that URL with the token (Meta requires it). */
  async downloadMedia(mediaId: string): Promise<DownloadedMedia> {
    if (!MEDIA_ID.test(mediaId)) throw new InvalidMediaIdError();
    return this.withRetries(async () => {
      // Encoded as well as checked: the id is the payload's, the path carries our token.
      const metadata = await this.client.media.get({ mediaId: encodeURIComponent(mediaId), phoneNumberId: this.settings.phoneNumberId });
      const declared = Number(metadata.fileSize);
      if (declared > this.maxMediaBytes) throw new FileTooLargeError(declared, this.maxMediaBytes);
      const response = await this.client.fetch(metadata.downloadUrl ?? metadata.url);
      if (response.status >= 500 || response.status === 429) throw new RetryableHttpError(`media download answered ${response.status}`);
      if (!response.ok) throw new Error(`media download answered ${response.status}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length > this.maxMediaBytes) throw new FileTooLargeError(bytes.length, this.maxMediaBytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      // Graph states the file's hash: a mismatch means a truncated or altered download.
      if (metadata.sha256 && metadata.sha256 !== sha256) throw new RetryableHttpError('media download does not match its sha256');
      return { bytes, mimeType: metadata.mimeType || response.headers.get('content-type') || 'application/octet-stream', sha256 };
    });
  }

  /** Lets the kept-alive connections to Graph go (the channel is closing). */
  close(): Promise<void> {
    return this.fetch.close();
  }

  private withRetries<T>(call: () => Promise<T>): Promise<T> {
    // The client's fetch puts its own timeout on each request.
    return retrying(call, { attempts: this.attempts, advise: retryable });
  }

}
