/** Status codes of a PQR; the texts users read live in locales/ under these codes. */
export const PQR_STATUSES = [
  'radicada',
  'en_tramite',
  'respondida',
  'recurso_interpuesto',
  'reposicion_decidida',
  'trasladada_sic',
  'cerrada',
] as const;

export type PqrStatus = (typeof PQR_STATUSES)[number];

/** Every status but the final one: the case can still change and the user may ask about it. */
export const OPEN_STATUSES: readonly PqrStatus[] = PQR_STATUSES.filter((s) => s !== 'cerrada');

const TRANSITIONS: Readonly<Record<PqrStatus, readonly PqrStatus[]>> = {
  radicada: ['en_tramite', 'respondida'],
  en_tramite: ['respondida'],
  respondida: ['recurso_interpuesto', 'cerrada'],
  recurso_interpuesto: ['reposicion_decidida'],
  reposicion_decidida: ['trasladada_sic', 'cerrada'],
  trasladada_sic: ['cerrada'],
  cerrada: [],
};

export function isPqrStatus(value: string): value is PqrStatus {
  return (PQR_STATUSES as readonly string[]).includes(value);
}

/** Statuses reachable in one step from `from` (empty for an unknown status). */
export function nextStatuses(from: string): readonly PqrStatus[] {
  return isPqrStatus(from) ? TRANSITIONS[from] : [];
}

export function canTransition(from: string, to: string): boolean {
  return isPqrStatus(to) && nextStatuses(from).includes(to);
}

/** Thrown when an action does not apply to a PQR in its current status (answering twice, …). */
export class InvalidTransitionError extends Error {
  readonly code = 'invalid_transition';

  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`Invalid PQR status transition: ${from} → ${to}`);
    this.name = 'InvalidTransitionError';
  }
}

export function assertTransition(from: string, to: string): asserts to is PqrStatus {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}
