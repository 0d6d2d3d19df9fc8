/** A download that failed in a way another try may fix (5xx, 429, a truncated file). */
export class RetryableHttpError extends Error {}

/** What to do after a failed call: give up, or try again (after the wait the platform asked for, if it did). */
export type RetryAdvice = { retry: boolean; afterMs?: number };

/** No answer at all (network, timeout) or our own retryable download error: worth another try on any platform. */
export function transient(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  // fetch's network failures are TypeErrors, judged by name too: one made in another realm (undici's own, under jest's VM) fails `instanceof`.
  return error instanceof RetryableHttpError || error instanceof TypeError || name === 'TypeError' || name === 'FetchError' || name === 'AbortError' || name === 'TimeoutError';
}

/**
 * Calls a platform's API up to `attempts` times: after a failure `advise` deems worth it, it
 * waits what the platform asked (Retry-After) or backs off exponentially from 200 ms, at most 5 s.
 */
export async function retrying<T>(call: () => Promise<T>, options: { attempts: number; advise: (error: unknown) => RetryAdvice }): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const { retry, afterMs } = options.advise(error);
      if (!retry || attempt >= options.attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(afterMs ?? 200 * 2 ** (attempt - 1), 5_000)));
    }
  }
}

/** `retrying`, each try with a fresh timeout signal of `timeoutMs` (for clients that take a signal). */
export function withRetries<T>(call: (signal: AbortSignal) => Promise<T>, options: { attempts: number; timeoutMs: number; advise: (error: unknown) => RetryAdvice }): Promise<T> {
  return retrying(() => call(AbortSignal.timeout(options.timeoutMs)), options);
}
