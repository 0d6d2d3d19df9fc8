import { ActivityTypes, ConversationState, MemoryStorage, TestAdapter, TurnContext, UserState, type Activity } from 'botbuilder';
import { PqrBot } from '../../src/bot';
import type { MainDialog } from '../../dialogs';
import { ETagConflictError, openDatabase, PrismaBotStorage, TurnWork, type Database } from '../../src/storage';
import { createTestDb, type TestDb } from '../helpers/db';

/**
 * botbuilder saves state with `eTag: '*'`; the storage keeps the eTag it read and writes with it,
 * so two turns racing on one conversation's state are told apart (SQLite, or PostgreSQL with
 * TEST_DATABASE=postgresql).
 */
describe('bot state conflicts', () => {
  let db: TestDb;
  let otherInstance: Database;
  beforeAll(async () => {
    db = await createTestDb();
    otherInstance = await openDatabase(db.url);
  });
  afterAll(async () => {
    await otherInstance.close();
    await db.close();
  });

  const activity = (conversation: string, text: string): Partial<Activity> => ({
    type: ActivityTypes.Message,
    channelId: 'test',
    id: `m-${Math.random()}`,
    text,
    from: { id: 'user-1', name: 'user' },
    recipient: { id: 'bot', name: 'bot' },
    conversation: { id: conversation, isGroup: false, conversationType: 'personal', name: '' },
    serviceUrl: 'https://test.invalid',
  });

  it('a state saved by another turn since this one read it is a conflict, not an overwrite', async () => {
    const storage = new PrismaBotStorage(db.prisma);
    const adapter = new TestAdapter();
    const stateOf = () => new ConversationState(storage);
    const a = stateOf();
    const b = stateOf();
    const countA = a.createProperty<number>('count');
    const countB = b.createProperty<number>('count');
    // The conversation has state already (its first turn saved it): a state nobody saved yet is
    // written blindly, as before (conversations are leased, so two first turns do not race).
    await storage.write({ 'test/conversations/race-1/': { count: 0 } });
    const first = new TurnContext(adapter, activity('race-1', 'uno'));
    const second = new TurnContext(adapter, activity('race-1', 'dos'));
    // Both turns read the (same) state before either saves.
    await countA.set(first, (await countA.get(first, 0)) + 1);
    await countB.set(second, (await countB.get(second, 0)) + 10);
    await a.saveChanges(first);
    await expect(b.saveChanges(second)).rejects.toBeInstanceOf(ETagConflictError);
    // The second turn, on fresh state, saves on top of the first.
    await b.load(second, true);
    await countB.set(second, (await countB.get(second, 0)) + 10);
    await b.saveChanges(second);
    const third = new TurnContext(adapter, activity('race-1', 'tres'));
    const c = stateOf();
    expect(await c.createProperty<number>('count').get(third, 0)).toBe(11);
    // A copy of an item made with spread is a blind write (as before): no stale eTag travels with it.
    const items = await storage.read(['test/conversations/race-1/']);
    const copy = { ...items['test/conversations/race-1/'], eTag: '*' };
    await storage.write({ 'test/conversations/race-1/': copy });
  });

  it.each([
    ['saving at once', false],
    ["in the inbox's end-of-turn transaction", true],
  ])("PqrBot re-runs a turn whose state another turn saved meanwhile, when it had sent nothing (%s)", async (_label, inTurnWork) => {
    const key = inTurnWork ? 'race-3' : 'race-2';
    const storage = new PrismaBotStorage(db.prisma);
    const conversationState = new ConversationState(storage);
    const counter = conversationState.createProperty<number>('count');
    let runs = 0;
    const dialog = {
      async run(context: TurnContext) {
        runs++;
        await counter.set(context, (await counter.get(context, 0)) + 1);
        if (runs === 1) {
          // Another instance: its own connection to the same database.
          const other = new ConversationState(new PrismaBotStorage(otherInstance.prisma));
          const otherContext = new TurnContext(new TestAdapter(), activity(key, 'otra'));
          const otherCount = other.createProperty<number>('count');
          await otherCount.set(otherContext, (await otherCount.get(otherContext, 0)) + 100);
          await other.saveChanges(otherContext);
        }
      },
      async greet() {},
    } as unknown as MainDialog;
    await storage.write({ [`test/conversations/${key}/`]: { count: 0 } });
    const bot = new PqrBot(conversationState, new UserState(new MemoryStorage()), dialog);
    const conflicts: { retried: boolean }[] = [];
    bot.onStateConflict = (conflict) => conflicts.push(conflict);
    const run = () => bot.run(new TurnContext(new TestAdapter(), activity(key, 'hola')));
    const work = new TurnWork(db.sql);
    if (inTurnWork) await work.within(run);
    else await run();
    expect(work.committed).toBe(inTurnWork);
    expect(runs).toBe(2);
    expect(conflicts).toEqual([{ channel: 'test', retried: true }]);
    const check = new TurnContext(new TestAdapter(), activity(key, 'ver'));
    expect(await new ConversationState(storage).createProperty<number>('count').get(check, 0)).toBe(101);
  });
});
