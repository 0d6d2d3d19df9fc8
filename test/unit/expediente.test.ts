import { createHash } from 'node:crypto';
import { ChainedEvent, GENESIS_HASH, canonicalJson, chainNext, eventHash, verifyChain } from '../../src/pqr/expediente';

type Draft = Omit<ChainedEvent, 'seq' | 'prevHash' | 'hash'>;

const DRAFTS: Draft[] = [
  { at: new Date('2026-11-23T15:00:00.000Z'), actor: 'user:webchat', action: 'filed', before: null, after: JSON.stringify({ status: 'radicada', type: 'reclamo' }) },
  { at: new Date('2026-11-30T14:00:00.000Z'), actor: 'agent:7', action: 'status_changed', before: JSON.stringify({ status: 'radicada' }), after: JSON.stringify({ status: 'en_tramite' }) },
  { at: new Date('2026-12-02T16:30:00.000Z'), actor: 'agent:7', action: 'answered', before: JSON.stringify({ status: 'en_tramite' }), after: JSON.stringify({ status: 'respondida', outcome: 'favorable' }) },
  { at: new Date('2026-12-02T16:31:05.123Z'), actor: 'system:outbox', action: 'notified', before: null, after: JSON.stringify({ notifiedAt: '2026-12-02T16:31:05.123Z' }) },
];

function buildChain(drafts: Draft[]): ChainedEvent[] {
  const chain: ChainedEvent[] = [];
  for (const draft of drafts) {
    chain.push({ ...draft, ...chainNext(chain.at(-1) ?? null, draft) });
  }
  return chain;
}

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('writes dates as ISO instants and refuses what JSON cannot hold', () => {
    expect(canonicalJson({ at: new Date('2026-12-15T15:00:00Z') })).toBe('{"at":"2026-12-15T15:00:00.000Z"}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
  });
});

describe('eventHash', () => {
  const event = { seq: 1, ...DRAFTS[0] };

  it('is a sha256 hex digest, stable for the same content', () => {
    const hash = eventHash(GENESIS_HASH, event);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash(GENESIS_HASH, { ...event })).toBe(hash);
  });

  it('does not depend on field order, on Date vs ISO text, or on undefined vs null', () => {
    const reordered = { after: event.after, before: undefined, action: event.action, actor: event.actor, at: new Date(event.at).toISOString(), seq: 1 };
    expect(eventHash(GENESIS_HASH, reordered)).toBe(eventHash(GENESIS_HASH, event));
  });

  it('changes with the previous hash', () => {
    expect(eventHash('f'.repeat(64), event)).not.toBe(eventHash(GENESIS_HASH, event));
  });

  it('hashes a known value (the hash is part of stored data and must never drift)', () => {
    const expected = createHash('sha256')
      .update(
        `{"action":"filed","actor":"user:webchat","after":${JSON.stringify(event.after)},"at":"2026-11-23T15:00:00.000Z","before":null,"prevHash":"${GENESIS_HASH}","seq":1}`,
      )
      .digest('hex');
    expect(eventHash(GENESIS_HASH, event)).toBe(expected);
  });
});

describe('verifyChain', () => {
  const chain = buildChain(DRAFTS);

  it('accepts an intact chain and an empty one', () => {
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(chain[0].prevHash).toBe(GENESIS_HASH);
    expect(chain[2].prevHash).toBe(chain[1].hash);
    expect(verifyChain(chain)).toEqual({ ok: true });
    expect(verifyChain([])).toEqual({ ok: true });
  });

  it('accepts rows as read back from the database (ISO text, extra columns)', () => {
    const rows = chain.map((e, i) => ({ ...e, id: 100 + i, pqrId: 9, at: new Date(e.at).toISOString() }));
    expect(verifyChain(rows)).toEqual({ ok: true });
  });

  const tamperings: Array<[string, Partial<ChainedEvent>]> = [
    ['at', { at: new Date('2026-11-30T14:00:00.001Z') }],
    ['actor', { actor: 'agent:8' }],
    ['action', { action: 'answered' }],
    ['before', { before: JSON.stringify({ status: 'en_tramite' }) }],
    ['after', { after: JSON.stringify({ status: 'cerrada' }) }],
    ['before set to null', { before: null }],
    ['hash', { hash: 'a'.repeat(64) }],
  ];

  it.each(tamperings)('detects a change to %s of event 2', (_field, change) => {
    const tampered = chain.map((e) => (e.seq === 2 ? { ...e, ...change } : e));
    expect(verifyChain(tampered)).toEqual({ ok: false, brokenAt: 2, reason: 'hash_mismatch' });
  });

  it('detects an event rewritten with a recomputed hash, at the next event', () => {
    const forged = { ...chain[1], actor: 'agent:8' };
    forged.hash = eventHash(forged.prevHash, forged);
    const result = verifyChain([chain[0], forged, chain[2], chain[3]]);
    expect(result).toEqual({ ok: false, brokenAt: 3, reason: 'prev_hash_mismatch' });
  });

  it('detects reordering, deletion and renumbering', () => {
    expect(verifyChain([chain[0], chain[2], chain[1], chain[3]])).toEqual({ ok: false, brokenAt: 3, reason: 'seq_out_of_order' });
    expect(verifyChain([chain[0], chain[1], chain[3]])).toEqual({ ok: false, brokenAt: 4, reason: 'seq_out_of_order' });
    expect(verifyChain(chain.slice(1))).toEqual({ ok: false, brokenAt: 2, reason: 'seq_out_of_order' });
    const renumbered = chain.slice(1).map((e, i) => ({ ...e, seq: i + 1 }));
    expect(verifyChain(renumbered)).toEqual({ ok: false, brokenAt: 1, reason: 'prev_hash_mismatch' });
  });

  it('detects swapping two events’ contents while keeping seqs and links', () => {
    const swapped = [chain[0], { ...chain[1], action: chain[2].action, after: chain[2].after }, chain[2], chain[3]];
    expect(verifyChain(swapped)).toEqual({ ok: false, brokenAt: 2, reason: 'hash_mismatch' });
  });
});
