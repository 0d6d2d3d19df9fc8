import { createHmac, randomBytes } from 'node:crypto';
import { isUniqueViolation, type Db } from '../storage';

const LOOKUP_SECRET = 'lookup-key';

/**
 * The key of lookup digests and one-time-code HMACs: LOOKUP_KEY_SECRET when set, otherwise one
 * generated at the first start and kept in the database, so every instance shares it and
 * `npm start` needs no setting.
 */
export async function loadLookupSecret(prisma: Db, configured?: string): Promise<KeyedDigest> {
  if (configured) return new KeyedDigest(Buffer.from(configured, 'utf8'));
  const existing = await prisma.serverSecret.findUnique({ where: { name: LOOKUP_SECRET } });
  if (existing) return new KeyedDigest(Buffer.from(existing.value, 'base64'));
  try {
    await prisma.serverSecret.create({ data: { name: LOOKUP_SECRET, value: randomBytes(32).toString('base64') } });
  } catch (error) {
    // Another instance generated it first: use theirs.
    if (!isUniqueViolation(error)) throw error;
  }
  const stored = await prisma.serverSecret.findUniqueOrThrow({ where: { name: LOOKUP_SECRET } });
  return new KeyedDigest(Buffer.from(stored.value, 'base64'));
}

/** HMAC-SHA256 under the server's secret: a digest of a ten-digit document cannot be reversed by trying them all. */
export class KeyedDigest {
  constructor(private readonly key: Buffer) {}

  of(...parts: string[]): string {
    return createHmac('sha256', this.key).update(parts.join('\u0000')).digest('base64url');
  }
}
