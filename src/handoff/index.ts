import type { HandoffSettings } from '../config';
import type { Locale, Texts } from '../i18n';
import type { Identities } from '../identity';
import type { Logger } from '../logger';
import type { BusinessCalendar, Clock, PqrService } from '../pqr';
import type { Database } from '../storage';
import { InProcessEvents, PostgresEvents, type LiveEvents } from './events';
import { Ratings } from './ratings';
import { HandoffService } from './service';

export { HandoffService, HandoffError, HANDOFF_STATES, OFFER_KEYS, OFFER_KEYS_WAITING, type AgentRef, type HandoffState } from './service';
export { Ratings, SCORE_KEYS, summarizeRatings, type RatingItem } from './ratings';
export { AgentHours } from './hours';

export interface HandoffParts {
  service: HandoffService;
  ratings: Ratings;
  start(): void;
  stop(): Promise<void>;
}

export interface HandoffOptions {
  db: Database;
  databaseUrl: string;
  clock: Clock;
  calendar: BusinessCalendar;
  pqr: PqrService;
  identities: Identities;
  texts: Texts;
  defaultLocale: Locale;
  settings: HandoffSettings;
  logger: Logger;
  kick: () => void;
  /** How often lapsed holds and long waits are checked. */
  sweepMs: number;
  /** With several instances: whether this one runs the sweep this time (a lease). */
  leader?: () => Promise<boolean>;
}

/** The live handoff with its event fan-out (LISTEN/NOTIFY on PostgreSQL) and the periodic sweep. */
export async function createHandoffs(options: HandoffOptions): Promise<HandoffParts> {
  const { db, logger } = options;
  let events: LiveEvents;
  if (db.provider === 'postgresql') {
    const pg = new PostgresEvents(options.databaseUrl, db.prisma, logger);
    await pg.start();
    events = pg;
  } else events = new InProcessEvents();
  const ratings = new Ratings(db.prisma, options.clock);
  const service = new HandoffService({ ...options, prisma: db.prisma, ratings, events });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    if (options.leader && !(await options.leader())) return;
    const { requeued, told } = await service.sweep();
    if (requeued || told) logger.info({ requeued, told }, 'handoff sweep: lapsed holds back in the queue, long waits told');
  };
  return {
    service,
    ratings,
    start() {
      timer ??= setInterval(() => {
        running = tick().catch((error: unknown) => logger.error({ err: error }, 'handoff sweep failed'));
      }, options.sweepMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
      await events.close();
    },
  };
}

/** After the operator's answer reached the user in the chat (the proof of notification), the rating question follows it there. */
export async function askAboutAnswer(prisma: Database['prisma'], ratings: Ratings, pqrId: number): Promise<void> {
  const pqr = await prisma.pqr.findUnique({ where: { id: pqrId }, select: { cun: true, notifiedAt: true, notifyChannel: true, identity: { select: { channel: true, userId: true } } } });
  // Asked where the answer was read: an answer sent by e-mail has no chat to ask in.
  if (!pqr?.identity || !pqr.notifiedAt || pqr.notifyChannel !== pqr.identity.channel) return;
  // The score counts for the agent who answered.
  const answered = await prisma.pqrEvent.findFirst({ where: { pqrId, action: 'respondida' }, orderBy: { seq: 'desc' }, select: { actor: true } });
  const agentId = /^agent:(\d+)$/.exec(answered?.actor ?? '')?.[1];
  await ratings.ask({ subject: 'answer', user: pqr.identity, pqrId, cun: pqr.cun, agentId: agentId ? Number(agentId) : null });
}
