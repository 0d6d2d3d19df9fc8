import type { Db } from '../../src/storage';
import { FakeGraph, messages, optionsOf, signature, textOf, webhookPayload, type SentMessage } from '../helpers/fake-graph';
import { createPgDatabase, prepareWorkDir, startInstance, waitFor, type Instance, type PgDatabase } from '../helpers/instances';

export const ACCESS_TOKEN = 'EAAscale-access-token';
export const APP_SECRET = 'scale-app-secret-0123456789';
export const PHONE_NUMBER_ID = '106540352242922';

/** What every instance of a test cluster runs with: the same database and fake Graph, short leases. */
export function instanceEnv(db: PgDatabase, graph: FakeGraph, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: 'scale-verify-token',
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    WHATSAPP_API_BASE_URL: graph.url,
    DIRECTLINE_SECRET: 'scale-directline-secret-0123456789',
    BACKOFFICE_SESSION_SECRET: 'scale-session-secret-0123456789',
    CONVERSATION_LEASE_SECONDS: '2',
    INBOUND_SWEEP_SECONDS: '1',
    ...extra,
  };
}

export interface Cluster {
  db: PgDatabase;
  graph: FakeGraph;
  /** Instances "a" and "b", started from the same work directory. */
  instances: Instance[];
}

/**
 * Two instances of the app on one fresh PostgreSQL database and one fake Graph, started before the
 * suite's tests and stopped after them. Read its fields inside the tests, once they have started.
 */
export function useTwoInstances(extraEnv: Record<string, string> = {}): Cluster {
  const cluster = { instances: [] as Instance[] } as Cluster;
  let workDir: { dir: string; remove(): void } | undefined;
  beforeAll(async () => {
    cluster.db = await createPgDatabase();
    cluster.graph = await FakeGraph.start(ACCESS_TOKEN);
    workDir = await prepareWorkDir();
    cluster.instances = await Promise.all(['a', 'b'].map((name) => startInstance(name, workDir!.dir, instanceEnv(cluster.db, cluster.graph, extraEnv))));
  });
  afterAll(async () => {
    await Promise.all(cluster.instances.map((instance) => instance.destroy()));
    await cluster.graph?.close();
    await cluster.db?.close();
    workDir?.remove();
  });
  return cluster;
}

/** Posts one signed webhook to each URL at once, as Meta retrying on another node would; how many acknowledged it. */
export async function deliverTo(urls: string[], payload: unknown): Promise<number> {
  const body = JSON.stringify(payload);
  const headers = { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signature(body, APP_SECRET) };
  const statuses = await Promise.all(
    urls.map((url) =>
      fetch(`${url}/api/whatsapp`, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) }).then(
        async (response) => (await response.arrayBuffer(), response.status),
        () => 0,
      ),
    ),
  );
  return statuses.filter((status) => status === 200).length;
}

/**
 * A WhatsApp user talking to a cluster: each message is delivered to every live instance (and
 * again, like Meta, until one acknowledges it); `say` returns once the message is processed.
 */
export class WhatsAppUser {
  constructor(
    readonly phone: string,
    private readonly cluster: { urls: () => string[]; graph: FakeGraph; prisma: Db; onTurn?: () => void },
  ) {}

  get line(): string {
    return this.phone.slice(2);
  }

  async say(message: Record<string, unknown>): Promise<SentMessage[]> {
    const { graph, prisma } = this.cluster;
    const before = graph.sent(this.phone).length;
    const payload = webhookPayload(PHONE_NUMBER_ID, { messages: [message] });
    await waitFor(`an instance to acknowledge a message of ${this.phone}`, async () => ((await deliverTo(this.cluster.urls(), payload)) > 0 ? true : undefined), 20_000, 200);
    const externalId = String(message.id);
    await waitFor(
      `the message of ${this.phone} to be processed`,
      async () => ((await prisma.inboundMessage.findUnique({ where: { channel_externalId: { channel: 'whatsapp', externalId } } }))?.processedAt ? true : undefined),
      30_000,
    );
    this.cluster.onTurn?.();
    return graph.sent(this.phone).slice(before);
  }

  /** Taps the button or list row titled `title` in the last interactive message of `replies`. */
  tap(replies: SentMessage[], title: string | RegExp): Record<string, unknown> {
    const interactive = [...replies].reverse().find((m) => m.type === 'interactive');
    const option = interactive && optionsOf(interactive).find((o) => (typeof title === 'string' ? o.title === title : title.test(o.title)));
    if (!interactive || !option) throw new Error(`${this.phone}: no option ${String(title)} in ${JSON.stringify(replies.map(textOf))}`);
    return interactive.interactive!.type === 'list' ? messages.listReply(this.phone, option) : messages.buttonReply(this.phone, option);
  }

  /** Journey 1 of the design up to the summary: what the bot sent last, with the "Sí, radicar" button. */
  async reachSummary(): Promise<SentMessage[]> {
    let replies = await this.say(messages.text(this.phone, 'Me cobraron un paquete de datos que nunca pedí y me descontaron el saldo'));
    replies = await this.say(this.tap(replies, 'Acepto'));
    replies = await this.say(this.tap(replies, 'Sí'));
    replies = await this.say(this.tap(replies, 'Vozz Móvil'));
    const lineAsked = replies[replies.length - 1];
    replies = await this.say(lineAsked?.type === 'interactive' ? this.tap(replies, 'Sí') : messages.text(this.phone, this.line));
    replies = await this.say(this.tap(replies, 'Es todo'));
    replies = await this.say(this.tap(replies, /^(Sí, es reclamo|Reclamo)$/));
    return this.say(this.tap(replies, 'En este chat'));
  }

  /** Journey 1 of the design: a subscriber files a reclamo; returns the CUN of the confirmation. */
  async fileReclamo(): Promise<string> {
    const replies = await this.say(this.tap(await this.reachSummary(), 'Sí, radicar'));
    const cun = confirmationsOf(replies)[0];
    if (!cun) throw new Error(`${this.phone}: no confirmation in ${JSON.stringify(replies.map(textOf))}`);
    return cun;
  }
}

/** The CUNs of the filing confirmations among `sent`, in order. */
export function confirmationsOf(sent: SentMessage[]): string[] {
  return sent.flatMap((m) => {
    const cun = /CUN: \*(\d{4}-\d{2}-\d{10})\*/.exec(textOf(m))?.[1];
    return cun ? [cun] : [];
  });
}

/** The consecutive of a CUN (`OOOO-YY-NNNNNNNNNN`). */
export function sequenceOf(cun: string): number {
  return Number(cun.split('-')[2]);
}

/** Phones 573005550000 + i, one per user. */
export function phones(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => `57300555${String(offset + i).padStart(4, '0')}`);
}
