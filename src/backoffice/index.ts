import type { Server } from 'restify';
import type { KeyedDigest } from '../identity';
import type { Logger } from '../logger';
import type { BusinessCalendar, Clock, HolidayOverrides, PqrLifecycle, Terms } from '../pqr';
import type { Db, Provider } from '../storage';
import type { DataRequests } from '../habeas';
import { SessionSigner } from './auth';
import type { HandoffParts } from '../handoff';
import { CaseQueries } from './cases';
import { registerHandoffRoutes } from './handoffs';
import { registerPageRoutes, PAGE_PATH } from './page';
import { ratingsCsat, ReportQueries } from './reports';
import { API_PATH, registerApiRoutes } from './routes';

export { saveAgent, AgentInputError, ROLES, MIN_PASSWORD_LENGTH, SessionSigner, type Role, type Principal } from './auth';
export { loadExpediente, expedienteJson, type Expediente } from './expediente';
export { renderExpedientePdf } from './expediente-pdf';
export { LABELS } from './labels';
export { API_PATH, MAX_PAGE_SIZE } from './routes';
export { PAGE_PATH } from './page';

export interface BackofficeDeps {
  prisma: Db;
  /** The reports' SQL differs between SQLite and PostgreSQL in how it reads dates. */
  provider: Provider;
  lifecycle: PqrLifecycle;
  calendar: BusinessCalendar;
  holidays: HolidayOverrides;
  clock: Clock;
  terms: Terms;
  logger: Logger;
  operatorName: string;
  /** BACKOFFICE_TOKEN: a bootstrap bearer with supervisor rights, for the first set-up and scripts. */
  bootstrapToken?: string;
  /** Signs agents' sessions (≥ 16 characters). */
  sessionSecret: string;
  sessionTtlSeconds: number;
  /** Behind a load balancer: client IPs (for the sign-in limit) come from X-Forwarded-For. */
  trustProxy?: boolean;
  /** The live inbox and CSAT results. */
  handoffs: HandoffParts;
  /** Keys the sign-in counters with the server's secret (see src/identity/secret.ts). */
  lookupDigest: KeyedDigest;
  dataRequests?: DataRequests;
}

/**
 * The agents' back office: the page at /backoffice and the REST API under /api/backoffice.
 * Returns what ends the inbox's open event streams, for shutdown.
 */
export function registerBackoffice(server: Server, deps: BackofficeDeps): { closeStreams: () => void } {
  const kit = registerApiRoutes(server, {
    prisma: deps.prisma,
    lifecycle: deps.lifecycle,
    holidays: deps.holidays,
    cases: new CaseQueries(deps.prisma, deps.calendar, deps.lifecycle, deps.terms),
    reports: new ReportQueries(deps.prisma, deps.provider, deps.calendar, ratingsCsat(deps.handoffs.ratings, deps.prisma)),
    clock: deps.clock,
    logger: deps.logger,
    signer: new SessionSigner(deps.sessionSecret),
    sessionTtlSeconds: deps.sessionTtlSeconds,
    bootstrapToken: deps.bootstrapToken,
    operatorName: deps.operatorName,
    trustProxy: deps.trustProxy,
    lookupDigest: deps.lookupDigest,
    dataRequests: deps.dataRequests,
  });
  const closeStreams = registerHandoffRoutes(server, { kit, handoffs: deps.handoffs, clock: deps.clock, logger: deps.logger, keepAliveMs: Math.min(15_000, deps.handoffs.service.holdTimeoutMs / 3) });
  registerPageRoutes(server);
  deps.logger.info(
    { bootstrapToken: deps.bootstrapToken ? 'set' : 'not set' },
    `back office on: page at ${PAGE_PATH}, API at ${API_PATH}${deps.bootstrapToken ? ' (BACKOFFICE_TOKEN accepted as a supervisor bearer)' : ' (BACKOFFICE_TOKEN not set: sign in with an agent from npm run agent:create)'}`,
  );
  return { closeStreams };
}
