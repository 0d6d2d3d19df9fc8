import { createHmac } from 'node:crypto';
import { safeEqual } from '../../security';

/** What a Direct Line token grants: one conversation, as one user, until it expires. */
export interface TokenClaims {
  conversationId: string;
  userId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

const ISSUER = 'pqr-bot/directline';
const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/**
 * HS256 JWTs, because Web Chat decodes the token's `user` claim and uses it as the user id:
 * that keeps the id stable across page reloads and impossible to forge from the browser.
 */
export class TokenSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 16) throw new Error('DIRECTLINE_SECRET must be at least 16 characters');
    // A derived key, so the secret accepted as a bearer credential is not itself the signing key.
    this.key = createHmac('sha256', secret).update('directline-token-v1').digest();
  }

  sign(conversationId: string, userId: string, ttlSeconds: number, now = Date.now()): { token: string; expiresAt: number } {
    const iat = Math.floor(now / 1000);
    const exp = iat + ttlSeconds;
    const payload = base64url(JSON.stringify({ iss: ISSUER, conv: conversationId, user: userId, iat, exp }));
    return { token: `${HEADER}.${payload}.${this.mac(`${HEADER}.${payload}`)}`, expiresAt: exp };
  }

  verify(token: string, now = Date.now()): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER) return { ok: false, reason: 'malformed' };
    if (!safeEqual(parts[2], this.mac(`${parts[0]}.${parts[1]}`))) return { ok: false, reason: 'signature' };
    let claims: { iss?: unknown; conv?: unknown; user?: unknown; exp?: unknown };
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (claims.iss !== ISSUER || typeof claims.conv !== 'string' || typeof claims.user !== 'string' || typeof claims.exp !== 'number') {
      return { ok: false, reason: 'malformed' };
    }
    if (claims.exp * 1000 <= now) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { conversationId: claims.conv, userId: claims.user, expiresAt: claims.exp } };
  }

  private mac(input: string): string {
    return createHmac('sha256', this.key).update(input).digest('base64url');
  }
}

