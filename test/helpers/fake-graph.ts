import { createHash, createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake Graph API received. */
export interface GraphRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  /** The JSON body, when there was one. */
  body: Record<string, unknown> | undefined;
  /** The status the fake answered with. */
  status?: number;
}

/** A message the bot sent, as posted to `/{version}/{phone-number-id}/messages`. */
export interface SentMessage {
  to?: string;
  recipient?: string;
  type: string;
  text?: { body: string };
  interactive?: {
    type: 'button' | 'list';
    body: { text: string };
    action: {
      buttons?: { type: 'reply'; reply: { id: string; title: string } }[];
      button?: string;
      sections?: { rows: { id: string; title: string }[] }[];
    };
  };
  [key: string]: unknown;
}

interface Media {
  bytes: Buffer;
  mimeType: string;
}

interface Failure {
  remaining: number;
  status?: number;
  delayMs?: number;
  match?: (request: GraphRequest) => boolean;
}

const GRAPH_VERSION = 'v23.0';

function graphError(message: string, code: number): string {
  return JSON.stringify({ error: { message, type: 'OAuthException', code, fbtrace_id: 'fake' } });
}

/**
 * A fake Graph API on 127.0.0.1 that speaks the Cloud API's wire format: it accepts messages
 * (answering with a wamid), serves media metadata and bytes (the download URL points back at
 * itself and needs the token, like Meta's), records every request, and can be told to fail.
 */
export class FakeGraph {
  readonly requests: GraphRequest[] = [];
  private readonly media = new Map<string, Media>();
  private readonly failures: Failure[] = [];
  private server!: http.Server;
  url = '';

  private constructor(private readonly accessToken: string) {}

  static async start(accessToken: string): Promise<FakeGraph> {
    const graph = new FakeGraph(accessToken);
    graph.server = http.createServer((req, res) => void graph.handle(req, res));
    await new Promise<void>((resolve) => graph.server.listen(0, '127.0.0.1', resolve));
    graph.url = `http://127.0.0.1:${(graph.server.address() as AddressInfo).port}`;
    return graph;
  }

  /** Makes a media object available for download by id. */
  addMedia(id: string, bytes: Buffer, mimeType: string): void {
    this.media.set(id, { bytes, mimeType });
  }

  /** The next `count` requests (matching `match`, if given) fail with `status` and/or wait `delayMs` first. */
  failNext(count: number, options: { status?: number; delayMs?: number; match?: (request: GraphRequest) => boolean } = {}): void {
    this.failures.push({ remaining: count, status: options.status ?? (options.delayMs ? undefined : 500), ...options });
  }

  /** Messages sent, optionally only those to one user. */
  sent(to?: string): SentMessage[] {
    return this.requests
      .filter((r) => r.method === 'POST' && /\/messages$/.test(r.path) && r.body && r.status === 200)
      .map((r) => r.body as SentMessage)
      .filter((m) => to === undefined || m.to === to || m.recipient === to);
  }

  /** Waits until `until` holds for the messages sent to `to`, or fails after `timeoutMs`. */
  async waitForSent(to: string, until: (messages: SentMessage[]) => boolean, timeoutMs = 10_000): Promise<SentMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const messages = this.sent(to);
      if (until(messages)) return messages;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`timed out; sent to ${to}: ${JSON.stringify(this.sent(to).map(textOf))}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | undefined;
    if (raw && String(req.headers['content-type'] ?? '').includes('application/json')) body = JSON.parse(raw);
    const request: GraphRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      body,
    };
    this.requests.push(request);
    const answer = (status: number, body: string | Buffer, contentType = 'application/json') => {
      request.status = status;
      res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) });
      res.end(body);
    };

    const failure = this.failures.find((f) => f.remaining > 0 && (!f.match || f.match(request)));
    if (failure) {
      failure.remaining--;
      if (failure.delayMs) await new Promise((resolve) => setTimeout(resolve, failure.delayMs));
      if (failure.status) return answer(failure.status, graphError('An unexpected error has occurred. Please retry your request later.', 2));
    }
    if (request.authorization !== `Bearer ${this.accessToken}`) {
      return answer(401, graphError('Invalid OAuth access token - Cannot parse access token', 190));
    }

    const messages = new RegExp(`^/${GRAPH_VERSION}/([^/]+)/messages$`).exec(url.pathname);
    if (messages && request.method === 'POST') {
      const to = String(body?.to ?? body?.recipient ?? '');
      return answer(
        200,
        JSON.stringify({
          messaging_product: 'whatsapp',
          contacts: [{ input: to, wa_id: to }],
          messages: [{ id: `wamid.${randomBytes(12).toString('base64url')}` }],
        }),
      );
    }
    const mediaInfo = new RegExp(`^/${GRAPH_VERSION}/([^/]+)$`).exec(url.pathname);
    if (mediaInfo && request.method === 'GET') {
      const media = this.media.get(mediaInfo[1]);
      if (!media) return answer(404, graphError('Unsupported get request. Object does not exist', 100));
      return answer(
        200,
        JSON.stringify({
          messaging_product: 'whatsapp',
          url: `${this.url}/whatsapp_business/attachments/?mid=${mediaInfo[1]}`,
          mime_type: media.mimeType,
          sha256: createHash('sha256').update(media.bytes).digest('hex'),
          file_size: String(media.bytes.length),
          id: mediaInfo[1],
        }),
      );
    }
    if (url.pathname === '/whatsapp_business/attachments/' && request.method === 'GET') {
      const media = this.media.get(url.searchParams.get('mid') ?? '');
      if (!media) return answer(404, graphError('Media not found', 100));
      return answer(200, media.bytes, media.mimeType);
    }
    answer(404, graphError('Unknown path components', 2500));
  }
}

/** What a user reads of a sent message: its text, or its interactive body and options. */
export function textOf(message: SentMessage): string {
  if (message.text) return message.text.body;
  if (message.interactive) {
    const { action } = message.interactive;
    const options = action.buttons?.map((b) => b.reply.title) ?? action.sections?.flatMap((s) => s.rows.map((r) => r.title)) ?? [];
    return `${message.interactive.body.text} [${options.join(' | ')}]`;
  }
  return `(${message.type})`;
}

/** The reply buttons or list rows of an interactive message. */
export function optionsOf(message: SentMessage): { id: string; title: string }[] {
  const action = message.interactive?.action;
  return action?.buttons?.map((b) => b.reply) ?? action?.sections?.flatMap((s) => s.rows) ?? [];
}

// ---- Webhook payloads in the Cloud API's format ----

let wamidSeq = 0;

/** A new inbound message id in Meta's style. */
export function newWamid(): string {
  wamidSeq += 1;
  return `wamid.HBgM${randomBytes(9).toString('hex').toUpperCase()}${wamidSeq}`;
}

export interface InboundOptions {
  id?: string;
  /** Unix seconds, as Meta sends them (a string). */
  timestamp?: number;
}

function inbound(from: string, type: string, content: Record<string, unknown>, options: InboundOptions = {}): Record<string, unknown> {
  return { from, id: options.id ?? newWamid(), timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)), type, ...content };
}

export const messages = {
  text: (from: string, body: string, options?: InboundOptions) => inbound(from, 'text', { text: { body } }, options),
  buttonReply: (from: string, reply: { id: string; title: string }, options?: InboundOptions) =>
    inbound(from, 'interactive', { interactive: { type: 'button_reply', button_reply: reply } }, options),
  listReply: (from: string, reply: { id: string; title: string }, options?: InboundOptions) =>
    inbound(from, 'interactive', { interactive: { type: 'list_reply', list_reply: { ...reply, description: '' } } }, options),
  voiceNote: (from: string, mediaId: string, options?: InboundOptions) =>
    inbound(from, 'audio', { audio: { id: mediaId, mime_type: 'audio/ogg; codecs=opus', sha256: 'ignored', voice: true } }, options),
  image: (from: string, mediaId: string, caption?: string, options?: InboundOptions) =>
    inbound(from, 'image', { image: { id: mediaId, mime_type: 'image/jpeg', sha256: 'ignored', ...(caption ? { caption } : {}) } }, options),
  location: (from: string, location: { latitude: number; longitude: number; name?: string; address?: string }, options?: InboundOptions) =>
    inbound(from, 'location', { location }, options),
  contacts: (from: string, contacts: { name: string; phone: string }[], options?: InboundOptions) =>
    inbound(from, 'contacts', { contacts: contacts.map((c) => ({ name: { formatted_name: c.name, first_name: c.name }, phones: [{ phone: c.phone, type: 'CELL', wa_id: c.phone.replace(/\D/g, '') }] })) }, options),
  unsupported: (from: string, options?: InboundOptions) =>
    inbound(from, 'unsupported', { errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }] }, options),
  sticker: (from: string, mediaId: string, options?: InboundOptions) => inbound(from, 'sticker', { sticker: { id: mediaId, mime_type: 'image/webp', animated: false } }, options),
};

export function statusUpdate(id: string, status: 'sent' | 'delivered' | 'read' | 'failed', recipient: string, timestamp = Math.floor(Date.now() / 1000)) {
  return {
    id,
    status,
    timestamp: String(timestamp),
    recipient_id: recipient,
    ...(status === 'failed' ? { errors: [{ code: 131047, title: 'Re-engagement message' }] } : { conversation: { id: 'conv-1', origin: { type: 'service' } }, pricing: { billable: true, pricing_model: 'PMP', category: 'service' } }),
  };
}

/** A webhook body as Meta posts it: entry[].changes[].value with metadata, contacts, messages and statuses. */
export function webhookPayload(phoneNumberId: string, value: { messages?: Record<string, unknown>[]; statuses?: Record<string, unknown>[] }): Record<string, unknown> {
  const senders = [...new Set((value.messages ?? []).map((m) => String(m.from)))];
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              ...(senders.length ? { contacts: senders.map((waId) => ({ profile: { name: 'Cliente' }, wa_id: waId })) } : {}),
              ...(value.messages ? { messages: value.messages } : {}),
              ...(value.statuses ? { statuses: value.statuses } : {}),
            },
          },
        ],
      },
    ],
  };
}

/** `X-Hub-Signature-256` for a body, as Meta computes it with the app secret. */
export function signature(body: string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body, 'utf8').digest('hex')}`;
}
