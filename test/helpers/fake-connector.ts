import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
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
  /** Only a send to this conversation is held; any send when undefined. */
  conversationId?: string;
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
   * Holds the next activity the bot sends (to `conversationId`, when given: a late send of an
   * earlier test's conversation must not be the one held) until `release` is called; `reached`
   * resolves once the bot is waiting on it (so a test can act while a turn is in the middle).
   */
  holdNext(conversationId?: string): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ conversationId, reached, released });
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

    const conversationId = decodeURIComponent(route[1]);
    const held = this.holds.findIndex((h) => h.conversationId === undefined || h.conversationId === conversationId);
    const hold = held >= 0 ? this.holds.splice(held, 1)[0] : undefined;
    if (hold) {
      hold.reached();
      await hold.released;
    }
    this.requests.push({
      conversationId,
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

/**
 * The Bot Framework's token issuer on 127.0.0.1: an OpenID configuration and its signing keys
 * (each key endorsed for some channels, as Microsoft's are), and RS256 tokens signed with them.
 * `/api/messages` checks the tokens against it exactly as against login.botframework.com.
 */
export class FakeTokenIssuer {
  readonly issuer = 'https://api.botframework.com';
  private readonly key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly kid = `fake-key-${randomUUID()}`;
  private server!: http.Server;
  url = '';

  private constructor(private readonly endorsements: string[]) {}

  static async start(endorsements = ['msteams', 'webchat', 'directline']): Promise<FakeTokenIssuer> {
    const issuer = new FakeTokenIssuer(endorsements);
    issuer.server = http.createServer((req, res) => issuer.handle(req, res));
    await new Promise<void>((resolve) => issuer.server.listen(0, '127.0.0.1', resolve));
    issuer.url = `http://127.0.0.1:${(issuer.server.address() as AddressInfo).port}`;
    return issuer;
  }

  get openIdMetadataUrl(): string {
    return `${this.url}/v1/.well-known/openidconfiguration`;
  }

  /** A token as the Bot Connector sends it: for `appId`, vouching for `serviceUrl`. */
  channelToken(appId: string, serviceUrl: string, extra: Record<string, unknown> = {}): string {
    return this.sign({ iss: this.issuer, aud: appId, serviceurl: serviceUrl, ...extra });
  }

  /** The same claims signed with a key the issuer never published, under the issuer's key id. */
  forgedToken(appId: string, serviceUrl: string): string {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return signJwt({ iss: this.issuer, aud: appId, serviceurl: serviceUrl }, this.kid, other.privateKey);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private sign(claims: Record<string, unknown>): string {
    return signJwt(claims, this.kid, this.key.privateKey);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (path === '/v1/.well-known/openidconfiguration') return answer(res, 200, { issuer: this.issuer, jwks_uri: `${this.url}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'] });
    if (path === '/v1/.well-known/keys') {
      const jwk = this.key.publicKey.export({ format: 'jwk' });
      return answer(res, 200, { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, n: jwk.n, e: jwk.e, endorsements: this.endorsements }] });
    }
    answer(res, 404, { error: 'not found' });
  }
}

function signJwt(claims: Record<string, unknown>, kid: string, privateKey: KeyObject): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part({ iat: now, nbf: now, exp: now + 3600, ...claims })}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url')}`;
}
