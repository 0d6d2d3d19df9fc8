import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An activity as the bot posted it to the connector (JSON, so dates are strings). */
export interface SentActivity {
  type: string;
  id?: string;
  channelId?: string;
  text?: string;
  replyToId?: string;
  from?: { id: string; name?: string };
  recipient?: { id: string; name?: string };
  conversation?: { id: string };
  suggestedActions?: { actions: { type: string; title?: string; value?: unknown }[] };
  [key: string]: unknown;
}

/** One call of the bot to the connector. */
export interface ConnectorRequest {
  conversationId: string;
  /** Set when the bot answered an activity (`…/activities/{replyToId}`), unset for a new message. */
  replyToId?: string;
  authorization?: string;
  activity: SentActivity;
}

interface Hold {
  reached: () => void;
  released: Promise<void>;
}

/**
 * A fake Bot Connector service on 127.0.0.1, the side of the protocol the Bot Framework Emulator
 * and Azure Bot Service play: it takes the bot's activities at
 * `POST /v3/conversations/{conversationId}/activities[/{replyToId}]`, records them and answers with
 * a ResourceResponse, as the real service does.
 */
export class FakeConnector {
  readonly requests: ConnectorRequest[] = [];
  private readonly holds: Hold[] = [];
  private server!: http.Server;
  private sequence = 0;
  url = '';

  static async start(): Promise<FakeConnector> {
    const connector = new FakeConnector();
    connector.server = http.createServer((req, res) => void connector.handle(req, res));
    await new Promise<void>((resolve) => connector.server.listen(0, '127.0.0.1', resolve));
    connector.url = `http://127.0.0.1:${(connector.server.address() as AddressInfo).port}`;
    return connector;
  }

  /** Activities sent to one conversation, in the order they arrived. */
  sent(conversationId: string): SentActivity[] {
    return this.requests.filter((r) => r.conversationId === conversationId).map((r) => r.activity);
  }

  /**
   * Holds the next activity the bot sends until `release` is called; `reached` resolves once the
   * bot is waiting on it (so a test can act while a turn is in the middle).
   */
  holdNext(): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ reached, released });
    return { reached: reachedPromise, release };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', this.url).pathname;
    const route = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
    if (req.method !== 'POST' || !route) return answer(res, 404, { error: { code: 'NotFound', message: `No route ${req.method} ${path}` } });
    let activity: SentActivity;
    try {
      activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SentActivity;
    } catch {
      return answer(res, 400, { error: { code: 'BadArgument', message: 'Malformed JSON' } });
    }
    if (typeof activity?.type !== 'string') return answer(res, 400, { error: { code: 'BadArgument', message: 'Missing activity type' } });

    const hold = this.holds.shift();
    if (hold) {
      hold.reached();
      await hold.released;
    }
    this.requests.push({
      conversationId: decodeURIComponent(route[1]),
      replyToId: route[2] === undefined ? undefined : decodeURIComponent(route[2]),
      authorization: req.headers.authorization,
      activity,
    });
    this.sequence += 1;
    answer(res, 200, { id: `connector-activity-${this.sequence}` });
  }
}

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/**
 * One chat in the Bot Framework Emulator: builds activities in the Emulator's wire format
 * (conversation ids ending in `|livechat`, `serviceUrl` = the Emulator's own connector).
 */
export class EmulatorChat {
  readonly conversationId = `${randomUUID()}|livechat`;
  readonly user = { id: randomUUID(), name: 'User', role: 'user' };
  readonly bot = { id: randomUUID(), name: 'Bot', role: 'bot' };

  constructor(
    readonly serviceUrl: string,
    readonly locale = 'es-CO',
  ) {}

  /** What the Emulator posts when the chat opens: the bot and the user join. */
  conversationUpdate(): Record<string, unknown> {
    return {
      ...this.envelope(),
      type: 'conversationUpdate',
      membersAdded: [
        { id: this.bot.id, name: this.bot.name },
        { id: this.user.id, name: this.user.name },
      ],
    };
  }

  /** A message the user typed (or a suggested action tapped: the Emulator posts its value as text). */
  message(text: string): Record<string, unknown> {
    const now = new Date();
    return {
      ...this.envelope(now),
      type: 'message',
      text,
      textFormat: 'plain',
      attachments: [],
      entities: [{ type: 'ClientCapabilities', requiresBotState: true, supportsListening: true, supportsTts: true }],
      channelData: { clientActivityID: `${now.getTime()}${randomUUID().slice(0, 8)}`, clientTimestamp: now.toISOString() },
    };
  }

  private envelope(now = new Date()): Record<string, unknown> {
    return {
      id: randomUUID(),
      channelId: 'emulator',
      serviceUrl: this.serviceUrl,
      conversation: { id: this.conversationId },
      from: this.user,
      recipient: this.bot,
      locale: this.locale,
      timestamp: now.toISOString(),
      localTimestamp: new Date(now.getTime() - 5 * 3_600_000).toISOString().replace('Z', '-05:00'),
      localTimezone: 'America/Bogota',
    };
  }
}
