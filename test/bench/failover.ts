/**
 * Scenario (g): failover after `kill -9`. Two real server processes (the production entry,
 * configured by the environment only) on one fresh PostgreSQL database and one fake Graph API on
 * 127.0.0.1; WhatsApp users spread over both (each user's webhooks go to a "home" instance, as a
 * load balancer would send them, and to the other one once the home refuses connections); in
 * the middle of their filings one instance is killed with SIGKILL. Measured per message: from
 * the first POST of its webhook to its turn being done (every reply on the fake Graph). The
 * failover figure is the wait of the killed instance's users for the turn it was running when it
 * died; the baseline is the same users' ordinary waits earlier in the same run.
 *
 * The test in test/scale/failover.test.ts runs the same and asserts on it.
 */
import { performance } from 'node:perf_hooks';
import type { Db } from '../../src/storage';
import { FakeGraph, signature, textOf, webhookPayload, type SentMessage } from '../helpers/fake-graph';
import { createPgDatabase, prepareWorkDir, startInstance, waitFor, type Instance, type PgDatabase } from '../helpers/instances';
import { ACCESS_TOKEN, APP_SECRET, instanceEnv, PHONE_NUMBER_ID, phones, WhatsAppUser } from '../scale/cluster';
import { distribution, round, table, type Distribution } from './stats';

export interface FailoverOptions {
  /** WhatsApp users, half of them on each instance. */
  users: number;
  /** Fraction of all turns done when the kill comes (0–1). */
  killAfter?: number;
  /** Environment for both instances beyond the cluster's (e.g. a shorter lease for a quick run); the lease and sweep are the defaults unless given here. */
  env?: Record<string, string>;
  /** Runs with everything still up (database, fake Graph, the survivor), before the teardown. */
  inspect?: (run: FailoverRun) => Promise<void>;
  progress?: (line: string) => void;
}

/** One message of one user: when its webhook was first posted, and when its turn was seen done. */
export interface Turn {
  user: string;
  home: 'victim' | 'survivor';
  step: number;
  externalId: string;
  sentAt: number;
  doneAt: number;
  waitMs: number;
  /** The normalised texts the turn sent (digits as #). */
  replies: string[];
}

export interface FailoverRun {
  db: PgDatabase;
  graph: FakeGraph;
  survivor: Instance;
  victimUsers: string[];
  turns: Turn[];
  cuns: string[];
  /** performance.now() of the SIGKILL. */
  killedAt: number;
  /** Messages recorded and not processed right after the kill. */
  unprocessedAtKill: number;
}

export interface FailoverResult {
  users: number;
  leaseSeconds: number;
  sweepSeconds: number;
  turns: number;
  /** The killed instance's users, their turns before the kill: ordinary reply time. */
  baseline: Distribution;
  /** The same users, the turn in flight when their instance died: the failover wait. */
  failover: Distribution;
  /** The survivor's own users, turns sent from 1 s before the kill on. */
  survivorDuring: Distribution;
  /** Longest wait of any message of any user. */
  maxWaitMs: number;
  unprocessedAtKill: number;
  /** Messages whose turn ran more than once (the re-runs after the kill). */
  rerun: number;
  /** Replies missing from, or extra in, a user's turn compared with what every other user got for that step. */
  lost: number;
  duplicated: number;
  filings: number;
  distinctCuns: number;
}

const DEFAULT_LEASE_SECONDS = 10;
const DEFAULT_SWEEP_SECONDS = 2;

/** Answers the turns of many users: one query for all of them every 20 ms. */
class ProcessedWatcher {
  private readonly waiting = new Map<string, (at: number) => void>();
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(private readonly prisma: Db) {}

  done(externalId: string): Promise<number> {
    return new Promise((resolve) => {
      this.waiting.set(externalId, resolve);
      this.timer ??= setInterval(() => void this.poll(), 20);
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.busy || this.waiting.size === 0) return;
    this.busy = true;
    try {
      const rows = await this.prisma.inboundMessage.findMany({
        where: { channel: 'whatsapp', externalId: { in: [...this.waiting.keys()] }, processedAt: { not: null } },
        select: { externalId: true },
      });
      const at = performance.now();
      for (const { externalId } of rows) {
        this.waiting.get(externalId)?.(at);
        this.waiting.delete(externalId);
      }
    } catch {
      // The next tick asks again.
    } finally {
      this.busy = false;
    }
  }
}

const normalise = (m: SentMessage) => textOf(m).replace(/\d/g, '#');

/**
 * A user whose messages go to its home instance while that one takes connections, and to the
 * other one after; each message is timed from its first POST to its turn being done.
 */
class RoutedUser extends WhatsAppUser {
  step = 0;

  constructor(
    phone: string,
    readonly home: 'victim' | 'survivor',
    private readonly route: { instances: () => { victim: Instance | null; survivor: Instance }; graph: FakeGraph; prisma: Db; watcher: ProcessedWatcher; turns: Turn[]; onTurn: () => void },
  ) {
    super(phone, { urls: () => [], graph: route.graph, prisma: route.prisma });
  }

  override async say(message: Record<string, unknown>): Promise<SentMessage[]> {
    const { graph, watcher, turns } = this.route;
    const before = graph.sent(this.phone).length;
    const body = JSON.stringify(webhookPayload(PHONE_NUMBER_ID, { messages: [message] }));
    const headers = { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signature(body, APP_SECRET) };
    const externalId = String(message.id);
    const sentAt = performance.now();
    const done = watcher.done(externalId);
    await waitFor(
      `an instance to acknowledge a message of ${this.phone}`,
      async () => {
        const { victim, survivor } = this.route.instances();
        const target = this.home === 'victim' && victim ? victim : survivor;
        const status = await fetch(`${target.url}/api/whatsapp`, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) }).then(
          async (response) => (await response.arrayBuffer(), response.status),
          () => 0,
        );
        return status === 200 ? true : undefined;
      },
      20_000,
      200,
    );
    const doneAt = await Promise.race([done, new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`the message of ${this.phone} was not processed within 60 s`)), 60_000).unref())]);
    const replies = graph.sent(this.phone).slice(before);
    turns.push({ user: this.phone, home: this.home, step: this.step++, externalId, sentAt, doneAt, waitMs: doneAt - sentAt, replies: replies.map(normalise) });
    this.route.onTurn();
    return replies;
  }
}

/** Starts the two instances, runs the filings with the kill in the middle, and returns what happened. */
export async function runFailover(options: FailoverOptions): Promise<FailoverResult> {
  const progress = options.progress ?? (() => undefined);
  const db = await createPgDatabase();
  const graph = await FakeGraph.start(ACCESS_TOKEN);
  const workDir = await prepareWorkDir();
  const watcher = new ProcessedWatcher(db.prisma);
  const instances: Instance[] = [];
  try {
    const env = instanceEnv(db, graph, options.env ?? {});
    if (!options.env?.CONVERSATION_LEASE_SECONDS) delete env.CONVERSATION_LEASE_SECONDS;
    if (!options.env?.INBOUND_SWEEP_SECONDS) delete env.INBOUND_SWEEP_SECONDS;
    const leaseSeconds = Number(env.CONVERSATION_LEASE_SECONDS ?? DEFAULT_LEASE_SECONDS);
    const sweepSeconds = Number(env.INBOUND_SWEEP_SECONDS ?? DEFAULT_SWEEP_SECONDS);
    progress(`starting two instances (lease ${leaseSeconds} s, sweep ${sweepSeconds} s)`);
    instances.push(...(await Promise.all(['victim', 'survivor'].map((name) => startInstance(name, workDir.dir, env, 120_000)))));
    const [victim, survivor] = instances;
    let alive: Instance | null = victim;

    const turns: Turn[] = [];
    let done = 0;
    const all = phones(options.users, 200);
    const victimUsers = all.filter((_, i) => i % 2 === 0);
    const route = { instances: () => ({ victim: alive, survivor }), graph, prisma: db.prisma, watcher, turns, onTurn: () => done++ };
    const users = all.map((phone, i) => new RoutedUser(phone, i % 2 === 0 ? 'victim' : 'survivor', route));

    // While armed, Graph holds the killed instance's sends for 3 s and then refuses them (503):
    // the kill finds its turns waiting on Graph, and no reply of theirs was taken. (A kill just
    // after Graph took a reply and before the instance stored that it did makes that reply come
    // twice, at least once and never lost: test/scale/crash.test.ts covers that window.)
    let armed = false;
    const victimPhones = new Set(victimUsers);
    graph.failNext(Number.POSITIVE_INFINITY, { delayMs: 3_000, status: 503, match: (r) => armed && r.path.endsWith('/messages') && victimPhones.has(String(r.body?.to)) });

    progress(`${options.users} users filing a reclamo, ${victimUsers.length} of them on the instance to be killed`);
    const journeys = Promise.all(users.map((user) => user.fileReclamo()));
    journeys.catch(() => undefined);
    const expectedTurns = options.users * 9;
    await waitFor('the filings to be under way', () => (done >= expectedTurns * (options.killAfter ?? 0.3) ? true : undefined), 120_000, 5);
    armed = true;
    // Long enough for every turn of the victim to reach a send (or finish), and for any reply
    // Graph took before to be counted.
    await new Promise((resolve) => setTimeout(resolve, 500));
    victim.signal('SIGKILL');
    const killedAt = performance.now();
    alive = null;
    await victim.exited;
    armed = false;
    const unprocessedAtKill = await db.prisma.inboundMessage.count({ where: { channel: 'whatsapp', processedAt: null } });
    progress(`killed the victim (pid ${victim.pid}) with ${unprocessedAtKill} messages unprocessed; waiting for the survivor to finish every filing`);

    const cuns = await journeys;
    watcher.stop();

    const run: FailoverRun = { db, graph, survivor, victimUsers, turns, cuns, killedAt, unprocessedAtKill };
    if (options.inspect) await options.inspect(run);

    // What every user got for each step of the same journey: the most common transcript of that step.
    const expected = new Map<number, string[]>();
    for (const step of new Set(turns.map((t) => t.step))) {
      const counts = new Map<string, number>();
      for (const t of turns.filter((x) => x.step === step)) counts.set(JSON.stringify(t.replies), (counts.get(JSON.stringify(t.replies)) ?? 0) + 1);
      expected.set(step, JSON.parse([...counts.entries()].sort((a, b) => b[1] - a[1])[0][0]) as string[]);
    }
    let lost = 0;
    let duplicated = 0;
    for (const t of turns) {
      const want = expected.get(t.step)!;
      const extra = [...t.replies];
      for (const text of want) {
        const at = extra.indexOf(text);
        if (at < 0) lost++;
        else extra.splice(at, 1);
      }
      duplicated += extra.length;
    }
    const inbound = await db.prisma.inboundMessage.findMany({ where: { channel: 'whatsapp' }, select: { processedAt: true, attempts: true, lastError: true } });
    lost += inbound.filter((m) => m.processedAt === null || m.lastError !== null).length;
    const pqrs = await db.prisma.pqr.count();

    const victimTurns = turns.filter((t) => t.home === 'victim');
    const inFlight = victimTurns.filter((t) => t.sentAt < killedAt && t.doneAt > killedAt);
    return {
      users: options.users,
      leaseSeconds,
      sweepSeconds,
      turns: turns.length,
      baseline: distribution(victimTurns.filter((t) => t.doneAt < killedAt - 600).map((t) => round(t.waitMs, 1))),
      failover: distribution(inFlight.map((t) => round(t.waitMs, 1))),
      survivorDuring: distribution(turns.filter((t) => t.home === 'survivor' && t.sentAt > killedAt - 1_000).map((t) => round(t.waitMs, 1))),
      maxWaitMs: round(Math.max(...turns.map((t) => t.waitMs)), 1),
      unprocessedAtKill,
      rerun: inbound.filter((m) => m.attempts > 1).length,
      lost,
      duplicated,
      filings: pqrs,
      distinctCuns: new Set(cuns).size,
    };
  } finally {
    watcher.stop();
    await Promise.all(instances.map((instance) => instance.destroy()));
    await graph.close();
    await db.close();
    workDir.remove();
  }
}

export function renderFailover(r: FailoverResult): string {
  const row = (label: string, d: Distribution) => [label, d.count, round(d.p50 / 1000, 2), round(d.max / 1000, 2)];
  const lines = [
    `(g) Failover after kill -9: two instances (processes) on one PostgreSQL database, ${r.users} WhatsApp users filing a reclamo (9 messages each), half on each instance;`,
    `one instance killed (SIGKILL) mid-run while its turns waited on Graph. Lease ${r.leaseSeconds} s (renewed every third), sweep every ${r.sweepSeconds} s.`,
    'Wait: from the first POST of a message to its turn done (every reply on the fake Graph).',
    '',
    table(
      ['turns', 'messages', 'p50 s', 'max s'],
      [
        row("baseline: the killed instance's users, their ordinary turns before the kill", r.baseline),
        row('the same users, the turn in flight when their instance died', r.failover),
        row("the survivor's own users, turns sent from 1 s before the kill on", r.survivorDuring),
      ],
    ),
    '',
    `failover p50 × baseline p50: ${round(r.failover.p50 / r.baseline.p50, 1)}; longest wait of any message: ${round(r.maxWaitMs / 1000, 2)} s; unprocessed at the kill: ${r.unprocessedAtKill}; re-run turns: ${r.rerun}; lost: ${r.lost}; duplicated: ${r.duplicated}; filings ${r.filings}, distinct CUNs ${r.distinctCuns}.`,
  ];
  return lines.join('\n');
}

