import type { Request, Response, Server } from 'restify';
import type { Locale, Translate } from '../i18n';
import type { Logger } from '../logger';
import { formatDate, formatDateTime, type Clock, type PublishedAviso } from '../pqr';

export const AVISOS_PATH = '/avisos';

export interface AvisosDeps {
  fallback: { published(now: Date): Promise<PublishedAviso[]> };
  clock: Clock;
  t: Translate;
  locale: Locale;
  logger: Logger;
}

const HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // The list changes as avisos go up and come down; a cached copy would show a stale one.
  'Cache-Control': 'no-cache',
};

const ITEM_KEY: Readonly<Record<PublishedAviso['act'], string>> = { respuesta: 'avisos.item.respuesta', decision: 'avisos.item.decision' };

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/**
 * The public notice board of CPACA art. 69: `GET /avisos` (HTML, no script) and
 * `GET /avisos.json`. Each aviso names the case by its CUN and dates only, nothing personal.
 */
export function registerAvisos(server: Server, deps: AvisosDeps): void {
  const load = async (res: Response): Promise<PublishedAviso[] | null> => {
    try {
      return await deps.fallback.published(deps.clock.now());
    } catch (error) {
      deps.logger.error({ err: error }, 'avisos could not be read');
      res.json(503, { error: { code: 'unavailable', message: 'The notices cannot be read right now' } });
      return null;
    }
  };

  server.get(AVISOS_PATH, async (_req: Request, res: Response) => {
    const avisos = await load(res);
    if (avisos) res.sendRaw(200, Buffer.from(renderPage(avisos, deps.t, deps.locale)), { 'Content-Type': 'text/html; charset=utf-8', ...HEADERS });
  });

  server.get(`${AVISOS_PATH}.json`, async (_req: Request, res: Response) => {
    const avisos = await load(res);
    if (avisos) {
      res.header('Cache-Control', 'no-cache');
      res.json(200, {
        avisos: avisos.map((a) => ({ cun: a.cun, act: a.act, actAt: a.actAt, postedAt: a.postedAt, until: a.until, notifiesAt: a.notifiesAt, text: deps.t(ITEM_KEY[a.act], { cun: a.cun, actAt: formatDate(a.actAt, deps.locale) }) })),
      });
    }
  });
}

function renderPage(avisos: PublishedAviso[], t: Translate, locale: Locale): string {
  const date = (d: Date) => escape(formatDate(d, locale));
  const rows = avisos
    .map(
      (a) => `<tr>
<th scope="row">${escape(a.cun)}</th>
<td>${escape(t(ITEM_KEY[a.act], { cun: a.cun, actAt: formatDate(a.actAt, locale) }))}</td>
<td>${date(a.actAt)}</td>
<td>${escape(formatDateTime(a.postedAt, locale))}</td>
<td>${date(a.until)}</td>
<td>${date(a.notifiesAt)}</td>
</tr>`,
    )
    .join('\n');
  const table = avisos.length
    ? `<table>
<caption>${escape(t('avisos.title'))}</caption>
<thead><tr><th scope="col">${escape(t('avisos.cun'))}</th><th scope="col">${escape(t('avisos.decision'))}</th><th scope="col">${escape(t('avisos.date'))}</th><th scope="col">${escape(t('avisos.posted'))}</th><th scope="col">${escape(t('avisos.until'))}</th><th scope="col">${escape(t('avisos.notifies'))}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
    : `<p>${escape(t('avisos.none'))}</p>`;
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(t('avisos.title'))}</title>
<style>body{font-family:system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem;line-height:1.5;color:#111}table{border-collapse:collapse;width:100%}th,td{border:1px solid #666;padding:.5rem;text-align:left;vertical-align:top}caption{text-align:left;font-weight:bold;padding:.5rem 0}</style>
</head>
<body>
<main>
<h1>${escape(t('avisos.title'))}</h1>
<p>${escape(t('avisos.intro'))}</p>
${table}
</main>
</body>
</html>
`;
}
