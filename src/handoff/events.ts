import { EventEmitter } from 'node:events';
import type { Client } from 'pg';
import type { Logger } from '../logger';
import type { Db } from '../storage';

/** Every change of any handoff; `handoffId` is -1 after a gap (a lost connection): re-read everything. */
export type HandoffListener = (handoffId: number) => void;

/**
 * Tells every instance that a handoff changed (a message, a take, a close). Only the id travels:
 * listeners read what is new from the database, the source of truth, so nothing personal goes
 * through NOTIFY and a missed event costs nothing but a re-read.
 */
export interface LiveEvents {
  publish(handoffId: number): Promise<void>;
  subscribe(listener: HandoffListener): () => void;
  close(): Promise<void>;
}

const EVENT = 'handoff';

/** One process on SQLite: an in-process emitter is the whole fan-out. */
export class InProcessEvents implements LiveEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(handoffId: number): Promise<void> {
    this.emitter.emit(EVENT, handoffId);
  }

  subscribe(listener: HandoffListener): () => void {
    this.emitter.on(EVENT, listener);
    return () => this.emitter.off(EVENT, listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const CHANNEL = 'pqr_handoff';
const RECONNECT_MS = 1000;

/**
 * Several instances on PostgreSQL: NOTIFY on publish, one LISTEN connection per instance. The
 * listener's own instance hears its notifications too, so nothing is emitted locally twice.
 */
export class PostgresEvents implements LiveEvents {
  private readonly local = new InProcessEvents();
  private client: Client | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly prisma: Db,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    // pg is loaded on PostgreSQL only (this class is never built on SQLite).
    const client = new (require('pg') as typeof import('pg')).Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    client.on('notification', (message) => {
      const id = Number(message.payload);
      if (Number.isInteger(id)) void this.local.publish(id);
    });
    const lost = () => {
      if (this.client !== client || this.closed) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      this.logger.warn('handoff event connection lost; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', lost);
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
  }

  private scheduleReconnect(): void {
    this.retry = setTimeout(() => {
      this.start().then(
        // Whatever happened while the connection was down is re-read by every listener.
        () => void this.local.publish(-1),
        () => this.scheduleReconnect(),
      );
    }, RECONNECT_MS);
    this.retry.unref();
  }

  async publish(handoffId: number): Promise<void> {
    await this.prisma.$executeRaw`SELECT pg_notify(${CHANNEL}, ${String(handoffId)})`;
  }

  subscribe(listener: HandoffListener): () => void {
    return this.local.subscribe(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.local.close();
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}
