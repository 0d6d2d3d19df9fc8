import { randomUUID } from 'node:crypto';
import type { Db } from './database';
import { checkWrite, hotSqlOf, TurnWork, type HotSql, type SqlWrite } from './hot-sql';

/**
 * Where botbuilder's ConversationState keeps a conversation's state (its default, empty
 * namespace): the inbox reads this row along with the conversation's next message.
 */
export function conversationStateKey(channelId: string, conversationId: string): string {
  return `${channelId}/conversations/${conversationId}/`;
}

/** Bot Framework's `StoreItems`, restated here so storage needs no botbuilder import. */
type StoreItems = Record<string, { eTag?: string; [key: string]: unknown }>;

export class ETagConflictError extends Error {
  readonly code = 'etag_conflict';
  constructor(readonly key: string) {
    super(`State for ${key} was changed by another turn`);
  }
}

/**
 * The eTag an item had when it was read, kept on the item itself (non-enumerable: a copy made
 * with `{ ...item }` is a new item). botbuilder's `BotState.saveChanges` sets `eTag: '*'` before
 * it writes, which alone would overwrite whatever another turn saved meanwhile.
 */
const READ_ETAG = Symbol('eTag as read');

function remember(item: object, eTag: string): void {
  Object.defineProperty(item, READ_ETAG, { value: eTag, enumerable: false, writable: true, configurable: true });
}

/**
 * Conversation and user state in the BotState table, so any instance can take any message.
 * Writes are optimistic: an item is saved only if nobody saved it since it was read (its eTag as
 * read, or an explicit eTag); an item never read and written with "*" or no eTag overwrites.
 * Inside a turn with a `TurnWork`, writes join the turn's end-of-turn transaction.
 */
export class PrismaBotStorage {
  private readonly sql: HotSql | undefined;

  constructor(private readonly prisma: Db) {
    this.sql = hotSqlOf(prisma);
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (keys.length === 0) return {};
    const rows: { key: string; eTag: string; data: string }[] = [];
    // The conversation's state came with its message (one statement fewer per turn).
    const work = TurnWork.current();
    const unread = work && this.sql && work.sql === this.sql ? keys.filter((key) => {
      const row = work.takePrefetched(key);
      if (row) rows.push({ key, ...row });
      return row === undefined;
    }) : keys;
    if (unread.length > 0) {
      rows.push(
        ...(this.sql
          ? await this.sql.all<{ key: string; eTag: string; data: string }>(`SELECT "key", "eTag", "data" FROM "BotState" WHERE "key" IN (${unread.map(() => '?').join(', ')})`, unread)
          : await this.prisma.botState.findMany({ where: { key: { in: unread } }, select: { key: true, eTag: true, data: true } })),
      );
    }
    const items: StoreItems = {};
    for (const row of rows) {
      const item = { ...JSON.parse(row.data), eTag: row.eTag };
      remember(item, row.eTag);
      items[row.key] = item;
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    const work = TurnWork.current();
    for (const [key, item] of Object.entries(changes)) {
      const { eTag, ...rest } = item;
      const expected = eTag && eTag !== '*' ? eTag : ((item as { [READ_ETAG]?: string })[READ_ETAG] ?? null);
      const data = JSON.stringify(rest);
      const next = randomUUID();
      const write = this.statement(key, expected, next, data);
      // Saved twice in one turn: the second save expects what the first wrote.
      remember(item, next);
      if (work && this.sql && work.sql === this.sql) work.add(write);
      else if (this.sql) {
        const changed = await this.sql.run(write.sql, write.args);
        checkWrite(write, changed);
      }
      else await this.writeWithPrisma(key, expected, next, data);
    }
  }

  async delete(keys: string[]): Promise<void> {
    await this.prisma.botState.deleteMany({ where: { key: { in: keys } } });
  }

  private statement(key: string, expected: string | null, next: string, data: string): SqlWrite {
    const now = new Date();
    if (expected === null) {
      return {
        sql: 'INSERT INTO "BotState" ("key", "eTag", "data", "updatedAt") VALUES (?, ?, ?, ?) ON CONFLICT ("key") DO UPDATE SET "eTag" = excluded."eTag", "data" = excluded."data", "updatedAt" = excluded."updatedAt"',
        args: [key, next, data, now],
      };
    }
    return {
      sql: 'UPDATE "BotState" SET "eTag" = ?, "data" = ?, "updatedAt" = ? WHERE "key" = ? AND "eTag" = ?',
      args: [next, data, now, key, expected],
      onNone: () => new ETagConflictError(key),
    };
  }

  private async writeWithPrisma(key: string, expected: string | null, next: string, data: string): Promise<void> {
    if (expected === null) {
      await this.prisma.botState.upsert({ where: { key }, create: { key, eTag: next, data }, update: { eTag: next, data } });
      return;
    }
    const updated = await this.prisma.botState.updateMany({ where: { key, eTag: expected }, data: { eTag: next, data } });
    if (updated.count === 0) throw new ETagConflictError(key);
  }
}
