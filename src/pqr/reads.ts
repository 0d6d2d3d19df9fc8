import type { Requester } from '../identity';
import type { Db, HotSql } from '../storage';

/** A PQR as Prisma reads it, with its brand's name and its subscriber's line and document. */
export type PqrWithOwner = Awaited<ReturnType<Db['pqr']['findFirstOrThrow']>> & {
  brand: { name: string } | null;
  subscriber: { line: string; documentNumber: string | null } | null;
};

/** Pqr columns Prisma maps to Date and to boolean (SQLite keeps ISO text and 0/1). */
const DATE_COLUMNS = [
  'filedAt', 'countedFrom', 'dueDate', 'answeredAt', 'notifiedAt', 'vencidaAt', 'recursoFiledAt', 'recursoDueDate', 'decidedAt',
  'decisionNotifiedAt', 'recursoVencidaAt', 'sicDueDate', 'trasladadaAt', 'closedAt', 'createdAt', 'updatedAt',
] as const;
const BOOLEAN_COLUMNS = ['vencida', 'recursoVencida'] as const;

const SELECT = `SELECT "Pqr".*, "Brand"."name" AS "__brandName", "Subscriber"."line" AS "__subscriberLine", "Subscriber"."documentNumber" AS "__subscriberDocument"
  FROM "Pqr" LEFT JOIN "Brand" ON "Brand"."id" = "Pqr"."brandId" LEFT JOIN "Subscriber" ON "Subscriber"."id" = "Pqr"."subscriberId"`;

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(String(value));
}

/** A row of `SELECT` as Prisma would have given it (dates, booleans, relations). */
function pqrOf(row: Record<string, unknown>): PqrWithOwner {
  const { __brandName, __subscriberLine, __subscriberDocument, ...columns } = row;
  const pqr: Record<string, unknown> = { ...columns, id: Number(columns.id) };
  for (const key of ['identityId', 'subscriberId', 'nonCustomerId'] as const) if (pqr[key] !== null) pqr[key] = Number(pqr[key]);
  for (const key of DATE_COLUMNS) pqr[key] = toDate(pqr[key]);
  for (const key of BOOLEAN_COLUMNS) pqr[key] = pqr[key] === true || Number(pqr[key]) === 1;
  pqr.brand = __brandName === null || __brandName === undefined ? null : { name: String(__brandName) };
  pqr.subscriber = __subscriberLine === null || __subscriberLine === undefined ? null : { line: String(__subscriberLine), documentNumber: __subscriberDocument === null || __subscriberDocument === undefined ? null : String(__subscriberDocument) };
  return pqr as PqrWithOwner;
}

/**
 * The two PQR reads users trigger most ("¿cómo va mi PQR?": by CUN, and the PQRs this requester
 * owns), in one plain statement each with the brand and subscriber joined: through Prisma they
 * were two or three queries of ~0.2–0.3 ms of CPU each on every status question.
 */
export class PqrReads {
  constructor(private readonly sql: HotSql) {}

  async byCun(cun: string): Promise<PqrWithOwner | null> {
    const [row] = await this.sql.all<Record<string, unknown>>(`${SELECT} WHERE "Pqr"."cun" = ?`, [cun]);
    return row ? pqrOf(row) : null;
  }

  /** The requester's PQRs in these states, newest filing first (see `ownedBy`). */
  async ownedBy(requester: Requester, statuses: readonly string[], limit: number): Promise<PqrWithOwner[]> {
    const owners: string[] = [];
    const args: unknown[] = [];
    if (requester.identityId !== null) {
      owners.push('"Pqr"."identityId" = ?');
      args.push(requester.identityId);
    }
    if (requester.lines.length) {
      owners.push(`"Subscriber"."line" IN (${requester.lines.map(() => '?').join(', ')})`);
      args.push(...requester.lines);
    }
    if (requester.emails.length) {
      owners.push(`"Pqr"."requesterEmail" IN (${requester.emails.map(() => '?').join(', ')})`);
      args.push(...requester.emails);
    }
    if (!owners.length || !statuses.length) return [];
    const rows = await this.sql.all<Record<string, unknown>>(
      `${SELECT} WHERE (${owners.join(' OR ')}) AND "Pqr"."status" IN (${statuses.map(() => '?').join(', ')}) ORDER BY "Pqr"."filedAt" DESC, "Pqr"."id" DESC LIMIT ${Math.max(1, Math.floor(limit))}`,
      [...args, ...statuses],
    );
    return rows.map(pqrOf);
  }
}
