import { createHash } from 'node:crypto';
import { Identities, loadLookupSecret } from '../../src/identity';
import { AttemptGuard, LOOKUP_LIMIT, LookupBlockedError } from '../../src/pqr/lookup-guard';
import { BusinessCalendar, PqrService } from '../../src/pqr';
import { createTestBot, play, textOf, type TestBot } from '../helpers/bot';
import { answerHereAndFile, asSubscriber, consent, cunIn } from '../dialogs/flows';

const HOUR = 3_600_000;

describe('CUN lookups: failed proofs are limited per requester (chat user and conversation), never per CUN or document, in the database', () => {
  let bot: TestBot;
  let cun: string;
  const line = '3004567890';
  const who = (channel: string, userId: string) => bot.identities.requester({ channel, userId });

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
      expect(await guesser.sayText(`31${String(i).padStart(8, '0')}`)).toBe(bot.texts()('status.notFound'));
    }
    // Even the right proof is not checked now: the answer says nothing about the CUN.
    const refused = await guesser.sayText(`consultar ${cun}`);
    expect(refused).toBe(blocked());
    expect(refused).toContain('*611');
    expect(refused).not.toContain('Para proteger tu información');

    // The owner's own chat needs no proof and is never held back.
    expect(await bot.conversation({ channelId: 'telegram', userId: 'tg-owner' }).sayText(`consultar ${cun}`)).toContain(`PQR *${cun}* (reclamo)`);
    // Someone else with the right line still gets the CUN lookup fields, and only those.
    const other = bot.conversation({ channelId: 'webchat', userId: 'web-other' });
    await other.sayText(`consultar ${cun}`);
    const seen = await other.sayText(line);
    expect(seen).toContain(`PQR *${cun}*\n• Estado: radicada`);
    expect(seen).not.toContain('(reclamo)');
    expect(seen).not.toContain('Dirección de notificación');

    bot.clock.advance(HOUR + 1_000);
    expect(await guesser.sayText(`consultar ${cun}`)).toContain('Para proteger tu información');
    expect(await guesser.sayText(line)).toContain(`PQR *${cun}*\n• Estado: radicada`);
  });

  it('wrong proofs against one CUN from many throwaway chats lock out neither the owner nor anyone with the right proof', async () => {
    for (let i = 0; i < LOOKUP_LIMIT.maxFailures * 2; i++) {
      expect(await bot.pqr.statusFor(cun, await who('webchat', `dl_throwaway-${i}`), `30000000${i}0`)).toBeNull();
    }
    await expect(bot.pqr.statusFor(cun, await who('telegram', 'tg-owner'))).resolves.toMatchObject({ access: 'owner', pqr: { cun } });
    await expect(bot.pqr.statusFor(cun, await who('webchat', 'dl_fresh'), line)).resolves.toMatchObject({ access: 'lookup', pqr: { cun } });
    // One document guessed across CUNs is counted against the requester who guesses, not the document.
    for (let i = 0; i < LOOKUP_LIMIT.maxFailures; i++) {
      expect(await bot.pqr.statusFor(`0100-26-${String(7_000 + i).padStart(10, '0')}`, await who('whatsapp', 'wa-doc'), '52123456')).toBeNull();
    }
    await expect(bot.pqr.statusFor('0100-26-0000007999', await who('whatsapp', 'wa-doc'), '52123456')).rejects.toBeInstanceOf(LookupBlockedError);
    await expect(bot.pqr.statusFor('0100-26-0000007999', await who('whatsapp', 'wa-doc-other'), '52123456')).resolves.toBeNull();
  });

  it('a conversation is counted too, so a new user id in the same conversation does not start over', async () => {
    for (let i = 0; i < LOOKUP_LIMIT.maxFailures; i++) {
      expect(await bot.pqr.statusFor(`0100-26-${String(8_000 + i).padStart(10, '0')}`, await who('webchat', `dl_rotating-${i}`), '41000000', 'conversation-shared')).toBeNull();
    }
    await expect(bot.pqr.statusFor(cun, await who('webchat', 'dl_rotating-new'), line, 'conversation-shared')).rejects.toBeInstanceOf(LookupBlockedError);
  });

  it('counts are shared by every instance (one table), and the table holds HMACs under the server secret, not ids, documents or plain digests', async () => {
    // Two services over the same database, as two instances behind a load balancer.
    const secret = await loadLookupSecret(bot.db.prisma);
    const instances = [0, 1].map(() => new PqrService(bot.db.prisma, bot.clock, new BusinessCalendar([]), bot.config.terms, bot.config.operator, new Identities(bot.db.prisma, bot.clock), secret));
    const requester = await who('whatsapp', 'wa-two-instances');
    for (let i = 0; i < LOOKUP_LIMIT.maxFailures; i++) {
      await instances[i % 2].statusFor(`0100-26-${String(6_000 + i).padStart(10, '0')}`, requester, `4100000${i}`);
    }
    await expect(instances[1].statusFor('0100-26-0000006999', requester)).rejects.toBeInstanceOf(LookupBlockedError);
    await expect(instances[0].statusFor('0100-26-0000006999', requester)).rejects.toBeInstanceOf(LookupBlockedError);

    const keys = (await bot.db.prisma.lookupAttempt.findMany()).map((row) => row.key).join('\n');
    for (const secretValue of ['wa-two-instances', '41000000', line, '52123456']) expect(keys).not.toContain(secretValue);
    const unsalted = createHash('sha256').update(['whatsapp', 'wa-two-instances'].join('\u0000')).digest('base64url').slice(0, 32);
    expect(keys).not.toContain(unsalted);
    expect(await bot.db.prisma.serverSecret.count()).toBe(1);
  });

  it('concurrent failures on one key are all counted, and expired rows are pruned', async () => {
    const guard = new AttemptGuard(bot.db.prisma, bot.clock, 'test', { maxFailures: 10, windowMs: HOUR }, await loadLookupSecret(bot.db.prisma));
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
