import restify, { type Request, type Response, type Server } from 'restify';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

export interface HttpOptions {
  name: string;
  maxBodyBytes: number;
  logger: Logger;
  /** Answers /healthz: true when the database answers. */
  healthy: () => Promise<boolean>;
  metrics: Metrics;
}

/**
 * The restify server every channel registers its routes on: body limits, raw body kept for
 * signature checks, JSON errors with a reason, and the health check.
 */
export function createHttpServer(options: HttpOptions): Server {
  const server = restify.createServer({ name: options.name, handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: options.maxBodyBytes, mapParams: false, mapFiles: false, keepExtensions: false, rejectUnknown: false }));

  server.get('/healthz', async (_req: Request, res: Response) => {
    const ok = await options.healthy().catch(() => false);
    res.send(ok ? 200 : 503, ok ? { status: 'ok' } : { status: 'unavailable', reason: 'database' });
  });

  server.get('/metrics', async (_req: Request, res: Response) => {
    res.sendRaw(200, await options.metrics.registry.metrics(), { 'Content-Type': options.metrics.registry.contentType });
  });

  // Every 4xx, whichever route answered it and however: webhook rejections show up here.
  server.on('after', (req: Request, res: Response) => {
    if (res.statusCode >= 400 && res.statusCode < 500) options.metrics.rejected(req.getRoute()?.path?.toString() ?? 'unmatched', res.statusCode);
  });

  server.on('restifyError', (req: Request, res: Response, err: Error & { statusCode?: number; body?: unknown }, callback: () => void) => {
    const status = err.statusCode ?? 500;
    // Only the route and the status: the body may hold personal data.
    options.logger.warn({ route: req.getRoute()?.path ?? req.path(), status, error: err.name }, 'request rejected');
    (err as { toJSON?: () => unknown }).toJSON = () => ({ error: { code: errorCode(err.name, status), message: status >= 500 ? 'Internal error' : err.message } });
    callback();
  });
  return server;
}

function errorCode(name: string, status: number): string {
  if (status === 413) return 'payload_too_large';
  if (status === 404) return 'not_found';
  if (status === 400) return 'bad_request';
  if (status === 405) return 'method_not_allowed';
  if (status === 415) return 'unsupported_media_type';
  return name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase() || 'error';
}
