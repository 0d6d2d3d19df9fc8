import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Prisma } from '../generated/sqlite/client';
import type { Db } from './database';
import { hotSqlOf, type HotSql, type SqlStatement } from './hot-sql';

/** A name for this process in lease rows: readable in the table, unique across restarts. */
export function instanceId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** A lease this instance held passed to another one (or could not be confirmed in time): stop working under it. */
export class LeaseLostError extends Error {
  constructor(readonly key: string) {
    super('the lease passed to another instance');
    this.name = 'LeaseLostError';
  }
}

/** Keys per statement when looking many up at once (well under SQLite's and PostgreSQL's parameter limits). */
const KEYS_PER_QUERY = 500;

/**
 * Named leases in the Lease table: what lets several instances on one database agree that one
 * of them, and only one, does a piece of work (a conversation's turns, a scheduler tick) without
 * a cluster protocol. A lease is taken with one conditional upsert (free, expired or already
 * ours), so two instances racing for it get one winner on SQLite and PostgreSQL alike; a holder
 * that dies simply stops renewing, and the lease passes on once it expires.
 *
 * Clocks. On PostgreSQL, where instances run on several machines, expiry is judged by the
 * database's clock alone (`clock_timestamp()` in the statements), so the instances' clocks may
 * disagree by any amount. On SQLite every process shares one file, hence one machine and one
 * clock, and the statements use that clock. A holder never compares wall clocks either: it
 * counts its lease as certain only until `ttl` after it *sent* the last successful claim or
 * renewal, measured with its monotonic clock (`performance.now()`), which is never later than
 * the expiry the database recorded. What remains is a holder whose process stops for longer than
 * the lease (a stalled loop, a paused VM): see `LeaseHold.check`.
 */
export class Leases {
  /** Whether the statements use the database's clock (PostgreSQL) or this process's (SQLite). */
  private readonly databaseClock: boolean;
  /** Claims and renewals run on every turn, in plain SQL (Prisma's raw queries cost ~0.1 ms of CPU more each). */
  private readonly sql: HotSql;

  constructor(
    private readonly prisma: Db,
    readonly owner: string = instanceId(),
  ) {
    const sql = hotSqlOf(prisma);
    if (!sql) throw new Error('leases need a client opened by openDatabase (its plain-SQL access)');
    this.sql = sql;
    this.databaseClock = sql.provider === 'postgresql';
  }

  /** Takes the lease for `ttlMs` when it is free, expired or already ours; false when another instance holds it. One statement. */
  async claim(key: string, ttlMs: number): Promise<boolean> {
    const { sql, args } = this.claimStatement(key, ttlMs);
    return (await this.sql.all<{ owner: string }>(sql, args)).length > 0;
  }

  /** The claim as one statement: a row comes back when the lease is ours. */
  claimStatement(key: string, ttlMs: number): SqlStatement {
    const ms = Math.round(ttlMs);
    return this.databaseClock
      ? {
          sql: `INSERT INTO "Lease" ("key", "owner", "until")
           VALUES (?, ?, (clock_timestamp() AT TIME ZONE 'UTC') + make_interval(secs => ?::integer / 1000.0))
           ON CONFLICT ("key") DO UPDATE SET "owner" = excluded."owner", "until" = excluded."until"
           WHERE "Lease"."owner" = excluded."owner" OR "Lease"."until" < (clock_timestamp() AT TIME ZONE 'UTC')
           RETURNING "owner"`,
          args: [key, this.owner, ms],
        }
      : {
          sql: `INSERT INTO "Lease" ("key", "owner", "until")
           VALUES (?, ?, ?)
           ON CONFLICT ("key") DO UPDATE SET "owner" = excluded."owner", "until" = excluded."until"
           WHERE "Lease"."owner" = excluded."owner" OR "Lease"."until" < ?
           RETURNING "owner"`,
          args: [key, this.owner, new Date(Date.now() + ms), new Date()],
        };
  }

  /** Extends a lease this instance holds (expired or not, as long as nobody took it); false when it is no longer ours. */
  async renew(key: string, ttlMs: number): Promise<boolean> {
    const ms = Math.round(ttlMs);
    const changed = this.databaseClock
      ? await this.sql.run(`UPDATE "Lease" SET "until" = (clock_timestamp() AT TIME ZONE 'UTC') + make_interval(secs => ?::integer / 1000.0) WHERE "key" = ? AND "owner" = ?`, [ms, key, this.owner])
      : await this.sql.run('UPDATE "Lease" SET "until" = ? WHERE "key" = ? AND "owner" = ?', [new Date(Date.now() + ms), key, this.owner]);
    return changed > 0;
  }

  async release(key: string): Promise<void> {
    await this.prisma.lease.deleteMany({ where: { key, owner: this.owner } });
  }

  /** Of `keys`, those another instance holds right now. */
  async heldElsewhere(keys: string[]): Promise<Set<string>> {
    const held = new Set<string>();
    for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
      const some = Prisma.join(keys.slice(i, i + KEYS_PER_QUERY));
      const rows = this.databaseClock
        ? await this.prisma.$queryRaw<{ key: string }[]>`
            SELECT "key" FROM "Lease" WHERE "key" IN (${some}) AND "owner" <> ${this.owner} AND "until" > (clock_timestamp() AT TIME ZONE 'UTC')`
        : await this.prisma.$queryRaw<{ key: string }[]>`
            SELECT "key" FROM "Lease" WHERE "key" IN (${some}) AND "owner" <> ${this.owner} AND "until" > ${new Date()}`;
      for (const row of rows) held.add(row.key);
    }
    return held;
  }

  /**
   * Claims the lease and keeps it while the work runs: renewed every `renewEveryMs` (a third of
   * the lease by default) until `stop`. Null when another instance holds it.
   *
   * With `claimed`, the caller claims the lease itself, in a statement of its own that holds
   * `claimStatement` (e.g. the claim and the first piece of work in one round trip): true when
   * that claim returned its row.
   */
  async hold(
    key: string,
    ttlMs: number,
    options: { renewEveryMs?: number; onError?: (error: unknown) => void; claimed?: (claim: SqlStatement) => Promise<boolean> } = {},
  ): Promise<LeaseHold | null> {
    const sentAt = performance.now();
    const claimed = options.claimed ? await options.claimed(this.claimStatement(key, ttlMs)) : await this.claim(key, ttlMs);
    if (!claimed) return null;
    return new LeaseHold(this, key, ttlMs, sentAt, options.renewEveryMs ?? ttlMs / 3, options.onError ?? (() => undefined));
  }
}

/**
 * A lease this instance holds while it works, with its heartbeat. The holder knows the lease is
 * certainly its own until `ttl` after it sent the last claim or renewal that succeeded (its
 * monotonic clock; the database recorded a later expiry). When the heartbeat falls behind (the
 * event loop stalled, the database was slow), `check` asks the database before anything that
 * must not happen twice, such as sending a reply: a holder that stalled past its lease finds
 * that another instance took over, and stops instead of answering a second time.
 */
export class LeaseHold {
  private certainUntil: number;
  private lost = false;
  private stopped = false;
  private renewing: Promise<boolean> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly leases: Leases,
    readonly key: string,
    private readonly ttlMs: number,
    claimSentAt: number,
    renewEveryMs: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.certainUntil = claimSentAt + ttlMs;
    this.timer = setInterval(() => void this.renew().catch((error: unknown) => this.onError(error)), renewEveryMs);
    this.timer.unref();
  }

  /** False once a renewal found the lease in another instance's hands. */
  get held(): boolean {
    return !this.lost;
  }

  /**
   * True when the lease is certainly still ours for a while (a third of the lease): at once when
   * the heartbeat is on time (no statement), else after renewing it now. False when it passed to
   * another instance, or could not be confirmed before it would expire.
   */
  async check(): Promise<boolean> {
    if (this.lost) return false;
    if (this.certainUntil - performance.now() > this.ttlMs / 3) return true;
    try {
      await this.renew();
    } catch (error) {
      this.onError(error);
    }
    return !this.lost && this.certainUntil - performance.now() > 0;
  }

  /** Throws `LeaseLostError` unless `check` confirms the lease. */
  async assertHeld(): Promise<void> {
    if (!(await this.check())) throw new LeaseLostError(this.key);
  }

  /**
   * Stops the heartbeat and releases the lease (unless it was lost); with `release: false` the
   * caller lets it go itself (the inbox does, in the transaction that ends the conversation's last turn).
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    if (!this.lost && options.release !== false) await this.leases.release(this.key);
  }

  /** One renewal at a time: a heartbeat and a `check` arriving together share it. */
  private renew(): Promise<boolean> {
    if (this.lost || this.stopped) return Promise.resolve(!this.lost);
    this.renewing ??= (async () => {
      const sentAt = performance.now();
      try {
        const held = await this.leases.renew(this.key, this.ttlMs);
        if (held) this.certainUntil = Math.max(this.certainUntil, sentAt + this.ttlMs);
        else {
          this.lost = true;
          clearInterval(this.timer);
        }
        return held;
      } finally {
        this.renewing = null;
      }
    })();
    return this.renewing;
  }
}
