import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// A per-process key: the digests compared below never leave the process, and an attacker cannot
// precompute them.
const COMPARE_KEY = randomBytes(32);

/**
 * Constant-time string equality for secrets, tokens and signatures. Both sides are reduced to
 * HMAC digests of equal length first, so neither the content nor the length of the secret
 * leaks through timing, and inputs of any length (even empty) are safe to pass.
 */
export function safeEqual(a: string, b: string): boolean {
  const left = createHmac('sha256', COMPARE_KEY).update(a, 'utf16le').digest();
  const right = createHmac('sha256', COMPARE_KEY).update(b, 'utf16le').digest();
  return timingSafeEqual(left, right);
}


/**
 * The credential of an `Authorization: Bearer <credential>` header: undefined when there is no
 * header, null when there is one in another shape (each route answers that with its own 401).
 */
export function bearerCredential(header: string | undefined): string | undefined | null {
  if (!header) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null;
}
