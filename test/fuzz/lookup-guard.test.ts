import { AttemptGuard, LOOKUP_LIMIT, LookupBlockedError } from '../../src/pqr/lookup-guard';
import { BusinessCalendar, PqrService } from '../../src/pqr';
import { createTestBot, play, textOf, type TestBot } from '../helpers/bot';
import { answerHereAndFile, asSubscriber, consent, cunIn } from '../dialogs/flows';

const HOUR = 3_600_000;

describe('CUN lookups: failed proofs are limited per chat user, per CUN and per document/line, in the database', () => {
  let bot: TestBot;
  let cun: string;
  const line = '3004567890';

  beforeAll(async () => {
    bot = await createTestBot();
    const owner = bot.conversation({ channelId: 'telegram', userId: 'tg-owner' });
    const filed = await play(owner, [{ say: 'me cobraron un paquete que no pedí' }, ...consent, ...asSubscriber(line), { say: 'Es todo' }, { say: 'Sí' }, ...answerHereAndFile]);
    cun = cunIn(textOf(filed.at(-1)!));
  });
  afterAll(() => bot.close());

  const blocked = () => bot.texts()('status.tooManyLookups', { channels: bot.texts()('channels.short') });

  it('after five wrong proofs the chat is told to wait, not asked again; the owner and other users are unaffected; an hour later it may try again', async () => {
    const guesser = bot.conversation({ channelId: 'whatsapp', userId: 'wa-guesser' });
    for (let i = 0; i < LOOKUP_LIMIT.maxFailures; i++) {
      const unknown = `0100-26-${String(9_000 + i).padStart(10, '0')}`;
      expect(await guesser.sayText(`consultar ${unknown}`)).toContain('Para proteger tu información');
      // Each miss ends with the menu: a way out, not another question.
      expect(await guesser.sayText(`31${String(i).padStart(8, '0')}`)).toBe(`${bot.texts()('status.notFound')}\n${bot.texts()('menu.prompt')}`);
    }
    // Even the right proof is not checked now: the answer says nothing about the CUN.
    const refused = await guesser.sayText(`consultar ${cun}`);
    expect(refused).toBe(`${blocked()}\n${bot.texts()('menu.prompt')}`);
    expect(refused).toContain('*611');
    expect(refused).not.toContain('Para proteger tu información');

    // The owner's own chat needs no proof and is never held back.
    expect(await bot.conversation({ channelId: 'telegram', userId: 'tg-owner' }).sayText(`consultar ${cun}`)).toContain(`PQR *${cun}*`);
    // Someone else, with the right line, still gets in.
    const other = bot.conversation({ channelId: 'webchat', userId: 'web-other' });
    await other.sayText(`consultar ${cun}`);
    expect(await other.sayText(line)).toContain(`PQR *${cun}*`);

    bot.clock.advance(HOUR + 1_000);
    expect(await guesser.sayText(`consultar ${cun}`)).toContain('Para proteger tu información');
    expect(await guesser.sayText(line)).toContain(`PQR *${cun}*`);
  });

  it('guessing one CUN from many chats is stopped by the CUN count; guessing with one document across CUNs by the proof count', async () => {
    const owner = { channel: 'telegram', userId: 'tg-owner' };
    for (let i = 0; i < LOOKUP_LIMIT.maxFailures; i++) {
      expect(await bot.pqr.statusFor(cun, { channel: 'whatsapp', userId: `wa-many-${i}`, proof: `30000000${i}0` })).toBeNull();
    }
    await expect(bot.pqr.statusFor(cun, { channel: 'whatsapp', userId: 'wa-many-new', proof: line })).rejects.toBeInstanceOf(LookupBlockedError);
    await expect(bot.pqr.statusFor(cun, owner)).resolves.toMatchObject({ cun });

    for (let i = 0; i < LOOKUP_LIMIT.maxFailures; i++) {
      expect(await bot.pqr.statusFor(`0100-26-${String(7_000 + i).padStart(10, '0')}`, { channel: 'whatsapp', userId: `wa-doc-${i}`, proof: '52123456' })).toBeNull();
    }
    await expect(bot.pqr.statusFor('0100-26-0000007999', { channel: 'whatsapp', userId: 'wa-doc-new', proof: '52123456' })).rejects.toBeInstanceOf(LookupBlockedError);
  });

  it('counts are shared by every instance (one table), and the table holds digests, not ids or documents', async () => {
    // Two services over the same database, as two instances behind a load balancer.
    const instances = [0, 1].map(() => new PqrService(bot.db.prisma, bot.clock, new BusinessCalendar([]), bot.config.terms, bot.config.operator));
    const user = { channel: 'whatsapp', userId: 'wa-two-instances' };
    for (let i = 0; i < LOOKUP_LIMIT.maxFailures; i++) {
      await instances[i % 2].statusFor(`0100-26-${String(6_000 + i).padStart(10, '0')}`, { ...user, proof: `4100000${i}` });
    }
    await expect(instances[1].statusFor('0100-26-0000006999', user)).rejects.toBeInstanceOf(LookupBlockedError);
    await expect(instances[0].statusFor('0100-26-0000006999', user)).rejects.toBeInstanceOf(LookupBlockedError);

    const keys = (await bot.db.prisma.lookupAttempt.findMany()).map((row) => row.key).join('\n');
    for (const secret of ['wa-two-instances', '41000000', line, '52123456']) expect(keys).not.toContain(secret);
  });

  it('concurrent failures on one key are all counted, and expired rows are pruned', async () => {
    const guard = new AttemptGuard(bot.db.prisma, bot.clock, 'test', { maxFailures: 10, windowMs: HOUR });
    const key = guard.key('user', 'concurrent');
    await Promise.all(Array.from({ length: 10 }, () => guard.fail([key])));
    expect(await bot.db.prisma.lookupAttempt.findUnique({ where: { key } })).toMatchObject({ count: 10 });
    expect(await guard.blockedUntil([key])).toEqual(new Date(bot.clock.now().getTime() + HOUR));

    bot.clock.advance(HOUR + 1);
    expect(await guard.blockedUntil([key])).toBeNull();
    await guard.fail([guard.key('user', 'someone else')]);
    expect(await bot.db.prisma.lookupAttempt.findUnique({ where: { key } })).toBeNull();
  });
});
