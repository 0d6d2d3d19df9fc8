import { createPgTestDb, createSqliteTestDb, type TestDb } from '../helpers/db';
import { Identities } from '../../src/identity';
import { systemClock } from '../../src/pqr/clock';

/**
 * A WhatsApp user's first message creates their identity and proves the line Meta verified (on
 * PostgreSQL in one statement with the identity); later messages add nothing, and an address that
 * is not a line proves nothing.
 */
describe.each([
  ['SQLite', () => createSqliteTestDb()],
  ['PostgreSQL', () => createPgTestDb('pqr_identity_touch')],
])('touching an identity and proving its line, on %s', (_name, create) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await create();
  });
  afterAll(() => db.close());

  const activity = (userId: string) => ({
    type: 'message' as const,
    channelId: 'whatsapp',
    serviceUrl: 'https://whatsapp.invalid',
    from: { id: userId, name: '' },
    recipient: { id: 'bot', name: '' },
    conversation: { id: userId, isGroup: false, conversationType: 'personal', name: '' },
    timestamp: new Date(),
  });
  const proofsOf = (userId: string) =>
    db.prisma.identityProof.findMany({ where: { identity: { channel: 'whatsapp', userId } }, select: { kind: true, value: true, method: true } });

  it('creates the identity and its proof at the first message, and nothing more at the next ones', async () => {
    const identities = new Identities(db.prisma, systemClock);
    const address = { channel: 'whatsapp', userId: '573001230001' };
    const id = await identities.touch(address, activity(address.userId), undefined, { proveLine: 'channel' });
    expect(await proofsOf(address.userId)).toEqual([{ kind: 'line', value: '3001230001', method: 'channel' }]);
    // Another instance (nothing remembered) sees the same user again.
    const again = await new Identities(db.prisma, systemClock).touch(address, activity(address.userId), undefined, { proveLine: 'channel' });
    expect(again).toBe(id);
    expect(await proofsOf(address.userId)).toHaveLength(1);
    expect((await identities.requester(address)).lines).toEqual(['3001230001']);
  });

  it('makes one identity and one proof when two messages of a new user are touched at once', async () => {
    const address = { channel: 'whatsapp', userId: '573001230002' };
    const ids = await Promise.all([0, 1, 2].map(() => new Identities(db.prisma, systemClock).touch(address, activity(address.userId), undefined, { proveLine: 'channel' })));
    expect(new Set(ids).size).toBe(1);
    expect(await db.prisma.channelIdentity.count({ where: address })).toBe(1);
    expect(await proofsOf(address.userId)).toHaveLength(1);
  });

  it('proves nothing for an address that is not a line, or when not asked to', async () => {
    const identities = new Identities(db.prisma, systemClock);
    await identities.touch({ channel: 'whatsapp', userId: 'CO.1234567890abcdef' }, activity('CO.1234567890abcdef'), undefined, { proveLine: 'channel' });
    await identities.touch({ channel: 'whatsapp', userId: '573001230003' }, activity('573001230003'));
    expect(await proofsOf('CO.1234567890abcdef')).toEqual([]);
    expect(await proofsOf('573001230003')).toEqual([]);
    expect(await db.prisma.channelIdentity.count({ where: { userId: { in: ['CO.1234567890abcdef', '573001230003'] } } })).toBe(2);
  });
});
