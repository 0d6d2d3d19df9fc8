import { FixedClock } from '../../src/pqr';
import { BOOTSTRAP_TOKEN, call } from '../backoffice/helpers';
import { startTestApp, type RunningApp } from '../helpers/app';
import { DirectLineUser } from '../notify/directline-client';

const CUN = /\d{4}-\d{2}-\d{10}/;

/** Every message this user posts says locale es-CO, as the Spanish web chat page sends it. */
describe('an English speaker on the Spanish web chat page (real server, Direct Line, back office API)', () => {
  let running: RunningApp;
  let clock: FixedClock;
  let user: DirectLineUser;

  beforeAll(async () => {
    clock = new FixedClock('2026-11-23T15:00:00Z');
    // This user types faster than a person could; the per-conversation limit has its own tests.
    running = await startTestApp({ BACKOFFICE_TOKEN: BOOTSTRAP_TOKEN, OUTBOX_POLL_MS: '200', WEBCHAT_MESSAGES_BURST: '50' }, clock);
    user = await DirectLineUser.connect(running.url);
  });
  afterAll(() => running?.close());

  /** One message, its turn run to the end; returns the bot's replies to it. */
  async function say(text: string): Promise<string> {
    const before = (await user.botTexts()).length;
    await user.say(text);
    await running.app.webchat.idle();
    return (await user.botTexts()).slice(before).join('\n');
  }

  it('gets English after asking for it, files a reclamo in English free text, and the stored case is right', async () => {
    expect(await say("Sorry, I don't speak Spanish. Can you help me in English?")).toMatch(/^I can help you with your requests, complaints and claims/);
    expect(await say('I was charged for a data package I never asked for')).toContain('Do you authorise the processing of your data?');
    expect(await say('I accept')).toContain('Are you a customer');
    expect(await say('No')).toContain('Type your full name.');
    // A Spanish name says nothing about the language: the conversation stays in English.
    expect(await say('Juan Pablo Pérez de la Torre')).toContain('What type of identity document do you have?');
    expect(await say('Passport')).toContain('Type your document number');
    expect(await say('AB123456')).toContain('Type your e-mail address');
    expect(await say('juan.perez@example.com')).toContain('Would you like to add anything else?');
    const proposal = await say("That's all");
    expect(proposal).toMatch(/your case is a \*+claim\*+/);
    expect(await say('Yes, it is a claim')).toContain('Where would you like to receive the answer?');
    expect(await say('In this chat')).toContain('Review your PQR before we file it:');
    const filed = await say('Yes, file it');
    expect(filed).toContain('Done! We have filed your claim.');
    const cun = CUN.exec(filed)![0];

    const stored = await call(running.url, 'GET', `/pqrs/${cun}`, { token: BOOTSTRAP_TOKEN });
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({
      cun,
      type: 'reclamo',
      status: 'radicada',
      channel: 'webchat',
      description: expect.stringContaining('I was charged for a data package I never asked for'),
      owner: { kind: 'non_customer', fullName: 'Juan Pablo Pérez de la Torre', documentType: 'PA', documentNumber: 'AB123456', email: 'juan.perez@example.com' },
    });

    // Later notifications keep the language the user chose, though the page still says es-CO.
    const identity = await running.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_userId: { channel: 'webchat', userId: user.userId } } });
    expect(identity.locale).toBe('en');
    clock.set('2026-11-27T15:00:00Z');
    await running.app.lifecycle.answer(cun, { text: 'We refunded the package.', outcome: 'favorable' }, 'agent:1');
    expect(await user.waitForBot('We refunded the package.')).toMatch(/^We have an answer to your PQR/);
    // Once the answer is delivered, the user is asked (once, in English too) how the service was.
    expect(await user.waitForBot('How would you rate the service?')).toContain('1 (very poor) to 5 (excellent)');
  });

  it('"ok" and a number keep English; a clearly Spanish message switches back to Spanish', async () => {
    expect(await say('ok')).toMatch(/^I'm not sure I understood/);
    expect(await say('1')).toContain('Shall we file the PQR with them?');
    expect(await say('cancel')).toContain('Nothing was filed');
    expect(await say('hola, quiero saber cómo va mi reclamo')).toMatch(/\(reclamo\)\s+• Estado: respondida/);
    const identity = await running.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_userId: { channel: 'webchat', userId: user.userId } } });
    expect(identity.locale).toBe('es-CO');
  });
});
