import type { Request, Response, Server } from 'restify';
import { bearer as bearerOf, clientIp, HttpError, jsonBody as jsonBodyOf, sendError } from '../http';
import type { Logger } from '../logger';
import type { KeyedDigest } from '../identity';
import { AttemptGuard, LOGIN_EMAIL_LIMIT, LOGIN_IP_LIMIT } from '../pqr/lookup-guard';
import { bogotaDay, InvalidTransitionError, PQR_STATUSES, PQR_TYPES, PqrActionError, type Clock, type HolidayChangeResult, type HolidayOverrides, type PqrLifecycle, type PqrStatus, type PqrType } from '../pqr';
import { isUniqueViolation, type Db } from '../storage';
import { safeEqual } from '../security';
import { checkPassword, isRole, normalizeEmail, type Principal, type Role, type SessionSigner } from './auth';
import type { CaseQueries, QueueFilters } from './cases';
import { expedienteJson, loadExpediente } from './expediente';
import { renderExpedientePdf } from './expediente-pdf';
import { checkPeriod, lastQuarter, recentWeeks, regulatoryCsv, type ReportFilters, type ReportPeriod, type ReportQueries } from './reports';
import { registerDataRequestRoutes } from './data-requests';
import type { DataRequests } from '../habeas';

export const API_PATH = '/api/backoffice';
export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 25;

export interface ApiContext {
  prisma: Db;
  lifecycle: PqrLifecycle;
  holidays: HolidayOverrides;
  cases: CaseQueries;
  reports: ReportQueries;
  clock: Clock;
  logger: Logger;
  signer: SessionSigner;
  sessionTtlSeconds: number;
  bootstrapToken?: string;
  operatorName: string;
  /** Behind a load balancer: the client's IP is the last X-Forwarded-For entry. */
  trustProxy?: boolean;
  /** Keys the sign-in counters (e-mails, IPs) with the server's secret. */
  lookupDigest: KeyedDigest;
  /** Data-protection requests (Ley 1581), listed and closed beside the PQRs. */
  dataRequests?: DataRequests;
}

export { HttpError };

const unauthorized = (code: string, message: string) => new HttpError(401, code, message);
const caseNotFound = () => new HttpError(404, 'not_found', 'No PQR with that CUN');

function bearer(req: Request): string {
  const credential = bearerOf(req);
  if (credential === undefined) throw unauthorized('unauthorized', 'Missing "Authorization: Bearer <token>"');
  return credential;
}

/** The JSON object a POST carries; malformed JSON was already refused (400) by the server's body parser. */
export function jsonBody(req: Request): Record<string, unknown> {
  const body = jsonBodyOf(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'bad_request', 'The body must be a JSON object');
  return body as Record<string, unknown>;
}

export function queryValue(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown> | undefined)?.[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new HttpError(400, 'bad_request', `"${name}" must be given once`);
  return value;
}

function integer(req: Request, name: string, fallback: number, min: number, max: number): number {
  const raw = queryValue(req, name);
  if (raw === undefined) return fallback;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new HttpError(400, 'bad_request', `"${name}" must be an integer from ${min} to ${max}`);
  return Number(raw);
}

export function parseQueueFilters(req: Request): QueueFilters {
  const status = queryValue(req, 'status')?.split(',').map((s) => s.trim());
  if (status?.some((s) => !(PQR_STATUSES as readonly string[]).includes(s))) throw new HttpError(400, 'bad_request', `"status" must be among ${PQR_STATUSES.join(', ')}`);
  const type = queryValue(req, 'type');
  if (type !== undefined && !(PQR_TYPES as readonly string[]).includes(type)) throw new HttpError(400, 'bad_request', `"type" must be one of ${PQR_TYPES.join(', ')}`);
  const overdue = queryValue(req, 'overdue');
  if (overdue !== undefined && overdue !== 'true' && overdue !== 'false') throw new HttpError(400, 'bad_request', '"overdue" must be true or false');
  const brand = queryValue(req, 'brand');
  const channel = queryValue(req, 'channel');
  if ((brand?.length ?? 0) > 40 || (channel?.length ?? 0) > 40) throw new HttpError(400, 'bad_request', '"brand" and "channel" are at most 40 characters');
  return {
    status: status as PqrStatus[] | undefined,
    type: type as PqrType | undefined,
    brand,
    channel,
    overdue: overdue === undefined ? undefined : overdue === 'true',
    page: integer(req, 'page', 1, 1, 100_000),
    pageSize: integer(req, 'pageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
  };
}

/** Who is calling, and for an agent's session its id and expiry (signing out revokes it). */
type Caller = Principal & { session?: { id: string; expiresAt: number } };
type Handler = (req: Request, res: Response, who: Caller | null) => Promise<{ status: number; body: unknown } | void>;

/** What other back-office route files build on: the same authentication, roles and error answers. */
export interface RouteKit {
  route(name: string, roles: readonly Role[] | null, handler: Handler): (req: Request, res: Response) => Promise<void>;
}

/** The period and filters of a report; refused (400) with the reason when malformed. */
export function parseReportQuery(req: Request, fallback: ReportPeriod, now: Date): { period: ReportPeriod; filters: ReportFilters } {
  const checked = checkPeriod(queryValue(req, 'from'), queryValue(req, 'to'), fallback, now);
  if (!checked.ok) throw new HttpError(400, 'bad_period', checked.reason);
  const type = queryValue(req, 'type');
  if (type !== undefined && !(PQR_TYPES as readonly string[]).includes(type)) throw new HttpError(400, 'bad_request', `"type" must be one of ${PQR_TYPES.join(', ')}`);
  const brand = queryValue(req, 'brand');
  const channel = queryValue(req, 'channel');
  for (const [name, value] of [['brand', brand], ['channel', channel]] as const) {
    if (value !== undefined && !/^[\w:-]{1,40}$/.test(value)) throw new HttpError(400, 'bad_request', `"${name}" is a code of at most 40 letters, digits, "_", ":" or "-"`);
  }
  return { period: checked.period, filters: { type: type as PqrType | undefined, brand, channel } };
}

export function registerApiRoutes(server: Server, ctx: ApiContext): RouteKit {
  // Password guessing: failed sign-ins are counted per e-mail and per client IP, across instances.
  const loginGuards = {
    email: new AttemptGuard(ctx.prisma, ctx.clock, 'login-email', LOGIN_EMAIL_LIMIT, ctx.lookupDigest),
    ip: new AttemptGuard(ctx.prisma, ctx.clock, 'login-ip', LOGIN_IP_LIMIT, ctx.lookupDigest),
  };

  /** 429 with Retry-After while a guard blocks: checked before the credential, so a right guess no longer helps. */
  const refuseWhileBlocked = async (blocked: Date | null, res: Response, message: string): Promise<void> => {
    if (!blocked) return;
    res.header('Retry-After', String(Math.max(1, Math.ceil((blocked.getTime() - ctx.clock.now().getTime()) / 1000))));
    throw new HttpError(429, 'too_many_attempts', message);
  };

  // Guessing bearers (BACKOFFICE_TOKEN or a session): failures counted per client IP, with the sign-in's limit.
  const bearerGuard = new AttemptGuard(ctx.prisma, ctx.clock, 'bearer-ip', LOGIN_IP_LIMIT, ctx.lookupDigest);
  /**
   * Addresses this instance found blocked, until when: a right bearer from one is refused too,
   * without a database read on every request (the guard is read only when a bearer is wrong).
   */
  const blockedAddresses = new Map<string, number>();
  const knownBlock = (ipKey: string): Date | null => {
    const until = blockedAddresses.get(ipKey);
    if (until === undefined) return null;
    if (until > ctx.clock.now().getTime()) return new Date(until);
    blockedAddresses.delete(ipKey);
    return null;
  };
  /** A wrong bearer: refused with 429 once the address is blocked, counted otherwise. */
  const wrongBearer = async (ipKey: string, res: Response): Promise<void> => {
    const blocked = await bearerGuard.blockedUntil([ipKey]);
    if (blocked) {
      const now = ctx.clock.now().getTime();
      for (const [key, until] of blockedAddresses) if (until <= now) blockedAddresses.delete(key);
      blockedAddresses.set(ipKey, blocked.getTime());
    } else await bearerGuard.fail([ipKey]);
    await refuseWhileBlocked(blocked, res, 'Too many wrong tokens from this address; try again later');
  };

  /** Who is calling: the bootstrap token (supervisor rights) or an active agent's unexpired, not signed-out session. */
  const authenticate = async (req: Request, res: Response): Promise<Caller> => {
    const credential = bearer(req);
    const ipKey = bearerGuard.key('ip', clientIp(req, ctx.trustProxy ?? false));
    await refuseWhileBlocked(knownBlock(ipKey), res, 'Too many wrong tokens from this address; try again later');
    if (ctx.bootstrapToken && safeEqual(credential, ctx.bootstrapToken)) {
      return { kind: 'bootstrap', agentId: null, name: 'BACKOFFICE_TOKEN', role: 'supervisor', actor: 'agent:bootstrap' };
    }
    const check = ctx.signer.verify(credential, ctx.clock.now());
    if (!check.ok) {
      if (check.reason === 'expired') throw unauthorized('session_expired', 'The session has expired; sign in again');
      await wrongBearer(ipKey, res);
      throw unauthorized('invalid_token', 'The token is not valid');
    }
    if (await ctx.prisma.revokedSession.findUnique({ where: { jti: check.sessionId }, select: { jti: true } })) {
      throw unauthorized('session_revoked', 'The session was closed (signed out); sign in again');
    }
    const agent = await ctx.prisma.agent.findUnique({ where: { id: check.agentId } });
    if (!agent || !agent.active || !isRole(agent.role)) throw unauthorized('invalid_token', 'The session is no longer valid');
    return { kind: 'agent', agentId: agent.id, name: agent.name, role: agent.role, actor: `agent:${agent.id}`, session: { id: check.sessionId, expiresAt: check.expiresAt } };
  };

  const route =
    (name: string, roles: readonly Role[] | null, handler: Handler) =>
    async (req: Request, res: Response): Promise<void> => {
      res.header('Cache-Control', 'no-store');
      res.header('X-Content-Type-Options', 'nosniff');
      try {
        const who = roles ? await authenticate(req, res) : null;
        if (who && roles && !roles.includes(who.role)) throw new HttpError(403, 'forbidden', `This action needs the role ${roles.join(' or ')}`);
        const result = await handler(req, res, who);
        if (result) res.json(result.status, result.body);
      } catch (error) {
        const known =
          error instanceof HttpError || error instanceof PqrActionError
            ? { status: error.status, code: error.code, message: error.message }
            : error instanceof InvalidTransitionError
              ? { status: 409, code: error.code, message: `The PQR is ${error.from}: that action does not apply` }
              : null;
        if (!known) {
          ctx.logger.error({ err: error, route: name }, 'back office request failed');
          sendError(res, 500, 'internal', 'The request could not be processed');
          return;
        }
        ctx.logger.warn({ route: name, status: known.status, code: known.code }, 'back office request rejected');
        sendError(res, known.status, known.code, known.message, known.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="backoffice"' } : {});
      }
    };

  const anyone = ['agent', 'supervisor'] as const;
  const supervisors = ['supervisor'] as const;
  const cun = (req: Request) => String(req.params.cun ?? '');

  server.post(
    `${API_PATH}/login`,
    route('login', null, async (req, res) => {
      const body = jsonBody(req);
      if (typeof body.email !== 'string' || typeof body.password !== 'string' || !body.email || !body.password) {
        throw new HttpError(400, 'bad_request', '"email" and "password" are required');
      }
      if (body.email.length > 254 || body.password.length > 200) throw new HttpError(400, 'bad_request', '"email" or "password" is too long');
      const emailKey = loginGuards.email.key('email', normalizeEmail(body.email));
      const ipKey = loginGuards.ip.key('ip', clientIp(req, ctx.trustProxy ?? false));
      const blockedUntil = (await loginGuards.email.blockedUntil([emailKey])) ?? (await loginGuards.ip.blockedUntil([ipKey]));
      await refuseWhileBlocked(blockedUntil, res, 'Too many failed sign-ins for this e-mail or from this address; try again later');
      const agent = await checkPassword(ctx.prisma, body.email, body.password);
      if (!agent) {
        await loginGuards.email.fail([emailKey]);
        await loginGuards.ip.fail([ipKey]);
        throw unauthorized('invalid_credentials', 'Wrong e-mail or password');
      }
      const { token, expiresAt } = ctx.signer.sign(agent.id, ctx.sessionTtlSeconds, ctx.clock.now());
      ctx.logger.info({ agentId: agent.id }, 'back office sign-in');
      return { status: 200, body: { token, expiresAt: new Date(expiresAt * 1000), agent: { id: agent.id, name: agent.name, email: agent.email, role: agent.role } } };
    }),
  );

  server.post(
    `${API_PATH}/logout`,
    route('logout', anyone, async (_req, _res, who) => {
      if (!who?.session) throw new HttpError(400, 'bad_request', 'BACKOFFICE_TOKEN cannot be signed out; change it in the environment to revoke it');
      const expiresAt = new Date(who.session.expiresAt * 1000);
      try {
        await ctx.prisma.revokedSession.create({ data: { jti: who.session.id, expiresAt } });
      } catch (error) {
        // Two sign-outs of one session at once: the other one revoked it.
        if (!isUniqueViolation(error)) throw error;
      }
      // Rows of sessions that have expired anyway say nothing any more.
      await ctx.prisma.revokedSession.deleteMany({ where: { expiresAt: { lt: ctx.clock.now() } } });
      ctx.logger.info({ agentId: who.agentId }, 'back office sign-out');
      return { status: 200, body: { signedOut: true } };
    }),
  );

  server.get(
    `${API_PATH}/me`,
    route('me', anyone, async (_req, _res, who) => ({ status: 200, body: { name: who?.name, role: who?.role, kind: who?.kind } })),
  );

  server.get(
    `${API_PATH}/options`,
    route('options', anyone, async () => {
      const brands = await ctx.prisma.brand.findMany({ select: { id: true, name: true }, orderBy: { name: 'asc' } });
      return { status: 200, body: { brands, statuses: PQR_STATUSES, types: PQR_TYPES } };
    }),
  );

  server.get(
    `${API_PATH}/pqrs`,
    route('pqrs/list', anyone, async (req) => ({ status: 200, body: await ctx.cases.queue(parseQueueFilters(req), ctx.clock.now()) })),
  );

  server.get(
    `${API_PATH}/pqrs/:cun`,
    route('pqrs/get', anyone, async (req) => {
      const found = await ctx.cases.case(cun(req), ctx.clock.now());
      if (!found) throw caseNotFound();
      return { status: 200, body: found };
    }),
  );

  server.get(
    `${API_PATH}/pqrs/:cun/attachments/:id`,
    route('pqrs/attachment', anyone, async (req, res) => {
      const file = await ctx.cases.attachment(cun(req), Number(req.params.id));
      if (!file) throw new HttpError(404, 'not_found', 'No such attachment in this PQR');
      const name = (file.fileName ?? `prueba-${file.sha256.slice(0, 12)}`).replace(/[^\w.-]/g, '_');
      res.sendRaw(200, Buffer.from(file.data), {
        'Content-Type': /^[\w.+-]+\/[\w.+-]+$/.test(file.mimeType) ? file.mimeType : 'application/octet-stream',
        'Content-Disposition': `attachment; filename="${name}"`,
        'Content-Security-Policy': "default-src 'none'; sandbox",
      });
    }),
  );

  /** An action on a case; answers with the case as it is afterwards. */
  const act = (name: string, roles: readonly Role[], run: (req: Request, who: Principal) => Promise<{ cun: string; status: string }>) =>
    route(name, roles, async (req, _res, who) => {
      const pqr = await run(req, who as Principal);
      ctx.logger.info({ cun: pqr.cun, status: pqr.status, actor: (who as Principal).actor }, `back office ${name}`);
      const found = await ctx.cases.case(pqr.cun, ctx.clock.now());
      return { status: 200, body: found };
    });

  server.post(
    `${API_PATH}/pqrs/:cun/answer`,
    act('pqrs/answer', anyone, (req, who) => {
      const body = jsonBody(req);
      return ctx.lifecycle.answer(cun(req), { text: body.text as string, outcome: String(body.outcome ?? '') }, who.actor);
    }),
  );

  server.post(
    `${API_PATH}/pqrs/:cun/recurso/decision`,
    act('pqrs/decision', supervisors, (req, who) => {
      const body = jsonBody(req);
      return ctx.lifecycle.decideRecurso(cun(req), { text: body.text as string, outcome: String(body.outcome ?? '') }, who.actor);
    }),
  );

  server.post(
    `${API_PATH}/pqrs/:cun/traslado`,
    act('pqrs/traslado', supervisors, (req, who) => ctx.lifecycle.transferToSic(cun(req), who.actor)),
  );

  server.get(
    `${API_PATH}/reports/summary`,
    route('reports/summary', supervisors, async (req) => {
      const now = ctx.clock.now();
      const { period, filters } = parseReportQuery(req, recentWeeks(now), now);
      return { status: 200, body: await ctx.reports.summary(period, filters, now) };
    }),
  );

  server.get(
    `${API_PATH}/reports/regulatory.csv`,
    route('reports/regulatory', supervisors, async (req, res) => {
      const now = ctx.clock.now();
      const { period, filters } = parseReportQuery(req, lastQuarter(now), now);
      const csv = regulatoryCsv(await ctx.reports.regulatory(period, filters, now));
      res.sendRaw(200, Buffer.from(csv, 'utf8'), {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="pqr-regulatorio-${period.from}-${period.to}.csv"`,
      });
    }),
  );

  server.get(
    `${API_PATH}/pqrs/:cun/expediente`,
    route('pqrs/expediente', anyone, async (req) => {
      const expediente = await loadExpediente(ctx.prisma, cun(req));
      if (!expediente) throw caseNotFound();
      return { status: 200, body: expedienteJson(expediente, ctx.clock.now()) };
    }),
  );

  server.get(
    `${API_PATH}/pqrs/:cun/expediente.pdf`,
    route('pqrs/expediente.pdf', anyone, async (req, res) => {
      const expediente = await loadExpediente(ctx.prisma, cun(req));
      if (!expediente) throw caseNotFound();
      const pdf = await renderExpedientePdf(expediente, ctx.operatorName, ctx.clock.now());
      res.sendRaw(200, pdf, {
        'Content-Type': 'application/pdf',
        'Content-Length': String(pdf.length),
        'Content-Disposition': `attachment; filename="expediente-${expediente.pqr.cun}.pdf"`,
      });
    }),
  );

  /** What a holiday change did, said plainly: stored due dates are not recomputed. */
  const holidayChanged = (result: HolidayChangeResult) => ({
    status: 200,
    body: {
      ...result,
      recomputed: false,
      note: `Los términos ya calculados no cambian: los casos abiertos cuyo término incluye ese día (${result.termsUnchanged}) conservan su fecha límite. El cambio aplica a los términos que se calculen desde ahora.`,
    },
  });

  server.get(
    `${API_PATH}/holidays`,
    route('holidays/list', anyone, async (req) => {
      const year = integer(req, 'year', Number(bogotaDay(ctx.clock.now()).slice(0, 4)), 1990, 2100);
      return { status: 200, body: await ctx.holidays.list(year) };
    }),
  );

  server.post(
    `${API_PATH}/holidays`,
    route('holidays/set', supervisors, async (req, _res, who) => {
      const body = jsonBody(req);
      const result = await ctx.holidays.set({ date: body.date, isHoliday: body.isHoliday, reason: body.reason }, (who as Principal).actor);
      ctx.logger.info({ date: result.override?.date, isHoliday: result.override?.isHoliday, actor: (who as Principal).actor }, 'holiday override set');
      return holidayChanged(result);
    }),
  );

  server.del(
    `${API_PATH}/holidays/:date`,
    route('holidays/remove', supervisors, async (req, _res, who) => {
      const result = await ctx.holidays.remove(String(req.params.date ?? ''), (who as Principal).actor);
      ctx.logger.info({ date: String(req.params.date), actor: (who as Principal).actor }, 'holiday override removed');
      return holidayChanged(result);
    }),
  );

  if (ctx.dataRequests) registerDataRequestRoutes(server, API_PATH, { route, requests: ctx.dataRequests, clock: ctx.clock, body: jsonBody, fail: (status, code, message) => new HttpError(status, code, message) });
  return { route };
}
