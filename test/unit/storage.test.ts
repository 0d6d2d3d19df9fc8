import { createTestDb, type TestDb } from '../helpers/db';
import { PrismaBotStorage, ETagConflictError, openDatabase } from '../../src/storage';

describe('storage', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  it('applies every migration on a new database and none on a second open', async () => {
    expect(db.applied.length).toBeGreaterThan(0);
    const again = await openDatabase(db.url);
    expect(again.applied).toEqual([]);
    await again.close();
  });

  it('stores bot state with optimistic eTags', async () => {
    const storage = new PrismaBotStorage(db.prisma);
    await storage.write({ 'conv/1': { step: 1 } });
    const first = await storage.read(['conv/1', 'missing']);
    expect(first['conv/1']).toMatchObject({ step: 1 });
    expect(first.missing).toBeUndefined();
    const eTag = first['conv/1'].eTag;
    await storage.write({ 'conv/1': { step: 2, eTag } });
    await expect(storage.write({ 'conv/1': { step: 3, eTag } })).rejects.toBeInstanceOf(ETagConflictError);
    expect((await storage.read(['conv/1']))['conv/1']).toMatchObject({ step: 2 });
    await storage.delete(['conv/1']);
    expect(await storage.read(['conv/1'])).toEqual({});
  });
});
