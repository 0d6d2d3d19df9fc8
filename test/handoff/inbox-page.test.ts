import type { Browser, Page } from 'playwright-core';
import { saveAgent } from '../../src/backoffice';
import { FixedClock } from '../../src/pqr';
import { startTestApp, type RunningApp } from '../helpers/app';
import { describeWithBrowser, launchBrowser, openBackofficePage, signInToBackoffice } from '../helpers/browser';
import { FakeGraph, textOf } from '../helpers/fake-graph';
import { textsOf, whatsAppEnv, WhatsAppUser } from '../helpers/whatsapp-user';

const IDS = { accessToken: 'EAA-inbox-page-token', appSecret: 'inbox-page-app-secret-0123456789', phoneNumberId: '106540352242555' };

describeWithBrowser('the live inbox of the back office page in Chromium', () => {
  let running: RunningApp;
  let graph: FakeGraph;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    graph = await FakeGraph.start(IDS.accessToken);
    // The dispatcher polls often: nothing in this test runs the outbox by hand.
    running = await startTestApp({ ...whatsAppEnv(graph, IDS), OUTBOX_POLL_MS: '200' }, new FixedClock('2026-11-23T15:00:00Z'));
    await saveAgent(running.app.db.prisma, { email: 'sofia@operador.co', name: 'Sofía Martínez', role: 'agent', password: 'clave-de-sofia-123' });
    browser = await launchBrowser();
    ({ page, errors } = await openBackofficePage(browser));
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await graph?.close();
  });

  it('an agent takes a WhatsApp conversation, talks live, files a PQR for the user and closes; the user gets the CUN and the rating shows', async () => {
    await signInToBackoffice(page, running.url, 'sofia@operador.co', 'clave-de-sofia-123');
    await page.locator('#inbox').waitFor();
    await page.locator('#inbox-waiting', { hasText: 'Nadie esperando.' }).waitFor();

    const user = new WhatsAppUser(running, graph, IDS, '573204445566');
    await user.say('hola');
    const replies = await user.tap(await user.say('quiero hablar con un asesor'), /^Acepto$/);
    expect(textsOf(replies)).toContain('te paso con una persona de nuestro equipo');

    // The queue updates by itself (server-sent events), with the summary.
    const item = page.locator('#inbox-waiting .inbox__item');
    await item.waitFor();
    expect(await item.innerText()).toContain('WhatsApp');
    expect(await item.innerText()).toContain('«quiero hablar con un asesor»');
    await item.getByRole('button', { name: 'Tomar' }).click();
    await graph.waitForSent(user.waId, (sent) => sent.some((m) => textOf(m).includes('Sofía, de nuestro equipo de atención, tomó tu conversación')));

    const transcript = page.locator('#inbox-transcript');
    const exchange = [
      ['Hola, soy Sofía. ¿Qué pasó con tu línea?', 'Me cobraron un plan que no contraté'],
      // A user's message is text on the agent's page, never markup.
      ['¿Desde cuándo?', 'Desde la factura de noviembre <img src=x onerror="window.injected=1">'],
      ['Listo, te radico un reclamo ahora.', 'Gracias'],
    ];
    for (const [agentText, userText] of exchange) {
      await page.locator('#inbox-reply-text').fill(agentText);
      await page.locator('#inbox-reply').getByRole('button', { name: 'Enviar' }).click();
      await graph.waitForSent(user.waId, (sent) => sent.some((m) => textOf(m) === `*Sofía:* ${agentText}`));
      expect(await user.say(userText)).toEqual([]);
      await transcript.locator('li', { hasText: userText }).waitFor();
    }

    expect(await transcript.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { injected?: number }).injected)).toBeUndefined();

    await page.locator('#inbox-file-type').selectOption('reclamo');
    await page.locator('#inbox-file-description').fill('Cobro de un plan no contratado desde la factura de noviembre');
    await page.locator('#inbox-file-brand').selectOption('vozz');
    await page.locator('#inbox-file-line').fill('3204445566');
    await page.locator('#inbox-file').getByRole('button', { name: 'Radicar' }).click();
    const notice = page.locator('#inbox-chat-notice');
    await notice.waitFor();
    const cun = /\d{4}-\d{2}-\d{10}/.exec(await notice.innerText())![0];
    await graph.waitForSent(user.waId, (sent) => sent.some((m) => textOf(m).includes(`CUN *${cun}*`)));

    await page.locator('#inbox-close-note').fill('Reclamo radicado');
    await page.locator('#inbox-close').getByRole('button', { name: 'Cerrar conversación' }).click();
    await page.locator('#inbox-chat-state', { hasText: 'Cerrada' }).waitFor();
    const sent = await graph.waitForSent(user.waId, (all) => all.some((m) => textOf(m).includes('¿Cómo calificas la atención?')));
    await user.tap(sent, /^5 · Excelente$/);

    await page.getByRole('button', { name: 'Ver calificaciones (30 días)' }).click();
    const ratings = page.locator('#inbox-ratings');
    await ratings.locator('tr', { hasText: 'Conversación con asesor' }).waitFor();
    expect(await ratings.locator('tr', { hasText: 'Conversación con asesor' }).innerText()).toMatch(/5\s+1$/);
    expect(await ratings.locator('tr', { hasText: 'Sofía Martínez' }).innerText()).toMatch(/Por agente\s+Sofía Martínez\s+5\s+1$/);
    expect(errors).toEqual([]);
  });
});
