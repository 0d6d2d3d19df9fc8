import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One SMS the gateway accepted. */
export interface SentSms {
  to: string;
  content: string;
}

/**
 * A Jasmin-style SMS gateway on 127.0.0.1 (`POST /send`, form-encoded username, password, to,
 * content; answers `Success "<id>"`, or 403 `Error "Authentication failure"`), keeping what it
 * accepted. `failNext` makes it answer 500 to the next requests.
 */
export class FakeSmsGateway {
  readonly sent: SentSms[] = [];
  private failures = 0;
  private server!: http.Server;
  url = '';

  static async start(credentials = { username: 'pqrbot', password: 's3cret' }): Promise<FakeSmsGateway> {
    const gateway = new FakeSmsGateway();
    gateway.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const answer = (status: number, body: string) => {
          res.writeHead(status, { 'Content-Type': 'text/plain' });
          res.end(body);
        };
        if (req.method !== 'POST' || req.url !== '/send') return answer(404, 'Error "Not found"');
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        if (form.get('username') !== credentials.username || form.get('password') !== credentials.password) return answer(403, 'Error "Authentication failure"');
        if (gateway.failures > 0) {
          gateway.failures--;
          return answer(500, 'Error "Cannot send"');
        }
        const to = form.get('to') ?? '';
        const content = form.get('content') ?? '';
        if (!/^\d{6,15}$/.test(to) || !content) return answer(400, 'Error "Invalid to or content"');
        gateway.sent.push({ to, content });
        answer(200, `Success "msg-${gateway.sent.length}"`);
      });
    });
    await new Promise<void>((resolve) => gateway.server.listen(0, '127.0.0.1', resolve));
    const { port } = gateway.server.address() as AddressInfo;
    gateway.url = `http://${credentials.username}:${credentials.password}@127.0.0.1:${port}/send`;
    return gateway;
  }

  failNext(count: number): void {
    this.failures += count;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
