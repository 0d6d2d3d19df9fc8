import type { Server } from 'restify';
import type { KeyedDigest } from '../identity';
import type { Logger } from '../logger';
import type { BusinessCalendar, Clock, HolidayOverrides, PqrLifecycle, Terms } from '../pqr';
import type { Db } from '../storage';
import type { DataRequests } from '../habeas';
import { SessionSigner } from './auth';
import { CaseQueries } from './cases';
import { registerPageRoutes, PAGE_PATH } from './page';
import { API_PATH, registerApiRoutes } from './routes';

export { saveAgent, AgentInputError, ROLES, MIN_PASSWORD_LENGTH, SessionSigner, type Role, type Principal } from './auth';
export { loadExpediente, expedienteJson, type Expediente } from './expediente';
export { renderExpedientePdf } from './expediente-pdf';
export { LABELS } from './labels';
export { API_PATH, MAX_PAGE_SIZE } from './routes';
export { PAGE_PATH } from './page';

export interface BackofficeDeps {
  prisma: Db;
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
  /** Keys the sign-in counters with the server's secret (see src/identity/secret.ts). */
  lookupDigest: KeyedDigest;
  dataRequests?: DataRequests;
}

/** The agents' back office: the page at /backoffice and the REST API under /api/backoffice. */
export function registerBackoffice(server: Server, deps: BackofficeDeps): void {
  registerApiRoutes(server, {
    prisma: deps.prisma,
    lifecycle: deps.lifecycle,
    holidays: deps.holidays,
    cases: new CaseQueries(deps.prisma, deps.calendar, deps.lifecycle, deps.terms),
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
  registerPageRoutes(server);
  deps.logger.info(
    { bootstrapToken: deps.bootstrapToken ? 'set' : 'not set' },
    `back office on: page at ${PAGE_PATH}, API at ${API_PATH}${deps.bootstrapToken ? ' (BACKOFFICE_TOKEN accepted as a supervisor bearer)' : ' (BACKOFFICE_TOKEN not set: sign in with an agent from npm run agent:create)'}`,
  );
}
