import {
  InvalidTransitionError,
  OPEN_STATUSES,
  PQR_STATUSES,
  assertTransition,
  canTransition,
  isPqrStatus,
  nextStatuses,
} from '../../src/pqr/states';

const ALLOWED: Array<[string, string]> = [
  ['radicada', 'en_tramite'],
  ['radicada', 'respondida'],
  ['en_tramite', 'respondida'],
  ['respondida', 'recurso_interpuesto'],
  ['respondida', 'cerrada'],
  ['recurso_interpuesto', 'reposicion_decidida'],
  ['reposicion_decidida', 'trasladada_sic'],
  ['reposicion_decidida', 'cerrada'],
  ['trasladada_sic', 'cerrada'],
];

describe('PQR state machine', () => {
  it('has the statuses of the design, in lifecycle order', () => {
    expect(PQR_STATUSES).toEqual([
      'radicada',
      'en_tramite',
      'respondida',
      'recurso_interpuesto',
      'reposicion_decidida',
      'trasladada_sic',
      'cerrada',
    ]);
  });

  it('treats every status but cerrada as open', () => {
    expect(OPEN_STATUSES).toEqual(PQR_STATUSES.filter((s) => s !== 'cerrada'));
  });

  it('allows exactly the listed transitions', () => {
    const allowed = new Set(ALLOWED.map(([from, to]) => `${from}>${to}`));
    for (const from of PQR_STATUSES) {
      for (const to of PQR_STATUSES) {
        expect([from, to, canTransition(from, to)]).toEqual([from, to, allowed.has(`${from}>${to}`)]);
      }
    }
  });

  it.each(ALLOWED)('assertTransition(%s, %s) passes', (from, to) => {
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each([
    ['respondida', 'respondida', 'answering twice'],
    ['radicada', 'reposicion_decidida', 'deciding a recurso never filed'],
    ['cerrada', 'recurso_interpuesto', 'reopening a closed case'],
    ['trasladada_sic', 'respondida', 'going back'],
  ])('assertTransition(%s, %s) throws (%s)', (from, to) => {
    let caught: unknown;
    try {
      assertTransition(from, to);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidTransitionError);
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toMatchObject({ code: 'invalid_transition', from, to, name: 'InvalidTransitionError' });
  });

  it('rejects unknown statuses instead of guessing', () => {
    expect(isPqrStatus('vencida')).toBe(false);
    expect(isPqrStatus('radicada')).toBe(true);
    expect(canTransition('radicada', 'vencida')).toBe(false);
    expect(canTransition('abierta', 'respondida')).toBe(false);
    expect(nextStatuses('abierta')).toEqual([]);
    expect(nextStatuses('cerrada')).toEqual([]);
    expect(() => assertTransition('radicada', 'archivada')).toThrow(InvalidTransitionError);
  });

  it('reaches cerrada from every open status', () => {
    const reachesEnd = (status: string, seen = new Set<string>()): boolean =>
      status === 'cerrada' || nextStatuses(status).some((next) => !seen.has(next) && reachesEnd(next, new Set([...seen, status])));
    for (const status of OPEN_STATUSES) expect([status, reachesEnd(status)]).toEqual([status, true]);
  });
});
