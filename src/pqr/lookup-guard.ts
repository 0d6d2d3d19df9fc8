import type { KeyedDigest } from '../identity/secret';
import { hotSqlOf, isUniqueViolation, type Db } from '../storage';
import type { Clock } from './clock';

/** How many failures a key may collect in one window before it is refused. */
export interface AttemptLimit {
  maxFailures: number;
  windowMs: number;
}

const HOUR = 3_600_000;

/**
 * Failed CUN lookups (unknown CUN or document/line that does not match): per requester only (channel
 * user and conversation), never per CUN or document, so strangers cannot lock the owner out.
 */
export const LOOKUP_LIMIT: AttemptLimit = { maxFailures: 5, windowMs: HOUR };
/** Failed back-office sign-ins per e-mail. */
export const LOGIN_EMAIL_LIMIT: AttemptLimit = { maxFailures: 5, windowMs: HOUR / 4 };
/** Failed back-office sign-ins per client IP: higher, since agents of one office share an address. */
export const LOGIN_IP_LIMIT: AttemptLimit = { maxFailures: 20, windowMs: HOUR / 4 };

/**
 * Counts failed attempts per key in a fixed window that starts with the first failure, in the
 * database, so every instance sees the same counts. A key is blocked once it reaches the limit
 * until its window runs out; successes do not reset it (a guesser who owns one PQR could
 * otherwise wipe their count by looking it up).
 */
export class AttemptGuard {
  /** `namespace` keeps guards with different windows from pruning each other's rows. */
  constructor(
    private readonly prisma: Db,
    private readonly clock: Clock,
    private readonly namespace: string,
    private readonly limit: AttemptLimit,
    private readonly digest: KeyedDigest,
  ) {}

  /**
   * The key for what is being counted (a kind, e.g. "user", and what identifies it): an HMAC under
   * the server's secret, so the table holds no user ids, documents, lines or e-mails, and its keys
   * cannot be reversed by hashing every possible document.
   */
  key(kind: string, ...parts: string[]): string {
    return `${this.namespace}:${kind}:${this.digest.of(...parts).slice(0, 32)}`;
  }

  /** When the first blocked key among `keys` opens again; null when none is blocked. */
  async blockedUntil(keys: string[]): Promise<Date | null> {
    if (!keys.length) return null;
    const since = new Date(this.clock.now().getTime() - this.limit.windowMs);
    const sql = hotSqlOf(this.prisma);
    if (sql) {
      // Asked on every CUN a user types: plain SQL (see the README, "The message path").
      const [row] = await sql.all<{ latest: string | Date | null }>(
        `SELECT MAX("windowStart") AS "latest" FROM "LookupAttempt" WHERE "key" IN (${keys.map(() => '?').join(', ')}) AND "windowStart" > ? AND "count" >= ?`,
        [...keys, since, this.limit.maxFailures],
      );
      return row?.latest ? new Date(new Date(row.latest).getTime() + this.limit.windowMs) : null;
    }
    const rows = await this.prisma.lookupAttempt.findMany({
      where: { key: { in: keys }, windowStart: { gt: since }, count: { gte: this.limit.maxFailures } },
      select: { windowStart: true },
    });
    if (!rows.length) return null;
    const latest = Math.max(...rows.map((r) => r.windowStart.getTime()));
    return new Date(latest + this.limit.windowMs);
  }

  /** Counts one failure against every key. */
  async fail(keys: string[]): Promise<void> {
    for (const key of new Set(keys)) await this.failOne(key);
  }

  private async failOne(key: string): Promise<void> {
    const now = this.clock.now();
    const since = new Date(now.getTime() - this.limit.windowMs);
    // Conditional updates, so two instances counting the same key at once both count.
    const restarted = await this.prisma.lookupAttempt.updateMany({ where: { key, windowStart: { lte: since } }, data: { windowStart: now, count: 1 } });
    if (restarted.count) return;
    const counted = await this.prisma.lookupAttempt.updateMany({ where: { key }, data: { count: { increment: 1 } } });
    if (counted.count) return;
    try {
      await this.prisma.lookupAttempt.create({ data: { key, windowStart: now, count: 1 } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await this.prisma.lookupAttempt.updateMany({ where: { key }, data: { count: { increment: 1 } } });
      return;
    }
    // A new key is rare next to lookups: the moment to drop the rows whose window has run out.
    await this.prisma.lookupAttempt.deleteMany({ where: { key: { startsWith: `${this.namespace}:` }, windowStart: { lte: since } } });
  }
}

/** Thrown instead of looking up a CUN when the requester has too many recent failures. */
export class LookupBlockedError extends Error {
  readonly code = 'lookup_blocked';

  constructor(readonly retryAt: Date) {
    super('Too many failed CUN lookups; try again later');
  }
}
