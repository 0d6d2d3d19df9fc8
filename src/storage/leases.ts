import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from './database';
import { isUniqueViolation } from './errors';

/** A name for this process in lease rows: readable in the table, unique across restarts. */
export function instanceId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Named leases in the Lease table: what lets several instances on one database agree that one
 * of them, and only one, does a piece of work (a conversation's turns, a scheduler tick) without
 * a cluster protocol. A lease is taken with a conditional write (free, expired or already ours),
 * so two instances racing for it get one winner on SQLite and PostgreSQL alike; a holder that
 * dies simply stops renewing, and the lease passes on once it expires.
 *
 * Expiry is judged by each instance's own clock: keep clocks in sync (NTP) and leases far longer
 * than the skew.
 */
export class Leases {
  constructor(
    private readonly prisma: Db,
    readonly owner: string = instanceId(),
  ) {}

  /** Takes the lease for `ttlMs` when it is free, expired or already ours; false when another instance holds it. */
  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = new Date();
    const until = new Date(now.getTime() + ttlMs);
    const taken = await this.prisma.lease.updateMany({
      where: { key, OR: [{ owner: this.owner }, { until: { lt: now } }] },
      data: { owner: this.owner, until },
    });
    if (taken.count > 0) return true;
    try {
      await this.prisma.lease.create({ data: { key, owner: this.owner, until } });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Extends a lease this instance holds; false when it is no longer ours. */
  async renew(key: string, ttlMs: number): Promise<boolean> {
    const renewed = await this.prisma.lease.updateMany({ where: { key, owner: this.owner }, data: { until: new Date(Date.now() + ttlMs) } });
    return renewed.count > 0;
  }

  async release(key: string): Promise<void> {
    await this.prisma.lease.deleteMany({ where: { key, owner: this.owner } });
  }

  /** Of `keys`, those another instance holds right now. */
  async heldElsewhere(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.prisma.lease.findMany({ where: { key: { in: keys }, owner: { not: this.owner }, until: { gt: new Date() } }, select: { key: true } });
    return new Set(rows.map((row) => row.key));
  }
}
