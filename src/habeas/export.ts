import type { Request, Response, Server } from 'restify';
import type { Identities, KeyedDigest } from '../identity';
import type { Logger } from '../logger';
import type { Clock } from '../pqr';
import { safeEqual } from '../security';
import type { DataRequests } from './requests';

export const DATA_EXPORT_PATH = '/api/data-requests';
/** Long enough to tap the link after reading the answer; short enough that a forwarded chat soon leaks nothing. */
export const EXPORT_LINK_TTL_MS = 15 * 60_000;
const NUMBER = /^HD-\d{4}-\d{6}$/;

/**
 * The JSON download of a consulta as a short-lived signed link served by the app, not a file in the
 * chat: a file would stay in the chat's transcript (and on a phone) for good, while the link carries
 * no data, dies in 15 minutes and works on every channel that shows a link.
 */
export class ExportLinks {
  constructor(
    private readonly digest: KeyedDigest,
    private readonly clock: Clock,
  ) {}

  /** The link's path and query: `/api/data-requests/HD-…/export?expires=…&sig=…`. */
  pathFor(number: string): string {
    const expires = this.clock.now().getTime() + EXPORT_LINK_TTL_MS;
    return `${DATA_EXPORT_PATH}/${number}/export?expires=${expires}&sig=${this.signature(number, expires)}`;
  }

  valid(number: string, expiresRaw: unknown, sig: unknown): boolean {
    if (typeof expiresRaw !== 'string' || typeof sig !== 'string' || !/^\d{13}$/.test(expiresRaw)) return false;
    const expires = Number(expiresRaw);
    if (expires < this.clock.now().getTime()) return false;
    return safeEqual(sig, this.signature(number, expires));
  }

  private signature(number: string, expires: number): string {
    return this.digest.of('data-export', number, String(expires));
  }
}

export interface ExportRouteDeps {
  links: ExportLinks;
  requests: DataRequests;
  identities: Identities;
  logger: Logger;
}

/** GET /api/data-requests/:number/export: the data held about the person who asked, for a valid link only. */
export function registerDataExport(server: Server, deps: ExportRouteDeps): void {
  server.get(`${DATA_EXPORT_PATH}/:number/export`, async (req: Request, res: Response) => {
    res.header('Cache-Control', 'no-store');
    res.header('X-Content-Type-Options', 'nosniff');
    const number = String(req.params.number ?? '');
    const query = (req.query ?? {}) as Record<string, unknown>;
    try {
      if (!NUMBER.test(number) || !deps.links.valid(number, query.expires, query.sig)) {
        res.json(403, { error: { code: 'invalid_link', message: 'The link is not valid or has expired; ask the bot again for your data' } });
        return;
      }
      const owner = await deps.requests.ownerOf(number);
      const identity = owner ? await deps.identities.byId(owner.identityId) : null;
      if (!identity) {
        res.json(404, { error: { code: 'not_found', message: 'No data-protection request with that number' } });
        return;
      }
      const data = await deps.requests.dataHeld(await deps.identities.requester({ channel: identity.channel, userId: identity.userId }));
      res.header('Content-Disposition', `attachment; filename="${number}.json"`);
      res.json(200, { request: number, ...data });
    } catch (error) {
      deps.logger.error({ err: error instanceof Error ? error.name : 'unknown' }, 'data export failed');
      res.json(500, { error: { code: 'internal', message: 'The data could not be exported' } });
    }
  });
}
