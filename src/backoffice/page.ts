import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Next, Request, Response, Server } from 'restify';
import { LABELS } from './labels';
import { fromRoot } from '../paths';

export const PAGE_PATH = '/backoffice';
const PAGE_DIR = fromRoot('public', 'backoffice');

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

// No inline script or style anywhere on the page, so the policy can be strict.
const PAGE_HEADERS = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
  'Cache-Control': 'no-cache',
};

/**
 * `GET /backoffice` (the page), `/backoffice/assets/*` (its scripts and styles, Chart.js included) and
 * `/backoffice/labels.js` (the Spanish names of statuses, types… the PDF uses too). Read once at
 * start; asset URLs carry a content hash, so browsers may cache them for a year.
 */
export function registerPageRoutes(server: Server): void {
  const labels = Buffer.from(`window.BO_LABELS = ${JSON.stringify(LABELS)};\n`);
  // The dashboard's charts: Chart.js's UMD build from node_modules, no CDN.
  const chartJs = fs.readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'));
  const assets = new Map<string, { body: Buffer; type: string }>([
    ['labels.js', { body: labels, type: CONTENT_TYPES['.js'] }],
    ['chart.js', { body: chartJs, type: CONTENT_TYPES['.js'] }],
  ]);
  const hash = createHash('sha256').update(labels).update(chartJs);
  for (const name of fs.readdirSync(PAGE_DIR).sort()) {
    const type = CONTENT_TYPES[path.extname(name)];
    if (!type) continue;
    const body = fs.readFileSync(path.join(PAGE_DIR, name));
    hash.update(name).update(body);
    assets.set(name, { body, type });
  }
  const version = hash.digest('hex').slice(0, 12);
  const html = Buffer.from(fs.readFileSync(path.join(PAGE_DIR, 'index.html'), 'utf8').replaceAll('%VERSION%', version));

  const page = (_req: Request, res: Response, next: Next) => {
    res.sendRaw(200, html, { 'Content-Type': 'text/html; charset=utf-8', ...PAGE_HEADERS });
    next();
  };
  server.get(PAGE_PATH, page);
  server.get(`${PAGE_PATH}/`, page);
  server.get(`${PAGE_PATH}/assets/:name`, (req: Request, res: Response, next: Next) => {
    const file = assets.get(String(req.params.name));
    if (!file) res.json(404, { error: { code: 'not_found', message: 'No such file' } });
    else res.sendRaw(200, file.body, { 'Content-Type': file.type, 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' });
    next();
  });
}
