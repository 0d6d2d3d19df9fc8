import { Texts } from '../../src/i18n';
import { Identities, jasminGateway, loadLookupSecret, OneTimeCodes, proofValue } from '../../src/identity';
import { mailTransport } from '../../src/notify';
import { FixedClock } from '../../src/pqr';
import { createTestDb, type TestDb } from '../helpers/db';
import { FakeSmsGateway } from '../helpers/fake-sms';
import { TestSmtpServer } from '../helpers/smtp';

const EMAIL = 'ana.gomez@correo.com';
const LINE = '3001234567';

/**
 * One-time codes against a real database, a local SMTP server and a fake Jasmin SMS gateway:
 * expiry, single use under concurrency, failed delivery, and what a code proves.
 */
describe('one-time codes', () => {
  let db: TestDb;
  let smtp: TestSmtpServer;
  let sms: FakeSmsGateway;
  let clock: FixedClock;
  let identities: Identities;
  let codes: OneTimeCodes;
  const t = new Texts({ operator: 'Plintron Colombia' }).for('es-CO');
  let transport: ReturnType<typeof mailTransport>;

  beforeAll(async () => {
    [db, smtp, sms] = await Promise.all([createTestDb(), TestSmtpServer.start(), FakeSmsGateway.start()]);
    clock = new FixedClock('2026-11-23T15:00:00Z');
    identities = new Identities(db.prisma, clock);
    transport = mailTransport(smtp.url);
    codes = new OneTimeCodes(db.prisma, clock, identities, await loadLookupSecret(db.prisma), {
      sms: jasminGateway(sms.url),
      email: async (to, subject, text) => {
        await transport.sendMail({ from: 'pqr@operador.co', to, subject, text });
      },
    });
  });
  afterAll(async () => {
    transport.close();
    await Promise.all([db.close(), smtp.close(), sms.close()]);
  });

  const mailedCode = () => /\b(\d{6})\b/.exec(smtp.received.at(-1)!.text)![1];

  it('a code older than 10 minutes is refused and proves nothing', async () => {
    const me = { channel: 'webchat', userId: 'dl_expired' };
    expect(await codes.send(me, [{ kind: 'email', value: EMAIL }], t)).toMatchObject({ status: 'sent' });
    const code = mailedCode();
    clock.advance(10 * 60_000 + 1_000);
    expect(await codes.check(me, code)).toEqual({ status: 'expired' });
    expect(await codes.check(me, code)).toEqual({ status: 'none' });
    expect((await identities.requester(me)).emails).toEqual([]);
  });

  it('the right code typed twice at once proves the e-mail once; then it no longer works', async () => {
    const me = { channel: 'webchat', userId: 'dl_twice' };
    await codes.send(me, [{ kind: 'email', value: EMAIL.toUpperCase() }], t);
    const code = mailedCode();
    const results = await Promise.all([codes.check(me, code), codes.check(me, code)]);
    expect(results.filter((r) => r.status === 'verified')).toHaveLength(1);
    expect((await identities.requester(me)).emails).toEqual([EMAIL]);
    expect(await codes.check(me, code)).toEqual({ status: 'none' });
  });

  it('a code belongs to whoever asked for it: another chat typing it proves nothing', async () => {
    const asker = { channel: 'webchat', userId: 'dl_asker' };
    const thief = { channel: 'webchat', userId: 'dl_thief' };
    await codes.send(asker, [{ kind: 'email', value: EMAIL }], t);
    expect(await codes.check(thief, mailedCode())).toEqual({ status: 'none' });
    expect((await identities.requester(thief)).emails).toEqual([]);
  });

  it('by SMS the gateway gets the line in international form and the code; a refused send leaves no usable code', async () => {
    const me = { channel: 'webchat', userId: 'dl_sms' };
    expect(await codes.send(me, [{ kind: 'line', value: `+57 ${LINE}` }], t)).toEqual({ status: 'sent', targets: [{ kind: 'line', value: LINE }] });
    expect(sms.sent.at(-1)!.to).toBe(`57${LINE}`);
    expect(sms.sent.at(-1)!.content).toMatch(/^Plintron Colombia: tu código de verificación es \d{6}\. Vence en 10 minutos\./);
    expect(await codes.check(me, /\d{6}/.exec(sms.sent.at(-1)!.content)![0])).toMatchObject({ status: 'verified' });
    expect((await identities.requester(me)).lines).toEqual([LINE]);

    const unlucky = { channel: 'webchat', userId: 'dl_sms_down' };
    sms.failNext(1);
    expect(await codes.send(unlucky, [{ kind: 'line', value: LINE }], t)).toEqual({ status: 'failed' });
    expect(await codes.check(unlucky, '123456')).toEqual({ status: 'none' });
  });

  it('an SMTP server that refuses the mail leaves no usable code', async () => {
    const me = { channel: 'webchat', userId: 'dl_smtp_down' };
    smtp.rejectNext(1);
    expect(await codes.send(me, [{ kind: 'email', value: 'otra@correo.com' }], t)).toEqual({ status: 'failed' });
    expect(await codes.check(me, '123456')).toEqual({ status: 'none' });
  });

  it('targets that are not a line or an e-mail, or with no way to send, are unavailable', async () => {
    const me = { channel: 'webchat', userId: 'dl_bad' };
    expect(await codes.send(me, [{ kind: 'line', value: '12345' }], t)).toEqual({ status: 'unavailable' });
    expect(await codes.send(me, [{ kind: 'email', value: 'no es un correo' }], t)).toEqual({ status: 'unavailable' });
    const noSms = new OneTimeCodes(db.prisma, clock, identities, await loadLookupSecret(db.prisma), {});
    expect(await noSms.send(me, [{ kind: 'line', value: LINE }], t)).toEqual({ status: 'unavailable' });
    expect(proofValue('line', '+57 300 123 4567')).toBe(LINE);
  });
});
