import { inflateSync } from 'node:zlib';
import type { App } from '../../src/index';
import type { PqrSummary } from '../../src/pqr';

export const BOOTSTRAP_TOKEN = 'bootstrap-token-for-tests-0123456789';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** One call to the back office API as a browser or script would make it. */
export async function call<T = any>(
  url: string,
  method: string,
  path: string,
  options: { token?: string; json?: unknown; raw?: string; contentType?: string } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['Content-Type'] = 'application/json';
  } else if (options.raw !== undefined) {
    body = options.raw;
    headers['Content-Type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(`${url}/api/backoffice${path}`, { method, headers, body });
  const type = response.headers.get('content-type') ?? '';
  const parsed = type.includes('json') ? await response.json() : Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body: parsed as T };
}

export async function login(url: string, email: string, password: string): Promise<string> {
  const response = await call(url, 'POST', '/login', { json: { email, password } });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.token;
}

/** A PQR filed through the domain, as the dialogs file it. */
export function fileCase(
  app: App,
  options: { type?: 'peticion' | 'queja' | 'reclamo'; channel?: string; userId?: string; brandId?: string; line?: string; description?: string } = {},
): Promise<PqrSummary> {
  const channel = options.channel ?? 'whatsapp';
  const userId = options.userId ?? `user-${Math.random().toString(36).slice(2, 10)}`;
  return app.pqr.file({
    type: options.type ?? 'reclamo',
    description: options.description ?? 'Me cobraron un paquete de datos que no pedí',
    user: { channel, userId },
    customer: { kind: 'subscriber', brandId: options.brandId ?? 'vozz', line: options.line ?? '3001234567' },
    notifyChannel: channel,
    notifyAddress: `${channel}:${userId}`,
  });
}

/**
 * The text a PDF shows, read lightly: every (Flate-compressed) content stream inflated, and the
 * strings of its text operators (pdfkit writes them as hex, in WinAnsi) decoded.
 */
export function pdfText(pdf: Buffer): string {
  const source = pdf.toString('latin1');
  const out: string[] = [];
  const streams = /<<([^]*?)>>\s*stream\r?\n/g;
  let match: RegExpExecArray | null;
  while ((match = streams.exec(source))) {
    const start = match.index + match[0].length;
    const end = source.indexOf('endstream', start);
    const data = pdf.subarray(start, end);
    let content: string;
    try {
      content = (/\/FlateDecode/.test(match[1]) ? inflateSync(data) : data).toString('latin1');
    } catch {
      continue;
    }
    for (const op of content.matchAll(/\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      const hexes = op[1] !== undefined ? [...op[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => m[1]) : [op[2]];
      out.push(hexes.map((hex) => Buffer.from(hex, 'hex').toString('latin1')).join(''));
    }
  }
  return out.join('\n');
}
