import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from '../security';
import type { Db } from '../storage';
import { passwords } from './passwords';

export type Role = 'agent' | 'supervisor';
export const ROLES: readonly Role[] = ['agent', 'supervisor'];

/** Who is calling the back office API. `actor` is what the expediente records. */
export interface Principal {
  kind: 'agent' | 'bootstrap';
  agentId: number | null;
  name: string;
  role: Role;
  actor: string;
}

export type SessionCheck = { ok: true; agentId: number; expiresAt: number; sessionId: string } | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

const PREFIX = 'bo1';
const BCRYPT_COST = 12;
/**
 * A hash of a random password nobody knows: an unknown e-mail is checked against it, so a login
 * takes as long whether or not the account exists and does not reveal which agents exist.
 */
const UNKNOWN_AGENT_HASH = '$2b$12$l4joC34Wvbe2xP6j9saBVuOT53L9/1Fk7YSGfOnWNV.B42df4qf06';
export const MIN_PASSWORD_LENGTH = 10;

/**
 * Signed session tokens, `bo1.<payload>.<HMAC-SHA256>`: the payload says which agent, until when,
 * and the session's id. The agent's row is read on every request anyway, so a deactivated agent or
 * a changed role takes effect at once; a signed-out session is refused by its id (RevokedSession).
 */
export class SessionSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 16) throw new Error('BACKOFFICE_SESSION_SECRET must be at least 16 characters');
    // A derived key, so a secret reused elsewhere is not itself the signing key.
    this.key = createHmac('sha256', secret).update('backoffice-session-v1').digest();
  }

  sign(agentId: number, ttlSeconds: number, now: Date): { token: string; expiresAt: number } {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + ttlSeconds;
    const jti = randomBytes(16).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: agentId, iat, exp, jti }), 'utf8').toString('base64url');
    return { token: `${PREFIX}.${payload}.${this.mac(payload)}`, expiresAt: exp };
  }

  verify(token: string, now: Date): SessionCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, reason: 'malformed' };
    if (!safeEqual(parts[2], this.mac(parts[1]))) return { ok: false, reason: 'signature' };
    let claims: { sub?: unknown; exp?: unknown; jti?: unknown };
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    // Sessions signed before they had an id could not be signed out: they are refused.
    if (!Number.isInteger(claims.sub) || typeof claims.exp !== 'number' || typeof claims.jti !== 'string' || !claims.jti) return { ok: false, reason: 'malformed' };
    if (claims.exp * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, agentId: claims.sub as number, expiresAt: claims.exp, sessionId: claims.jti };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(`${PREFIX}.${payload}`).digest('base64url');
  }
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The agent with this e-mail and password, or null; same cost whether or not the e-mail exists. */
export async function checkPassword(prisma: Db, email: string, password: string) {
  const agent = await prisma.agent.findUnique({ where: { email: normalizeEmail(email) } });
  const matches = await passwords.compare(password, agent?.passwordHash ?? UNKNOWN_AGENT_HASH);
  return agent && agent.active && matches && isRole(agent.role) ? agent : null;
}

export class AgentInputError extends Error {}

/** Creates an agent, or replaces the name, role and password of the one with this e-mail. */
export async function saveAgent(
  prisma: Db,
  input: { email: string; name: string; role: string; password: string },
): Promise<{ id: number; created: boolean }> {
  const email = normalizeEmail(input.email);
  const name = input.name.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new AgentInputError('--email must be an e-mail address');
  if (!name) throw new AgentInputError('--name must not be empty');
  if (!isRole(input.role)) throw new AgentInputError(`--role must be one of ${ROLES.join(', ')}`);
  if (input.password.length < MIN_PASSWORD_LENGTH) throw new AgentInputError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  const passwordHash = await passwords.hash(input.password, BCRYPT_COST);
  const existing = await prisma.agent.findUnique({ where: { email }, select: { id: true } });
  const agent = await prisma.agent.upsert({
    where: { email },
    create: { email, name, role: input.role, passwordHash },
    update: { name, role: input.role, passwordHash, active: true },
  });
  return { id: agent.id, created: !existing };
}
