import type { Logger } from 'pino';
import type { Update } from 'telegraf/types';
import type { InboundProcessor } from '../../inbox';
import type { TelegramApi } from './api';
import type { UpdateRecorder } from './routes';

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/**
 * Long polling (`TELEGRAM_MODE=polling`), for trying a bot without a public URL. Updates go
 * through the same recording as the webhook's; the offset moves past an update only once it is
 * recorded, so a database hiccup makes Telegram send it again rather than lose it.
 */
export class LongPolling {
  private controller: AbortController | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      api: TelegramApi;
      recorder: UpdateRecorder;
      processor: InboundProcessor;
      logger: Logger;
      /** How long one getUpdates waits for news (Telegram allows up to 50 s). */
      waitSeconds: number;
    },
  ) {}

  start(): void {
    if (this.loop) return;
    this.controller = new AbortController();
    this.loop = this.run(this.controller.signal);
  }

  async stop(): Promise<void> {
    this.controller?.abort();
    await this.loop;
    this.loop = null;
    this.controller = null;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { api, recorder, processor, logger } = this.deps;
    let failures = 0;
    const backoff = () => sleep(Math.min(500 * 2 ** Math.min(failures++, 6), 30_000), signal);
    while (!signal.aborted) {
      try {
        await api.deleteWebhook();
        break;
      } catch (error) {
        logger.warn({ err: error }, 'telegram deleteWebhook failed; retrying');
        await backoff();
      }
    }
    let offset: number | undefined;
    while (!signal.aborted) {
      let updates: Update[];
      try {
        updates = await api.getUpdates(offset, this.deps.waitSeconds, signal);
      } catch (error) {
        if (signal.aborted) break;
        logger.warn({ err: error }, 'telegram getUpdates failed; retrying');
        await backoff();
        continue;
      }
      failures = 0;
      for (const update of updates) {
        try {
          const recorded = await recorder.record(update);
          if (recorded) processor.enqueue(recorded);
          offset = update.update_id + 1;
        } catch (error) {
          logger.error({ err: error }, 'could not record a telegram update; it will be fetched again');
          await backoff();
          break;
        }
      }
    }
  }
}
