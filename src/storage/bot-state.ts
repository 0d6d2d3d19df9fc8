import { randomUUID } from 'node:crypto';
import type { Db } from './database';

/** Bot Framework's `StoreItems`, restated here so storage needs no botbuilder import. */
type StoreItems = Record<string, { eTag?: string; [key: string]: unknown }>;

export class ETagConflictError extends Error {
  readonly code = 'etag_conflict';
  constructor(readonly key: string) {
    super(`State for ${key} was changed by another turn`);
  }
}

/**
 * Conversation and user state in the BotState table, so any instance can take any message.
 * Writes are optimistic: an item read with an eTag is saved only if nobody saved it since;
 * "*" or no eTag overwrites.
 */
export class PrismaBotStorage {
  constructor(private readonly prisma: Db) {}

  async read(keys: string[]): Promise<StoreItems> {
    if (keys.length === 0) return {};
    const rows = await this.prisma.botState.findMany({ where: { key: { in: keys } } });
    const items: StoreItems = {};
    for (const row of rows) items[row.key] = { ...JSON.parse(row.data), eTag: row.eTag };
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    for (const [key, item] of Object.entries(changes)) {
      const { eTag, ...rest } = item;
      const data = JSON.stringify(rest);
      const next = randomUUID();
      if (!eTag || eTag === '*') {
        await this.prisma.botState.upsert({ where: { key }, create: { key, eTag: next, data }, update: { eTag: next, data } });
        continue;
      }
      const updated = await this.prisma.botState.updateMany({ where: { key, eTag }, data: { eTag: next, data } });
      if (updated.count === 0) {
        const exists = await this.prisma.botState.findUnique({ where: { key }, select: { key: true } });
        if (exists) throw new ETagConflictError(key);
        await this.prisma.botState.create({ data: { key, eTag: next, data } });
      }
    }
  }

  async delete(keys: string[]): Promise<void> {
    await this.prisma.botState.deleteMany({ where: { key: { in: keys } } });
  }
}
