import { createHash } from 'node:crypto';

/** The prevHash of the first event of every expediente. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * What an event's hash covers: who, when, what, before/after and its place in the chain.
 * Hash before/after exactly as they are stored (the JSON text of the PqrEvent row), so the
 * chain verifies against what the database gives back.
 */
export interface EventData {
  seq: number;
  at: Date | string;
  actor: string;
  action: string;
  before: unknown;
  after: unknown;
}

export interface ChainedEvent extends EventData {
  prevHash: string;
  hash: string;
}

export type ChainVerification =
  | { ok: true }
  | { ok: false; brokenAt: number; reason: 'seq_out_of_order' | 'prev_hash_mismatch' | 'hash_mismatch' };

/**
 * JSON with object keys sorted at every level, so the same event always hashes the same
 * whatever order its fields were built or read back in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(isoInstant(value));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`Cannot hash a non-finite number: ${value}`);
      return JSON.stringify(value);
    case 'object': {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`Cannot hash a value of type ${typeof value}`);
  }
}

/** Dates read back from the database as Date or ISO text must hash alike. */
function isoInstant(at: Date | string): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Invalid event time: ${String(at)}`);
  return date.toISOString();
}

/** sha256 (hex) of the previous hash and the event, in canonical JSON. */
export function eventHash(prevHash: string, event: EventData): string {
  const payload = canonicalJson({
    prevHash,
    seq: event.seq,
    at: isoInstant(event.at),
    actor: event.actor,
    action: event.action,
    before: event.before ?? null,
    after: event.after ?? null,
  });
  return createHash('sha256').update(payload, 'utf8').digest('hex');
}

/**
 * The link fields of the event that follows `last` (null for the first one): its seq, the
 * hash it points back to, and its own hash.
 */
export function chainNext(
  last: { seq: number; hash: string } | null,
  event: Omit<EventData, 'seq'>,
): { seq: number; prevHash: string; hash: string } {
  const seq = last ? last.seq + 1 : 1;
  const prevHash = last ? last.hash : GENESIS_HASH;
  return { seq, prevHash, hash: eventHash(prevHash, { ...event, seq }) };
}

/**
 * Checks an expediente in the order given (the order they were stored, by seq): seqs 1, 2, 3…,
 * each event pointing at the hash of the one before, each hash matching its content.
 */
export function verifyChain(events: readonly ChainedEvent[]): ChainVerification {
  let prevHash = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    if (event.seq !== index + 1) return { ok: false, brokenAt: event.seq, reason: 'seq_out_of_order' };
    if (event.prevHash !== prevHash) return { ok: false, brokenAt: event.seq, reason: 'prev_hash_mismatch' };
    if (eventHash(event.prevHash, event) !== event.hash) return { ok: false, brokenAt: event.seq, reason: 'hash_mismatch' };
    prevHash = event.hash;
  }
  return { ok: true };
}
