import type { Request, Response, Server } from 'restify';
import type { DataRequests } from '../habeas';
import type { Clock } from '../pqr';
import type { Principal, Role } from './auth';

type Handler = (req: Request, res: Response, who: Principal | null) => Promise<{ status: number; body: unknown } | void>;
type Route = (name: string, roles: readonly Role[] | null, handler: Handler) => (req: Request, res: Response) => Promise<void>;
type Fail = (status: number, code: string, message: string) => Error;

const MAX_TEXT = 4000;

/**
 * Data-protection requests (Ley 1581 arts. 14 and 15) in the back office: a list beside the PQR
 * queue with the same traffic light, one request with its events, its one extension and its
 * closing answer. Same authentication and error shape as every /api/backoffice route.
 */
export function registerDataRequestRoutes(server: Server, apiPath: string, deps: { route: Route; requests: DataRequests; clock: Clock; body: (req: Request) => Record<string, unknown>; fail: Fail }): void {
  const { route, requests, fail } = deps;
  const anyone = ['agent', 'supervisor'] as const;
  const text = (req: Request, name: string): string => {
    const value = deps.body(req)[name];
    if (typeof value !== 'string' || !value.trim()) throw fail(400, 'bad_request', `"${name}" is required: it is sent to the person`);
    if (value.length > MAX_TEXT) throw fail(400, 'bad_request', `"${name}" is at most ${MAX_TEXT} characters`);
    return value.trim();
  };
  const number = (req: Request) => String(req.params.number ?? '');

  server.get(`${apiPath}/data-requests`, route('data-requests/list', anyone, async () => ({ status: 200, body: { items: await requests.queue(deps.clock.now()) } })));
  server.get(`${apiPath}/data-requests/:number`, route('data-requests/get', anyone, async (req) => ({ status: 200, body: await requests.detail(number(req)) })));
  server.post(
    `${apiPath}/data-requests/:number/extend`,
    route('data-requests/extend', anyone, async (req, _res, who) => ({ status: 200, body: await requests.extend(number(req), text(req, 'reason'), who!.actor) })),
  );
  server.post(
    `${apiPath}/data-requests/:number/close`,
    route('data-requests/close', anyone, async (req, _res, who) => ({ status: 200, body: await requests.close(number(req), text(req, 'text'), who!.actor) })),
  );
}
