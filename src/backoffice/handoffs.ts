import type { Request, Response, Server } from 'restify';
import { HANDOFF_STATES, HandoffError, summarizeRatings, type AgentRef, type HandoffParts, type HandoffState } from '../handoff';
import type { Logger } from '../logger';
import { UnknownBrandError, type Clock } from '../pqr';
import { startOfBogotaDay } from '../pqr/calendar';
import type { Principal } from './auth';
import { API_PATH, HttpError, jsonBody, queryValue, type RouteKit } from './routes';

export interface HandoffRouteDeps {
  kit: RouteKit;
  handoffs: HandoffParts;
  clock: Clock;
  logger: Logger;
  /** How often an open event stream says it is alive (and renews the agent's hold and presence). */
  keepAliveMs: number;
}

const anyone = ['agent', 'supervisor'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_RANGE_DAYS = 366;

/**
 * The agents' live inbox: the queue of conversations handed over by the bot, taking one, the
 * transcript (also as a server-sent event stream), replies, quick actions and closing; and the
 * CSAT results. Returns a function that ends the open event streams (at shutdown).
 */
export function registerHandoffRoutes(server: Server, deps: HandoffRouteDeps): () => void {
  const { kit, handoffs, logger } = deps;
  const service = handoffs.service;
  const streams = new Set<() => void>();

  /** The service's refusals as HTTP answers. */
  const handle =
    (name: string, run: (req: Request, res: Response, agent: AgentRef) => Promise<{ status: number; body: unknown } | void>) =>
    kit.route(name, anyone, async (req, res, who) => {
      try {
        return await run(req, res, agentOf(who as Principal));
      } catch (error) {
        if (error instanceof HandoffError) throw new HttpError(error.status, error.code, error.message);
        if (error instanceof UnknownBrandError) throw new HttpError(400, error.code, 'Unknown brand');
        throw error;
      }
    });

  server.get(
    `${API_PATH}/handoffs`,
    handle('handoffs/list', async (req) => {
      const state = queryValue(req, 'state') ?? 'waiting';
      if (!(HANDOFF_STATES as readonly string[]).includes(state)) throw new HttpError(400, 'bad_request', `"state" must be one of ${HANDOFF_STATES.join(', ')}`);
      return { status: 200, body: { items: await service.list(state as HandoffState) } };
    }),
  );

  // Registered before /handoffs/:id so "events" is never read as an id.
  server.get(
    `${API_PATH}/inbox/events`,
    handle('inbox/events', async (req, res, agent) => {
      await service.seen(agent);
      let lastKey = '';
      await stream(
        req,
        res,
        agent,
        // Messages change no queue: the page re-reads its lists only when the queue changed.
        async (send) => {
          const key = await service.queueKey();
          if (key === lastKey) return;
          lastKey = key;
          send('queue', await service.counts());
        },
        () => service.seen(agent),
      );
    }),
  );

  server.post(
    `${API_PATH}/inbox/heartbeat`,
    handle('inbox/heartbeat', async (_req, _res, agent) => {
      await service.seen(agent);
      return { status: 200, body: { online: true } };
    }),
  );

  server.get(
    `${API_PATH}/handoffs/:id`,
    handle('handoffs/get', async (req) => {
      const found = await service.get(idOf(req));
      if (!found) throw new HttpError(404, 'not_found', 'No such conversation');
      return { status: 200, body: found };
    }),
  );

  server.get(
    `${API_PATH}/handoffs/:id/events`,
    handle('handoffs/events', async (req, res, agent) => {
      const id = idOf(req);
      await service.require(id);
      await service.seen(agent);
      let lastId = 0;
      let lastState = '';
      let started = false;
      await stream(
        req,
        res,
        agent,
        async (send, changed) => {
          if (started && changed !== id && changed !== -1) return;
          started = true;
          for (const line of await service.linesAfter(id, lastId)) {
            send('message', { id: line.id, from: line.from, text: line.text, at: line.at });
            lastId = line.id;
          }
          const state = await service.state(id);
          const key = JSON.stringify(state);
          if (state && key !== lastState) {
            lastState = key;
            send('state', { state: state.state, heldBy: state.heldBy, kind: state.kind });
          }
        },
        async () => {
          await service.seen(agent);
          await service.renewHold(id, agent);
        },
      );
    }),
  );

  server.post(
    `${API_PATH}/handoffs/:id/take`,
    handle('handoffs/take', async (req, _res, agent) => {
      const id = idOf(req);
      await service.take(id, agent);
      logger.info({ handoffId: id, actor: agent.actor }, 'handoff taken');
      return { status: 200, body: await service.get(id) };
    }),
  );

  server.post(
    `${API_PATH}/handoffs/:id/messages`,
    handle('handoffs/message', async (req, _res, agent) => {
      const line = await service.say(idOf(req), agent, jsonBody(req).text);
      return { status: 200, body: line };
    }),
  );

  server.post(
    `${API_PATH}/handoffs/:id/close`,
    handle('handoffs/close', async (req, _res, agent) => {
      const id = idOf(req);
      await service.close(id, agent, jsonBody(req).note);
      logger.info({ handoffId: id, actor: agent.actor }, 'handoff closed');
      return { status: 200, body: await service.get(id) };
    }),
  );

  server.get(
    `${API_PATH}/handoffs/:id/pqrs`,
    handle('handoffs/pqrs', async (req) => {
      const handoff = await service.require(idOf(req));
      return { status: 200, body: { items: await service.pqrsOf(handoff) } };
    }),
  );

  server.post(
    `${API_PATH}/handoffs/:id/pqrs`,
    handle('handoffs/file', async (req, _res, agent) => {
      const id = idOf(req);
      const filed = await service.fileFor(id, agent, jsonBody(req));
      logger.info({ handoffId: id, cun: filed.cun, actor: agent.actor }, 'PQR filed from a handoff');
      return { status: 201, body: filed };
    }),
  );

  server.get(
    `${API_PATH}/ratings`,
    handle('ratings', async (req) => {
      const { from, to } = dayRange(req, deps.clock.now());
      const items = await handoffs.ratings.list(from, to);
      const summary = summarizeRatings(items);
      // Supervisors compare agents by name.
      const ids = summary.byAgent.map((g) => Number(g.key)).filter(Number.isInteger);
      const names = new Map((await service.agentNames(ids)).map((a) => [String(a.id), a.name]));
      const byAgent = summary.byAgent.map((g) => ({ ...g, name: names.get(g.key) ?? null }));
      return { status: 200, body: { items, summary: { ...summary, byAgent } } };
    }),
  );

  /**
   * Holds a server-sent event stream open: `refresh` runs once at start and after every change of
   * any handoff (serialised, so events go out in order); `alive` runs every keep-alive.
   */
  async function stream(
    req: Request,
    res: Response,
    agent: AgentRef,
    refresh: (send: (event: string, data: unknown) => void, changed: number) => Promise<void>,
    alive: () => Promise<void>,
  ): Promise<void> {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 3000\n\n');
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    let chain = Promise.resolve();
    const queue = (changed: number) => {
      chain = chain.then(() => refresh(send, changed)).catch((error: unknown) => logger.warn({ err: error, actor: agent.actor }, 'event stream refresh failed'));
    };
    const unsubscribe = service.events.subscribe(queue);
    queue(-1);
    const timer = setInterval(() => {
      res.write(': alive\n\n');
      alive().catch(() => undefined);
    }, deps.keepAliveMs);
    await new Promise<void>((resolve) => {
      const end = () => resolve();
      streams.add(end);
      req.once('close', end);
      res.once('close', end);
    });
    clearInterval(timer);
    unsubscribe();
    await chain;
    if (!res.writableEnded) res.end();
  }

  return () => {
    for (const end of streams) end();
    streams.clear();
  };
}

function agentOf(who: Principal): AgentRef {
  return { actor: who.actor, agentId: who.agentId, name: who.kind === 'bootstrap' ? '' : who.name };
}

function idOf(req: Request): number {
  const raw = String(req.params.id ?? '');
  if (!/^\d{1,9}$/.test(raw)) throw new HttpError(404, 'not_found', 'No such conversation');
  return Number(raw);
}

/** `from` and `to` as Bogotá days, both included. */
function dayRange(req: Request, now: Date): { from: Date; to: Date } {
  const fromDay = queryValue(req, 'from');
  const toDay = queryValue(req, 'to');
  for (const [name, value] of [['from', fromDay], ['to', toDay]] as const) {
    if (value !== undefined && !DAY.test(value)) throw new HttpError(400, 'bad_request', `"${name}" must be a day as YYYY-MM-DD`);
  }
  try {
    const to = new Date(startOfBogotaDay(toDay ?? now).getTime() + 86_400_000);
    const from = fromDay ? startOfBogotaDay(fromDay) : new Date(to.getTime() - 30 * 86_400_000);
    if (from >= to) throw new HttpError(400, 'bad_request', '"from" must not be after "to"');
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) throw new HttpError(400, 'bad_request', `The range is at most ${MAX_RANGE_DAYS} days`);
    return { from, to };
  } catch (error) {
    if (error instanceof RangeError) throw new HttpError(400, 'bad_request', 'No such day');
    throw error;
  }
}
