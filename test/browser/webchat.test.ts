import type { AddressInfo } from 'node:net';
import { MessageFactory, type TurnContext } from 'botbuilder';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import restify from 'restify';
import { createDirectLine, type DirectLineChannel } from '../../src/channels/directline';
import {
  botTexts,
  clickSuggestedAction,
  describeWithBrowser,
  launchBrowser,
  openChat,
  sendMessage,
  userTexts,
  waitForBotText,
} from '../helpers/browser';
import { createTestDb, type TestDb } from '../helpers/db';

/** Greets with a menu on join and echoes everything else: enough to drive the page. */
const bot = {
  async run(context: TurnContext): Promise<void> {
    const { activity } = context;
    if (activity.type === 'event' && activity.name === 'webchat/join') {
      await context.sendActivity(MessageFactory.suggestedActions(['Radicar una PQR', 'Consultar una PQR'], '¡Hola! Soy el asistente de PQR. ¿Qué quieres hacer?'));
    } else if (activity.type === 'message' && activity.text === 'Consultar una PQR') {
      await context.sendActivity('Escribe el CUN de tu PQR, por ejemplo 4321-26-0000000123.');
    } else if (activity.type === 'message') {
      await context.sendActivity(MessageFactory.suggestedActions(['Consultar una PQR'], `Recibido: ${activity.text}`));
    }
  },
};

describeWithBrowser('web chat page in Chromium', () => {
  let db: TestDb;
  let server: restify.Server;
  let channel: DirectLineChannel;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    db = await createTestDb();
    server = restify.createServer({ handleUncaughtExceptions: false });
    server.use(restify.plugins.bodyParser({ maxBodySize: 64 * 1024, mapParams: false }));
    channel = createDirectLine({
      prisma: db.prisma,
      bot,
      secret: 'browser-test-secret-0123456789',
      logger: pino({ level: 'silent' }),
      page: { title: 'Operador Demo · Atención PQR', brandColor: '#7a1fa2', locale: 'es-CO' },
    });
    channel.routes(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await channel?.idle();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await db?.close();
  });

  it('greets first, sends a message, shows the reply, follows a suggested action, and resumes after a reload', async () => {
    const chat = await openChat(browser, url);
    const { page } = chat;
    expect(await waitForBotText(page, /Soy el asistente de PQR/)).toMatch(/¿Qué quieres hacer\?/);
    await expect(page.locator('h1').innerText()).resolves.toBe('Operador Demo · Atención PQR');

    await sendMessage(page, 'me cobraron un paquete que no pedí');
    await waitForBotText(page, /Recibido: me cobraron un paquete que no pedí/);
    expect(await userTexts(page)).toEqual(['me cobraron un paquete que no pedí']);
    // Acknowledged by its echo: Web Chat shows no "could not send" for it.
    await expect(page.locator('.webchat__activity-status--send-failed').count()).resolves.toBe(0);

    await clickSuggestedAction(page, 'Consultar una PQR');
    await waitForBotText(page, /Escribe el CUN de tu PQR/);

    await page.reload();
    await waitForBotText(page, /Escribe el CUN de tu PQR/);
    // The same conversation comes back from its history; the bot did not greet twice.
    expect((await botTexts(page)).filter((text) => /Soy el asistente/.test(text))).toHaveLength(1);
    expect(await userTexts(page)).toEqual(['me cobraron un paquete que no pedí', 'Consultar una PQR']);

    expect(chat.errors).toEqual([]);
    await chat.close();
  });

  it('says on the page that a message over 4,000 characters is too long, sends nothing, and keeps the text to shorten', async () => {
    const chat = await openChat(browser, url);
    const { page } = chat;
    await waitForBotText(page, /Soy el asistente de PQR/);
    const before = await db.prisma.inboundMessage.count();

    await sendMessage(page, 'a'.repeat(4001));
    await page.getByText('Tu mensaje es demasiado largo: el máximo es 4.000 caracteres.').waitFor({ state: 'visible' });
    expect(await userTexts(page)).toEqual([]);
    expect(await db.prisma.inboundMessage.count()).toBe(before);
    expect(await page.locator('[data-id="webchat-sendbox-input"]').inputValue()).toHaveLength(4001);

    await sendMessage(page, 'hola');
    await waitForBotText(page, /Recibido: hola/);
    await expect(page.getByText('Tu mensaje es demasiado largo').count()).resolves.toBe(0);
    expect(chat.errors).toEqual([]);
    await chat.close();
  });

  it('fits a 375x740 phone screen with the composer in view', async () => {
    const chat = await openChat(browser, url, { width: 375, height: 740 });
    const { page } = chat;
    await waitForBotText(page, /Soy el asistente de PQR/);
    await sendMessage(page, 'Quiero radicar una queja porque no tengo señal en mi casa desde hace una semana');
    await waitForBotText(page, /Recibido: Quiero radicar una queja/);

    const box = await page.locator('[data-id="webchat-sendbox-input"]').boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y + box!.height).toBeLessThanOrEqual(740);
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: '/tmp/webchat.png' });

    expect(chat.errors).toEqual([]);
    await chat.close();
  });
});
