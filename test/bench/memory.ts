import { FakeGraph } from '../helpers/fake-graph';
import { fullGc, now, sleep } from './stats';
import { ACCESS_TOKEN, calibrate, openConversations, runLoad, SendLog, startApp, throwawayDb, userId } from './webhook';

export interface MemoryReading {
  /** Conversations open (mid-dialog, awaiting a CUN) at this reading. */
  open: number;
  rss: number;
  heapUsed: number;
  /** Memory outside V8's heap that V8 knows of (Buffers and the like). */
  external: number;
}

export interface MemoryResult {
  /** Conversations started at once in each burst. */
  conversations: number;
  /** Steps of the script each conversation went through. */
  steps: number;
  /** How long the first burst took to reach every conversation's reply. */
  seconds: number;
  /** Pause after each burst before its reading. */
  settleSeconds: number;
  before: MemoryReading;
  /** Highest RSS sampled from the first burst to the last reading. */
  rssPeak: number;
  afterFirst: MemoryReading;
  /** A second burst of new users on top: tells growth per conversation from a one-off high-water mark. */
  afterSecond: MemoryReading;
}

function reading(open: number): MemoryReading {
  fullGc();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { open, rss, heapUsed, external };
}

/**
 * RSS of the app with `conversations` users mid-dialog: all start at once, each answers the
 * menu and is left waiting for a CUN; then as many again. Readings after a full GC, with the fake
 * Graph's and the load generator's records dropped first.
 */
export async function runMemory(options: { conversations: number; settleSeconds: number }): Promise<MemoryResult> {
  const db = await throwawayDb('sqlite');
  const graph = await FakeGraph.start(ACCESS_TOKEN);
  const sends = new SendLog(graph);
  let running: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    running = await startApp(db.url, graph.url);
    const { app, url } = running;
    const whatsapp = app.whatsapp!;
    const expected = await calibrate(url, sends, userId(80, 9999, 0), () => whatsapp.idle());
    await runLoad({ targets: [url], sends, expected, conversations: 20, maxRounds: 1, seconds: 30, runId: 81 });
    await whatsapp.idle();
    sends.clear();
    const before = reading(0);

    let peak = before.rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    const steps = 2;
    let open = 0;
    const burst = async (runId: number) => {
      open += await openConversations(url, sends, expected, runId, options.conversations, steps);
      await whatsapp.idle();
      sends.clear();
      // Idle kept-alive sockets to the fake Graph and 10-second request timers outlive the burst a
      // little: wait them out, so the reading is what the open conversations hold.
      await sleep(options.settleSeconds * 1000);
      return reading(open);
    };
    const started = now();
    const afterFirst = await burst(82);
    const seconds = (now() - started) / 1000;
    const afterSecond = await burst(83);
    clearInterval(sampler);
    return { conversations: options.conversations, steps, seconds, settleSeconds: options.settleSeconds, before, rssPeak: Math.max(peak, afterFirst.rss, afterSecond.rss), afterFirst, afterSecond };
  } finally {
    await running?.app.close();
    await graph.close();
    await db.close();
  }
}
