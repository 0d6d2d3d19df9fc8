import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PqrReads } from '../../src/pqr/reads';
import { OPEN_STATUSES } from '../../src/pqr';
import type { Requester } from '../../src/identity';
import { createTestDb, type TestDb } from '../helpers/db';

/**
 * The status questions read PQRs in plain SQL (src/pqr/reads.ts): what they read must be exactly
 * what Prisma reads (dates as dates in UTC, booleans, the brand's name, the subscriber), on
 * SQLite and, with TEST_DATABASE=postgresql, on PostgreSQL, whatever the process's time zone.
 */
describe('PQR reads in plain SQL', () => {
  let db: TestDb;
  let reads: PqrReads;
  let identityId: number;
  beforeAll(async () => {
    db = await createTestDb();
    reads = new PqrReads(db.sql);
    const p = db.prisma;
    await p.brand.create({ data: { id: 'plintron', name: 'Plintron Colombia', cunCode: '0101' } });
    const subscriber = await p.subscriber.create({ data: { brandId: 'plintron', line: '3001112233', documentNumber: '1020304050' } });
    const lineOnly = await p.subscriber.create({ data: { brandId: 'plintron', line: '3009998877' } });
    identityId = (await p.channelIdentity.create({ data: { channel: 'whatsapp', userId: '573001112233', conversationRef: '{}' } })).id;
    const base = { type: 'queja', description: 'Me cobraron dos veces', entryChannel: 'whatsapp', notifyChannel: 'whatsapp', notifyAddress: '573001112233' };
    const at = (iso: string) => new Date(iso);
    await p.pqr.create({ data: { ...base, cun: '0101-26-0000000001', brandId: 'plintron', subscriberId: subscriber.id, identityId, filedAt: at('2026-03-02T14:05:06.789Z'), countedFrom: at('2026-03-03T05:00:00Z'), dueDate: at('2026-03-24T04:59:59.999Z'), status: 'respondida', answeredAt: at('2026-03-10T15:00:00Z'), answerText: 'Ya devolvimos el cobro.', vencida: true, vencidaAt: at('2026-03-24T04:59:59.999Z') } });
    await p.pqr.create({ data: { ...base, cun: '0101-26-0000000002', filedAt: at('2026-04-01T10:00:00Z'), countedFrom: at('2026-04-01T10:00:00Z'), dueDate: at('2026-04-22T04:59:59.999Z'), requesterName: 'Ana Pérez', requesterDocumentType: 'CC', requesterDocumentNumber: '52000111', requesterEmail: 'ana@example.com' } });
    await p.pqr.create({ data: { ...base, cun: '0101-26-0000000003', brandId: 'plintron', subscriberId: lineOnly.id, filedAt: at('2026-05-01T10:00:00Z'), countedFrom: at('2026-05-01T10:00:00Z'), dueDate: at('2026-05-22T04:59:59.999Z'), status: 'cerrada', closedAt: at('2026-06-01T00:00:00Z') } });
  });

  afterAll(async () => {
    await db.close();
  });

  const viaPrisma = (cun: string) =>
    db.prisma.pqr.findUnique({ where: { cun }, include: { subscriber: { select: { line: true, documentNumber: true } }, brand: { select: { name: true } } } });

  it.each(['0101-26-0000000001', '0101-26-0000000002', '0101-26-0000000003'])('reads PQR %s by CUN exactly as Prisma does', async (cun) => {
    const hot = await reads.byCun(cun);
    expect(hot).toEqual(await viaPrisma(cun));
    expect(hot?.filedAt).toBeInstanceOf(Date);
  });

  it('keeps the instants: dates in UTC, booleans as booleans, the relations', async () => {
    const pqr = await reads.byCun('0101-26-0000000001');
    expect(pqr?.filedAt.toISOString()).toBe('2026-03-02T14:05:06.789Z');
    expect(pqr?.vencida).toBe(true);
    expect(pqr?.recursoVencida).toBe(false);
    expect(pqr?.notifiedAt).toBeNull();
    expect(pqr?.brand).toEqual({ name: 'Plintron Colombia' });
    expect(pqr?.subscriber).toEqual({ line: '3001112233', documentNumber: '1020304050' });
    expect((await reads.byCun('0101-26-0000000003'))?.subscriber).toEqual({ line: '3009998877', documentNumber: null });
  });

  it('reads the same instants in a process whose time zone is far from UTC', () => {
    // jest keeps one process.env per test file: the time zone must be the child process's own from its start.
    const script = `
      const { openDatabase } = require(${JSON.stringify(path.resolve(__dirname, '../../src/storage'))});
      const { PqrReads } = require(${JSON.stringify(path.resolve(__dirname, '../../src/pqr/reads'))});
      openDatabase(process.env.READS_URL).then(async (db) => {
        const pqr = await new PqrReads(db.sql).byCun('0101-26-0000000001');
        process.stdout.write(JSON.stringify({ filedAt: pqr.filedAt.toISOString(), offset: new Date().getTimezoneOffset() }));
        await db.close();
      });`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { env: { ...process.env, TZ: 'Asia/Kolkata', READS_URL: db.url }, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    const read = JSON.parse(run.stdout) as { filedAt: string; offset: number };
    expect(read.offset).toBe(-330);
    expect(read.filedAt).toBe('2026-03-02T14:05:06.789Z');
  });

  it('finds nothing for a CUN nobody filed', async () => {
    expect(await reads.byCun('0101-26-0000000099')).toBeNull();
  });

  const requester = (over: Partial<Requester>): Requester => ({ address: { channel: 'whatsapp', userId: 'x' }, identityId: null, lines: [], emails: [], ...over });

  it('finds the open PQRs a requester owns, by identity, proven line or proven e-mail, newest first', async () => {
    const cuns = async (r: Requester) => (await reads.ownedBy(r, OPEN_STATUSES, 10)).map((p) => p.cun);
    // Identity and e-mail together; "respondida" is open, "cerrada" is not.
    expect(await cuns(requester({ identityId, emails: ['ana@example.com'] }))).toEqual(['0101-26-0000000002', '0101-26-0000000001']);
    expect(await cuns(requester({ lines: ['3001112233'] }))).toEqual(['0101-26-0000000001']);
    expect(await cuns(requester({ lines: ['3009998877'] }))).toEqual([]);
    expect(await cuns(requester({ emails: ['someone@example.com'] }))).toEqual([]);
    expect(await cuns(requester({}))).toEqual([]);
    // The same rows Prisma gives.
    const hot = await reads.ownedBy(requester({ identityId, emails: ['ana@example.com'] }), OPEN_STATUSES, 10);
    expect(hot).toEqual(await Promise.all(hot.map((p) => viaPrisma(p.cun))));
  });
});
