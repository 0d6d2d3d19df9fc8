export { BusinessCalendar, bogotaDay, type HolidayOverride } from './calendar';
export { systemClock, FixedClock, type Clock } from './clock';
export { formatCun, normalizeCun, parseCun, findCun } from './cun';
export { formatDate, formatDateTime } from './dates-es';
export { verifyChain, GENESIS_HASH } from './expediente';
export { PQR_STATUSES, OPEN_STATUSES, canTransition, assertTransition, InvalidTransitionError, type PqrStatus } from './states';
export { answerTerm, type AnswerTerm, isOverdue, trafficLight, avisoTerm, noProofDeadline, DEFAULT_TERMS, type Terms } from './terms';
export { PqrService, appendEvent, owns, ownedBy, PQR_TYPES, UnknownBrandError, type Customer, type FileRequest, type FoundPqr, type PqrLookup, type PqrSummary, type PqrType } from './service';
export {
  PqrLifecycle,
  PqrActionError,
  queueNotification,
  actOfNotificationKey,
  ANSWER_OUTCOMES,
  DECISION_OUTCOMES,
  RECURSO_KINDS,
  type AnswerOutcome,
  type DecisionOutcome,
  type RecursoKind,
  type Notification,
  type NotifiedAct,
  type NotificationProof,
  type Actor,
} from './lifecycle';
export { recursoDeadline, reposicionDueDate, sicTransferDueDate, silenceEffectDeadline } from './terms';
export { NotificationFallback, type PublishedAviso } from './avisos';
export { HolidayOverrides, type HolidayChangeResult, type HolidayListing } from './holidays';
