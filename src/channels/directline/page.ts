import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzip, gzipSync } from 'node:zlib';
import { brandColorProblem } from '../../contrast';
import { sendError } from '../../http';
import type { Request, Response, Server } from 'restify';
import { MAX_TEXT_CHARS } from './routes';
import { fromRoot } from '../../paths';

/** The page's own texts (Web Chat translates the rest); the composition root fills them from locales/. */
export interface PageTexts {
  connecting: string;
  failed: string;
  retry: string;
  newConversation: string;
  chatLabel: string;
  placeholder: string;
  renderError: string;
  noscript: string;
  /** Shown instead of sending a message the server would refuse as too long. */
  tooLong: string;
}

/** What the operator may brand on the web chat page. */
export interface PageOptions {
  title?: string;
  /** `#rrggbb` */
  brandColor?: string;
  /** BCP 47, e.g. `es-CO` (default) or `en`. */
  locale?: string;
  texts?: Partial<PageTexts>;
}

export interface PageConfig {
  title: string;
  brandColor: string;
  locale: string;
  texts: PageTexts;
}

export const DEFAULT_PAGE: PageConfig = {
  title: 'Atención al cliente · PQR',
  brandColor: '#1d4f91',
  locale: 'es-CO',
  texts: {
    connecting: 'Conectando con el asistente…',
    failed: 'No pudimos conectar con el asistente. Revisa tu conexión e inténtalo de nuevo.',
    retry: 'Reintentar',
    newConversation: 'Nueva conversación',
    chatLabel: 'Conversación con el asistente',
    placeholder: 'Escribe tu mensaje',
    renderError: 'Algo falló al mostrar el chat. Recarga la página.',
    noscript: 'Para conversar con el asistente necesitas activar JavaScript en tu navegador.',
    tooLong: 'Tu mensaje es demasiado largo: el máximo es 4.000 caracteres. Envíalo en partes más cortas.',
  },
};

const PUBLIC_DIR = fromRoot('public');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

// Web Chat injects its styles at run time (emotion), hence 'unsafe-inline' for styles only.
const PAGE_HEADERS = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
  ].join('; '),
  // For browsers that predate frame-ancestors: the same rule.
  'X-Frame-Options': 'SAMEORIGIN',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

interface Asset {
  body: Buffer;
  gzip?: Buffer;
  type: string;
}

/** Above this size the compressed copy is made on the thread pool after start (Web Chat's bundle: ~0.1 s of CPU); until then it goes uncompressed. */
const GZIP_LATER_BYTES = 64 * 1024;

function asset(body: Buffer, type: string): Asset {
  if (body.length <= 1024) return { body, type };
  if (body.length <= GZIP_LATER_BYTES) return { body, type, gzip: gzipSync(body) };
  const file: Asset = { body, type };
  gzip(body, (error, compressed) => {
    if (!error) file.gzip = compressed;
  });
  return file;
}

function send(req: Request, res: Response, file: Asset, cacheControl: string, extra: Record<string, string> = {}): void {
  const gzip = file.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? (file.gzip as Buffer) : file.body;
  res.sendRaw(200, body, {
    'Content-Type': file.type,
    'Content-Length': String(body.length),
    'Cache-Control': cacheControl,
    'X-Content-Type-Options': 'nosniff',
    Vary: 'Accept-Encoding',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    ...extra,
  });
}

/** The operator's settings, checked: they end up in the page's script and styles. */
export function pageConfig(options: PageOptions = {}): PageConfig {
  const title = options.title?.trim();
  const texts = { ...DEFAULT_PAGE.texts };
  for (const key of Object.keys(texts) as (keyof PageTexts)[]) {
    const text = options.texts?.[key]?.trim();
    if (text) texts[key] = text.slice(0, 300);
  }
  return {
    title: title && title.length <= 80 ? title : DEFAULT_PAGE.title,
    // A colour without enough contrast with white would make the page's buttons and header unreadable.
    brandColor: options.brandColor && /^#[0-9a-fA-F]{6}$/.test(options.brandColor) && !brandColorProblem(options.brandColor) ? options.brandColor : DEFAULT_PAGE.brandColor,
    locale: options.locale && /^[a-z]{2}(-[A-Z]{2})?$/.test(options.locale) ? options.locale : DEFAULT_PAGE.locale,
    texts,
  };
}

function webChatBundle(): { file: string; version: string } {
  const packageDir = path.join(path.dirname(require.resolve('botframework-webchat')), '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { file: path.join(packageDir, 'dist', 'webchat.js'), version };
}

/**
 * `GET /` (the page), `/config.js` (branding), `/assets/*` (the page's own files) and
 * `/webchat/webchat.js` (the official bundle from node_modules, no CDN). Everything is read and
 * compressed once at start; URLs carry a version so browsers may cache them for a year.
 */
export function registerPageRoutes(server: Server, options: PageOptions = {}): void {
  const bundle = webChatBundle();
  const webChat = asset(fs.readFileSync(bundle.file), CONTENT_TYPES['.js']);

  const assets = new Map<string, Asset>();
  const hash = createHash('sha256').update(bundle.version);
  for (const name of fs.readdirSync(PUBLIC_DIR).sort()) {
    const type = CONTENT_TYPES[path.extname(name)];
    if (!type || name === 'index.html') continue;
    const body = fs.readFileSync(path.join(PUBLIC_DIR, name));
    hash.update(name).update(body);
    assets.set(name, asset(body, type));
  }
  const version = hash.digest('hex').slice(0, 12);
  const html = fs.readFileSync(path.join(PUBLIC_DIR, 'index.html'), 'utf8').replaceAll('%VERSION%', version);
  const config = pageConfig(options);
  // Escaped so no configured text can close the script or break the line.
  const configScript = `window.PQR_CONFIG = ${JSON.stringify({ ...config, maxTextChars: MAX_TEXT_CHARS }).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')};\n`;

  const filled = html
    .replaceAll('%LANG%', config.locale)
    .replaceAll('%BRAND%', config.brandColor)
    .replaceAll('%ON_BRAND%', textColorOn(config.brandColor))
    .replaceAll('%TITLE%', escapeHtml(config.title))
    .replace(/%TEXT:(\w+)%/g, (_, key: keyof PageTexts) => escapeHtml(config.texts[key] ?? ''));
  const page = asset(Buffer.from(filled), CONTENT_TYPES['.html']);
  const configAsset = asset(Buffer.from(configScript), CONTENT_TYPES['.js']);
  const immutable = 'public, max-age=31536000, immutable';

  server.get('/', (req: Request, res: Response, next) => {
    send(req, res, page, 'no-cache', PAGE_HEADERS);
    next();
  });
  server.get('/config.js', (req: Request, res: Response, next) => {
    send(req, res, configAsset, 'no-cache');
    next();
  });
  server.get('/webchat/webchat.js', (req: Request, res: Response, next) => {
    send(req, res, webChat, immutable);
    next();
  });
  server.get('/assets/:name', (req: Request, res: Response, next) => {
    const file = assets.get(String(req.params.name));
    if (!file) sendError(res, 404, 'NotFound', 'No such file');
    else send(req, res, file, immutable);
    next();
  });
}

/** Dark or light text, whichever reads better on the brand colour (WCAG relative luminance). */
export function textColorOn(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.3 ? '#1b1f24' : '#ffffff';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
