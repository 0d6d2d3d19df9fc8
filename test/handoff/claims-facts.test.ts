import { startTestApp, type RunningApp } from '../helpers/app';
import { TurnWork } from '../../src/storage';

/**
 * Whether an agent holds a conversation comes with its message (`HandoffService.conversationFacts`,
 * read by the inbox's statement that takes the message). That answer is about the conversation's
 * key; a turn whose user is someone else (a group chat, a web chat whose user id is not the
 * conversation's) must not be told "an agent holds you" or "a rating waits" from it, nor be told
 * "nobody holds you" when an agent does.
 */
describe('handoff claims read with the message', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startTestApp({});
  });
  afterAll(() => running?.close());

  it("answers for the turn's own user only, whatever the fact read with the message says", async () => {
    const { service } = running.app.handoffs;
    const facts = service.conversationFacts();
    const victim = { channel: 'telegram', userId: '5550001' };
    const stranger = { channel: 'telegram', userId: '5550002' };
    await service.request(victim, { kind: 'live', recent: ['quiero hablar con alguien'] });

    // A fact read for the victim's conversation, kept on a turn whose user is the stranger.
    const [row] = await running.app.db.sql.all<Record<string, unknown>>(`SELECT ${facts.columns}`, facts.args('telegram', victim.userId));
    const work = new TurnWork(running.app.db.sql);
    work.keepFact(facts.name, facts.read(row, 'telegram', victim.userId));
    expect(await work.within(() => service.claimsOn(stranger))).toEqual({ handoff: false, rating: false });
    work.close();

    // A fact read for the stranger's own conversation, kept on a turn whose user is the victim.
    const [own] = await running.app.db.sql.all<Record<string, unknown>>(`SELECT ${facts.columns}`, facts.args('telegram', stranger.userId));
    const other = new TurnWork(running.app.db.sql);
    other.keepFact(facts.name, facts.read(own, 'telegram', stranger.userId));
    expect(await other.within(() => service.claimsOn(victim))).toEqual({ handoff: true, rating: false });
    other.close();

    // The matching fact is used once; the same turn asking again reads the database.
    const [mine] = await running.app.db.sql.all<Record<string, unknown>>(`SELECT ${facts.columns}`, facts.args('telegram', victim.userId));
    const third = new TurnWork(running.app.db.sql);
    third.keepFact(facts.name, facts.read(mine, 'telegram', victim.userId));
    const counter = running.app.db.statements;
    const before = counter.mark();
    expect(await third.within(() => service.claimsOn(victim))).toEqual({ handoff: true, rating: false });
    expect(counter.since(before)).toBe(0);
    expect(await third.within(() => service.claimsOn(victim))).toEqual({ handoff: true, rating: false });
    expect(counter.since(before)).toBe(1);
    third.close();
  });
});
