import { createHash } from 'node:crypto';
import type { HandoffSettings } from '../config';
import { resolveLocale, type Locale, type Texts } from '../i18n';
import { addressKey, type Identities } from '../identity';
import { appendEvent, findCun, formatDate, formatDateTime, PQR_TYPES, type BusinessCalendar, type Clock, type Customer, type PqrService, type PqrSummary, type PqrType } from '../pqr';
import { hotSqlOf, isUniqueViolation, TurnWork, type ConversationFacts, type Db, type Tx } from '../storage';
import type { LiveEvents } from './events';
import { AgentHours } from './hours';
import { queueChatMessage, type ChatUser } from './outbox';
import { PENDING_STATES, type Ratings } from './ratings';

export type HandoffState = 'waiting' | 'held' | 'closed';
export const HANDOFF_STATES: readonly HandoffState[] = ['waiting', 'held', 'closed'];
/** `live`: the user waits in the chat; `callback`: the user asked to be contacted later. */
export type HandoffKind = 'live' | 'callback';
export type HandoffRow = Awaited<ReturnType<Db['handoff']['findUniqueOrThrow']>>;

/** Who acts in the inbox: `actor` is what holds and the expediente record ("agent:12"). */
export interface AgentRef {
  actor: string;
  agentId: number | null;
  name: string;
}

export type Availability =
  | { open: true; expectedMinutes: number }
  | { open: false; reason: 'closed' | 'nobody' | 'busy'; nextOpening: Date | null; expectedMinutes: number | null };

export interface TranscriptLine {
  id: number;
  from: 'user' | 'agent' | 'bot';
  text: string;
  at: Date;
}

/** A refused inbox action; `status` is the HTTP status it maps to. */
export class HandoffError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_TEXT = 4000;
const MAX_NOTE = 2000;
const SUMMARY_MESSAGES = 5;

export interface HandoffDeps {
  prisma: Db;
  clock: Clock;
  calendar: BusinessCalendar;
  pqr: PqrService;
  identities: Identities;
  ratings: Ratings;
  texts: Texts;
  defaultLocale: Locale;
  settings: HandoffSettings;
  events: LiveEvents;
  /** Sends what was just queued without waiting for the dispatcher's next poll. */
  kick: () => void;
}

/**
 * The live handoff: the agents' queue, holds, the transcript and what the user is told. The
 * database is the source of truth for all of it (holds are rows with an expiry, taken with a
 * conditional update), so any instance can serve the user and any other the agent.
 */
export class HandoffService {
  readonly hours: AgentHours;

  constructor(private readonly deps: HandoffDeps) {
    this.hours = new AgentHours(deps.calendar, deps.settings);
  }

  /** How long a hold lasts without renewal: the inbox renews well within it. */
  get holdTimeoutMs(): number {
    return this.deps.settings.holdTimeoutMs;
  }

  get events(): LiveEvents {
    return this.deps.events;
  }

  /** Whether a person can take a new conversation now, and if not why and until when. */
  async availability(): Promise<Availability> {
    const { prisma, settings } = this.deps;
    const now = this.deps.clock.now();
    if (!this.hours.isOpen(now)) return { open: false, reason: 'closed', nextOpening: this.hours.nextOpening(now), expectedMinutes: null };
    const online = await prisma.agentPresence.count({ where: { lastSeenAt: { gt: new Date(now.getTime() - settings.onlineMs) } } });
    if (online === 0) return { open: false, reason: 'nobody', nextOpening: null, expectedMinutes: null };
    const waiting = await prisma.handoff.count({ where: { state: 'waiting', kind: 'live' } });
    const expectedMinutes = Math.ceil((waiting + 1) / online) * settings.averageMinutes;
    if (waiting >= settings.maxQueue) return { open: false, reason: 'busy', nextOpening: null, expectedMinutes };
    return { open: true, expectedMinutes };
  }

  /**
   * Whether the user's message may belong to an agent's open conversation or answer the rating
   * question, asked on every message before the dialogs run: one plain-SQL statement rather than
   * two Prisma queries (most messages have neither, and Prisma costs ~0.3 ms of CPU a query).
   */
  async claimsOn(user: ChatUser): Promise<{ handoff: boolean; rating: boolean }> {
    // Most turns learned it with their message (see `conversationFacts`).
    const known = TurnWork.current()?.takeFact<Claims & { key: string }>(CLAIMS_FACT);
    if (known && known.key === openKeyOf(user)) return { handoff: known.handoff, rating: known.rating };
    const sql = hotSqlOf(this.deps.prisma);
    if (!sql) return { handoff: (await this.openFor(user)) !== null, rating: (await this.deps.ratings.pendingFor(user)) !== null };
    const [row] = await sql.all<Record<string, unknown>>(`SELECT ${this.claimsColumns()}`, this.claimsArgs(user));
    return readClaims(row ?? {});
  }

  /**
   * `claimsOn` for the user a conversation of a channel belongs to (one-to-one chats: the
   * conversation's key is the user's id), read with each of its messages by the inbox. The turn
   * uses it only when its user is that one.
   */
  conversationFacts(): ConversationFacts {
    return {
      name: CLAIMS_FACT,
      columns: this.claimsColumns(),
      args: (channel, conversationKey) => this.claimsArgs({ channel, userId: conversationKey }),
      read: (row, channel, conversationKey) => ({ key: openKeyOf({ channel, userId: conversationKey }), ...readClaims(row) }),
    };
  }

  private claimsColumns(): string {
    return `EXISTS (SELECT 1 FROM "Handoff" WHERE "openKey" = ?) AS "claimsHandoff", EXISTS (SELECT 1 FROM "Rating" WHERE "channel" = ? AND "userId" = ? AND "state" IN (${PENDING_STATES.map(() => '?').join(', ')}) AND "askedAt" >= ?) AS "claimsRating"`;
  }

  private claimsArgs(user: ChatUser): unknown[] {
    return [openKeyOf(user), user.channel, user.userId, ...PENDING_STATES, this.deps.ratings.pendingSince()];
  }

  /** The user's open handoff (waiting or held), if any. */
  async openFor(user: ChatUser): Promise<HandoffRow | null> {
    return this.deps.prisma.handoff.findUnique({ where: { openKey: openKeyOf(user) } });
  }

  /**
   * Puts the conversation in the queue with a summary for the agent: what the user wrote last,
   * the PQRs on file. A user with an open handoff keeps it (a callback becomes live if asked).
   */
  async request(user: ChatUser, input: { kind: HandoffKind; recent: string[]; locale?: string }): Promise<HandoffRow> {
    const { prisma, clock } = this.deps;
    const open = await this.pqrsOf(user);
    const cuns = open.map((p) => p.cun);
    const summary = this.summaryOf(input.recent, open);
    const locale = resolveLocale(input.locale, this.deps.defaultLocale);
    let handoff: HandoffRow;
    try {
      handoff = await prisma.handoff.create({
        data: { ...user, kind: input.kind, openKey: openKeyOf(user), summary, cuns: JSON.stringify(cuns), locale, waitingSince: clock.now() },
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.openFor(user);
      if (!existing) throw error;
      handoff = existing.kind === input.kind || input.kind === 'callback' ? existing : await prisma.handoff.update({ where: { id: existing.id }, data: { kind: input.kind } });
    }
    await this.publish(handoff.id);
    return handoff;
  }

  /** A message of the user while their handoff is open: it joins the transcript the agent sees. */
  async recordUserMessage(handoff: HandoffRow, text: string, sourceKey: string | undefined): Promise<void> {
    await this.addLine(handoff.id, { from: 'user', text: text.slice(0, MAX_TEXT) }, sourceKey ? `${handoff.id}:${sourceKey}` : undefined);
    await this.publish(handoff.id);
  }

  /** What the bot said in the chat about the handoff, kept in the transcript. */
  async recordBotMessage(handoffId: number, text: string): Promise<void> {
    await this.addLine(handoffId, { from: 'bot', text });
    await this.publish(handoffId);
  }

  /** A waiting live request becomes a callback request: the user goes on with the bot meanwhile. */
  async toCallback(handoff: HandoffRow): Promise<void> {
    await this.deps.prisma.handoff.updateMany({ where: { id: handoff.id, state: 'waiting' }, data: { kind: 'callback' } });
    await this.publish(handoff.id);
  }

  /** The user left ("cancelar", "menú", or went on to file themselves). After a talk with an agent they are asked to rate it. */
  async leave(handoff: HandoffRow): Promise<void> {
    const { prisma, clock, ratings } = this.deps;
    const now = clock.now();
    await prisma.$transaction(async (tx) => {
      const closed = await tx.handoff.updateMany({ where: { id: handoff.id, state: { not: 'closed' } }, data: { state: 'closed', openKey: null, closedAt: now, closedBy: 'user' } });
      if (closed.count === 0) return;
      await this.addLine(handoff.id, { from: 'bot', text: this.t(handoff)('handoff.transcript.userLeft') }, undefined, tx);
      await this.joinExpedientes(tx, handoff, `user:${handoff.channel}`, null);
      if (handoff.takenAt) await ratings.ask({ subject: 'handoff', user: handoff, handoffId: handoff.id, agentId: handoff.agentId }, tx);
    });
    await this.publish(handoff.id);
    this.deps.kick();
  }

  /** Which conversations are open and how: changes when the queue an agent sees changes. */
  async queueKey(): Promise<string> {
    const open = await this.deps.prisma.handoff.findMany({ where: { state: { not: 'closed' } }, select: { id: true, state: true, kind: true, heldBy: true }, orderBy: { id: 'asc' }, take: 1000 });
    return JSON.stringify(open);
  }

  async counts(): Promise<{ waiting: number; held: number }> {
    const [waiting, held] = await Promise.all([this.deps.prisma.handoff.count({ where: { state: 'waiting' } }), this.deps.prisma.handoff.count({ where: { state: 'held' } })]);
    return { waiting, held };
  }

  async list(state: HandoffState) {
    const rows = await this.deps.prisma.handoff.findMany({ where: { state }, orderBy: state === 'closed' ? { closedAt: 'desc' } : { waitingSince: 'asc' }, take: 200 });
    return rows.map((row) => this.itemOf(row));
  }

  /** The conversation with its transcript; null when there is no such handoff. */
  async get(id: number) {
    const row = await this.deps.prisma.handoff.findUnique({ where: { id } });
    if (!row) return null;
    return { ...this.itemOf(row), messages: await this.linesAfter(id, 0) };
  }

  async linesAfter(id: number, afterId: number): Promise<TranscriptLine[]> {
    const rows = await this.deps.prisma.handoffMessage.findMany({ where: { handoffId: id, id: { gt: afterId } }, orderBy: { id: 'asc' }, take: 1000 });
    return rows.map((m) => ({ id: m.id, from: m.from as TranscriptLine['from'], text: m.text, at: m.at }));
  }

  async state(id: number): Promise<Pick<HandoffRow, 'state' | 'heldBy' | 'kind'> | null> {
    return this.deps.prisma.handoff.findUnique({ where: { id }, select: { state: true, heldBy: true, kind: true } });
  }

  /**
   * Takes the conversation for `agent`: one conditional update, so of two agents taking at once
   * exactly one wins. A hold that lapsed (the agent's tab closed) can be taken by anyone.
   */
  async take(id: number, agent: AgentRef): Promise<HandoffRow> {
    const { prisma, clock, settings } = this.deps;
    const now = clock.now();
    const before = await this.require(id);
    const taken = await prisma.$transaction(async (tx) => {
      const won = await tx.handoff.updateMany({
        where: { id, OR: [{ state: 'waiting' }, { state: 'held', heldBy: agent.actor }, { state: 'held', heldUntil: { lt: now } }] },
        data: { state: 'held', kind: 'live', heldBy: agent.actor, agentId: agent.agentId, heldUntil: new Date(now.getTime() + settings.holdTimeoutMs), takenAt: now },
      });
      if (won.count === 0) return null;
      if (before.heldBy !== agent.actor) {
        const vars = { agent: this.nameOf(agent, before) };
        await this.addLine(id, { from: 'bot', text: this.t(before)('handoff.taken', vars) }, undefined, tx);
        await queueChatMessage(tx, before, { key: 'handoff.taken', vars, idempotencyKey: `handoff:${id}:taken:${now.getTime()}:${agent.actor}` });
      }
      return tx.handoff.findUniqueOrThrow({ where: { id } });
    });
    if (!taken) {
      const current = await this.require(id);
      if (current.state === 'closed') throw new HandoffError(409, 'closed', 'The conversation is closed');
      throw new HandoffError(409, 'held_by_another', 'Another agent holds this conversation');
    }
    await this.publish(id);
    this.deps.kick();
    return taken;
  }

  /** Keeps `agent`'s hold alive (their inbox is open on this conversation). */
  async renewHold(id: number, agent: AgentRef): Promise<void> {
    const { prisma, clock, settings } = this.deps;
    await prisma.handoff.updateMany({ where: { id, state: 'held', heldBy: agent.actor }, data: { heldUntil: new Date(clock.now().getTime() + settings.holdTimeoutMs) } });
  }

  /** The agent's reply: in the transcript, and to the user through the outbox on their channel. */
  async say(id: number, agent: AgentRef, input: unknown): Promise<TranscriptLine> {
    const text = requireText(input, MAX_TEXT, 'text');
    const { prisma, clock, settings } = this.deps;
    const now = clock.now();
    const line = await prisma.$transaction(async (tx) => {
      const handoff = await this.holding(tx, id, agent);
      const created = await this.addLine(id, { from: 'agent', text, agentId: agent.agentId }, undefined, tx);
      await queueChatMessage(tx, handoff, {
        key: 'handoff.agentMessage',
        vars: { agent: this.nameOf(agent, handoff), text },
        template: settings.whatsappTemplate,
        idempotencyKey: `handoff-message:${created!.id}`,
      });
      await tx.handoff.update({ where: { id }, data: { heldUntil: new Date(now.getTime() + settings.holdTimeoutMs) } });
      return { id: created!.id, from: 'agent' as const, text, at: created!.at };
    });
    await this.publish(id);
    this.deps.kick();
    return line;
  }

  /** Ends the conversation: the bot takes over and says so, asks for a rating, and the transcript joins the PQRs it concerns. */
  async close(id: number, agent: AgentRef, noteInput: unknown): Promise<void> {
    const note = noteInput === undefined || noteInput === null || noteInput === '' ? null : requireText(noteInput, MAX_NOTE, 'note');
    const { prisma, clock, ratings } = this.deps;
    const now = clock.now();
    await prisma.$transaction(async (tx) => {
      const handoff = await this.require(id, tx);
      const mine = handoff.state === 'held' && handoff.heldBy === agent.actor;
      if (handoff.state === 'closed') throw new HandoffError(409, 'closed', 'The conversation is closed already');
      if (handoff.state === 'held' && !mine && !(handoff.heldUntil && handoff.heldUntil < now)) throw new HandoffError(409, 'held_by_another', 'Another agent holds this conversation');
      const closed = await tx.handoff.updateMany({
        where: { id, state: handoff.state, heldBy: handoff.heldBy },
        data: { state: 'closed', openKey: null, closedAt: now, closedBy: agent.actor, closeNote: note },
      });
      if (closed.count === 0) throw new HandoffError(409, 'conflict', 'The conversation changed meanwhile; reload it');
      const t = this.t(handoff);
      const talked = handoff.kind === 'live' || handoff.takenAt !== null;
      if (talked) {
        await this.addLine(id, { from: 'bot', text: t('handoff.closed') }, undefined, tx);
        await queueChatMessage(tx, handoff, { key: 'handoff.closed', idempotencyKey: `handoff:${id}:closed` });
      }
      await this.joinExpedientes(tx, handoff, agent.actor, note);
      if (handoff.takenAt) await ratings.ask({ subject: 'handoff', user: handoff, handoffId: id, agentId: agent.agentId ?? handoff.agentId }, tx);
    });
    await this.publish(id);
    this.deps.kick();
  }

  /** Files a PQR for the user with the data they gave the agent; the user gets the CUN in the chat. */
  async fileFor(id: number, agent: AgentRef, body: Record<string, unknown>): Promise<PqrSummary> {
    const handoff = await this.require(id);
    if (handoff.state !== 'held' || handoff.heldBy !== agent.actor) throw new HandoffError(409, 'not_holding', 'Take the conversation before acting on it');
    const type = body.type;
    if (typeof type !== 'string' || !(PQR_TYPES as readonly string[]).includes(type)) throw new HandoffError(400, 'bad_request', `"type" must be one of ${PQR_TYPES.join(', ')}`);
    const description = requireText(body.description, 5000, 'description');
    const customer = body.customer === undefined ? await this.deps.pqr.knownCustomer(await this.deps.identities.requester({ channel: handoff.channel, userId: handoff.userId })) : parseCustomer(body.customer);
    if (!customer) throw new HandoffError(400, 'customer_required', 'The user is not known yet: give "customer" (subscriber brandId and line, or a non-customer\'s name, document and e-mail)');
    const digest = createHash('sha256').update(`${type}\n${description}`).digest('base64url');
    const filed = await this.deps.pqr.file({
      type: type as PqrType,
      description,
      user: { channel: handoff.channel, userId: handoff.userId },
      customer,
      notifyChannel: handoff.channel,
      notifyAddress: addressKey({ channel: handoff.channel, userId: handoff.userId }),
      filingKey: `handoff:${id}:${digest}`,
    });
    const { prisma } = this.deps;
    const locale = resolveLocale(handoff.locale ?? undefined, this.deps.defaultLocale);
    const vars = { cun: filed.cun, dueDate: formatDate(filed.dueDate, locale) };
    await prisma.$transaction(async (tx) => {
      const pqr = await tx.pqr.findUniqueOrThrow({ where: { cun: filed.cun }, select: { id: true } });
      const fresh = await tx.handoff.findUniqueOrThrow({ where: { id } });
      const cuns = parseCuns(fresh.cuns);
      // A double click files once (the filing key) and tells the user once.
      if (cuns.includes(filed.cun)) return;
      await tx.handoff.update({ where: { id }, data: { cuns: JSON.stringify([...cuns, filed.cun]) } });
      await appendEvent(tx, pqr.id, { at: this.deps.clock.now(), actor: agent.actor, action: 'radicada_por_asesor', before: null, after: { handoffId: id, channel: handoff.channel } });
      await this.addLine(id, { from: 'bot', text: this.t(handoff)('handoff.filed', vars) }, undefined, tx);
      await queueChatMessage(tx, handoff, { key: 'handoff.filed', vars, idempotencyKey: `handoff:${id}:filed:${filed.cun}`, pqrId: pqr.id });
    });
    await this.publish(id);
    this.deps.kick();
    return filed;
  }

  /** The user's open PQRs, for the agent's look-up. */
  async pqrsOf(user: ChatUser): Promise<PqrSummary[]> {
    return this.deps.pqr.openFor(await this.deps.identities.requester({ channel: user.channel, userId: user.userId }));
  }

  async require(id: number, tx: Tx | Db = this.deps.prisma): Promise<HandoffRow> {
    const row = Number.isInteger(id) && id > 0 ? await tx.handoff.findUnique({ where: { id } }) : null;
    if (!row) throw new HandoffError(404, 'not_found', 'No such conversation');
    return row;
  }

  async agentNames(ids: number[]): Promise<{ id: number; name: string }[]> {
    return ids.length ? this.deps.prisma.agent.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [];
  }

  /** An agent's inbox is open: they count as online. */
  async seen(agent: AgentRef): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.prisma.agentPresence.upsert({ where: { actor: agent.actor }, create: { actor: agent.actor, lastSeenAt: now }, update: { lastSeenAt: now } });
  }

  /**
   * The periodic check: holds whose agent went away go back to the queue (the user is told), and
   * users who waited longer than HANDOFF_MAX_WAIT_MINUTES are told and offered filing or a callback.
   */
  async sweep(): Promise<{ requeued: number; told: number }> {
    const { prisma, clock, settings } = this.deps;
    const now = clock.now();
    let requeued = 0;
    let told = 0;
    const lapsed = await prisma.handoff.findMany({ where: { state: 'held', heldUntil: { lt: now } }, take: 100 });
    for (const handoff of lapsed) {
      const done = await prisma.$transaction(async (tx) => {
        const back = await tx.handoff.updateMany({ where: { id: handoff.id, state: 'held', heldBy: handoff.heldBy, heldUntil: { lt: now } }, data: { state: 'waiting', heldBy: null, agentId: null, heldUntil: null, waitNoticeAt: null } });
        if (back.count === 0) return false;
        await this.addLine(handoff.id, { from: 'bot', text: this.t(handoff)('handoff.requeued') }, undefined, tx);
        await queueChatMessage(tx, handoff, { key: 'handoff.requeued', idempotencyKey: `handoff:${handoff.id}:requeued:${now.getTime()}` });
        return true;
      });
      if (done) {
        requeued++;
        await this.publish(handoff.id);
      }
    }
    const waitedSince = new Date(now.getTime() - settings.maxWaitMs);
    const longWaits = await prisma.handoff.findMany({ where: { state: 'waiting', kind: 'live', waitNoticeAt: null, waitingSince: { lt: waitedSince } }, take: 100 });
    for (const handoff of longWaits) {
      const done = await prisma.$transaction(async (tx) => {
        const marked = await tx.handoff.updateMany({ where: { id: handoff.id, state: 'waiting', waitNoticeAt: null }, data: { waitNoticeAt: now } });
        if (marked.count === 0) return false;
        const vars = { minutes: Math.round(settings.maxWaitMs / 60_000) };
        await this.addLine(handoff.id, { from: 'bot', text: this.t(handoff)('handoff.longWait', vars) }, undefined, tx);
        await queueChatMessage(tx, handoff, { key: 'handoff.longWait', vars, choices: OFFER_KEYS_WAITING, idempotencyKey: `handoff:${handoff.id}:longWait` });
        return true;
      });
      if (done) {
        told++;
        await this.publish(handoff.id);
      }
    }
    if (requeued || told) this.deps.kick();
    return { requeued, told };
  }

  /** The next opening time in words, for the user's language. */
  formatOpening(date: Date, locale: Locale): string {
    return formatDateTime(date, locale);
  }

  private async holding(tx: Tx, id: number, agent: AgentRef): Promise<HandoffRow> {
    const handoff = await this.require(id, tx);
    if (handoff.state === 'closed') throw new HandoffError(409, 'closed', 'The conversation is closed');
    if (handoff.state !== 'held' || handoff.heldBy !== agent.actor) {
      throw handoff.state === 'held' ? new HandoffError(409, 'held_by_another', 'Another agent holds this conversation') : new HandoffError(409, 'not_holding', 'Take the conversation before replying');
    }
    return handoff;
  }

  /**
   * The transcript joins the expediente of every PQR the conversation concerns: those on file
   * when it started, those filed in it, and those the user mentioned if they are the user's own.
   */
  private async joinExpedientes(tx: Tx, handoff: HandoffRow, actor: string, note: string | null): Promise<void> {
    const lines = await tx.handoffMessage.findMany({ where: { handoffId: handoff.id }, orderBy: { id: 'asc' } });
    if (!lines.some((l) => l.from !== 'bot')) return;
    const mentioned = lines.filter((l) => l.from === 'user').flatMap((l) => findCun(l.text) ?? []);
    const identity = await tx.channelIdentity.findUnique({ where: { channel_userId: { channel: handoff.channel, userId: handoff.userId } }, select: { id: true } });
    const candidates = [...new Set([...parseCuns(handoff.cuns), ...mentioned])];
    const pqrs = await tx.pqr.findMany({ where: { cun: { in: candidates } }, select: { id: true, cun: true, identityId: true } });
    const transcript = lines.map((l) => ({ from: l.from, text: l.text, at: l.at.toISOString() }));
    for (const pqr of pqrs) {
      if (!parseCuns(handoff.cuns).includes(pqr.cun) && pqr.identityId !== identity?.id) continue;
      await appendEvent(tx, pqr.id, { at: this.deps.clock.now(), actor, action: 'conversacion_asesor', before: null, after: { handoffId: handoff.id, channel: handoff.channel, note, messages: transcript } });
    }
  }

  private async addLine(handoffId: number, line: { from: TranscriptLine['from']; text: string; agentId?: number | null }, sourceKey?: string, tx: Tx | Db = this.deps.prisma) {
    try {
      return await tx.handoffMessage.create({ data: { handoffId, from: line.from, text: line.text, agentId: line.agentId ?? null, at: this.deps.clock.now(), sourceKey: sourceKey ?? null } });
    } catch (error) {
      // The same channel message recorded by a re-run turn.
      if (sourceKey && isUniqueViolation(error)) return null;
      throw error;
    }
  }

  private async publish(id: number): Promise<void> {
    await this.deps.events.publish(id);
  }

  /** Users see the agent's first name only; the bootstrap token has none. */
  private nameOf(agent: AgentRef, handoff: HandoffRow): string {
    return agent.name.trim().split(/\s+/)[0] || this.t(handoff)('handoff.agent.defaultName');
  }

  private t(handoff: Pick<HandoffRow, 'locale'>) {
    return this.deps.texts.for(resolveLocale(handoff.locale ?? undefined, this.deps.defaultLocale));
  }

  private summaryOf(recent: string[], open: PqrSummary[]): string {
    const t = this.deps.texts.for(this.deps.defaultLocale);
    const said = recent.slice(-SUMMARY_MESSAGES).map((text) => `«${text.slice(0, 300)}»`).join(' · ');
    const pqrs = open.map((p) => `${p.cun} (${p.type}, ${p.status})`).join(', ');
    return t('handoff.summary', { said: said || t('handoff.summary.nothing'), pqrs: pqrs || t('handoff.summary.noPqrs') });
  }

  private itemOf(row: HandoffRow) {
    return {
      id: row.id,
      channel: row.channel,
      kind: row.kind as HandoffKind,
      state: row.state as HandoffState,
      waitingSince: row.waitingSince,
      summary: row.summary,
      cuns: parseCuns(row.cuns),
      heldBy: row.heldBy,
      agentId: row.agentId,
      closedAt: row.closedAt,
      closeNote: row.closeNote,
    };
  }
}

/** The buttons offered when nobody can take the conversation, or after a long wait. */
export const OFFER_KEYS = ['menu.file', 'handoff.offer.callback', 'menu.back'];
export const OFFER_KEYS_WAITING = ['menu.file', 'handoff.offer.callback', 'handoff.offer.keepWaiting'];

type Claims = { handoff: boolean; rating: boolean };

/** The name `claimsOn`'s answer goes by among the facts read with a message. */
const CLAIMS_FACT = 'handoff.claims';

function readClaims(row: Record<string, unknown>): Claims {
  const yes = (value: unknown) => value === true || Number(value) === 1;
  return { handoff: yes(row.claimsHandoff), rating: yes(row.claimsRating) };
}

function openKeyOf(user: ChatUser): string {
  return addressKey(user);
}

function parseCuns(raw: string): string[] {
  try {
    const value = JSON.parse(raw) as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

function requireText(value: unknown, max: number, name: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) throw new HandoffError(400, 'bad_request', `"${name}" must be a non-empty string`);
  if (text.length > max) throw new HandoffError(400, 'bad_request', `"${name}" must be at most ${max} characters`);
  return text;
}

function parseCustomer(value: unknown): Customer {
  const c = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const str = (v: unknown, max: number) => (typeof v === 'string' && v.trim() && v.trim().length <= max ? v.trim() : null);
  if (c.kind === 'subscriber') {
    const brandId = str(c.brandId, 40);
    const line = str(c.line, 20)?.replace(/\D/g, '');
    if (brandId && line && /^3\d{9}$/.test(line)) return { kind: 'subscriber', brandId, line };
  }
  if (c.kind === 'non_customer') {
    const fullName = str(c.fullName, 200);
    const documentType = str(c.documentType, 10);
    const documentNumber = str(c.documentNumber, 20);
    const email = str(c.email, 254);
    if (fullName && documentType && documentNumber && email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return { kind: 'non_customer', fullName, documentType, documentNumber, email };
  }
  throw new HandoffError(400, 'bad_request', '"customer" must be { kind: "subscriber", brandId, line } or { kind: "non_customer", fullName, documentType, documentNumber, email }');
}
