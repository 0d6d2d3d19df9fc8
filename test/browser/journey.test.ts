import type { Browser } from 'playwright-core';
import { clickSuggestedAction, describeWithBrowser, launchBrowser, openChat, sendMessage, waitForBotText } from '../helpers/browser';
import { startTestApp, type RunningApp } from '../helpers/app';

/**
 * A non-customer files a queja on the real web page, then asks for its status in a new
 * conversation (a new browser context), proving ownership with the document number.
 */
describeWithBrowser('web chat journey in Chromium (real bot)', () => {
  let running: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    running = await startTestApp();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('files a queja as a non-customer and finds it again in a new conversation', async () => {
    const first = await openChat(browser, `${running.url}/`, { width: 375, height: 740 });
    const { page } = first;
    await waitForBotText(page, /asistente virtual/);
    await clickSuggestedAction(page, 'Radicar una PQR');
    await waitForBotText(page, /Autorizas el tratamiento/);
    await clickSuggestedAction(page, 'Acepto');
    await waitForBotText(page, /Eres cliente/);
    await clickSuggestedAction(page, /^No$/);
    await waitForBotText(page, /nombre completo/);
    await sendMessage(page, 'Laura Gómez Ríos');
    await waitForBotText(page, /tipo de documento/);
    await clickSuggestedAction(page, 'Cédula de ciudadanía');
    await waitForBotText(page, /número de tu documento/);
    await sendMessage(page, '1020304050');
    await waitForBotText(page, /correo electrónico/);
    await sendMessage(page, 'laura.gomez@example.com');
    await waitForBotText(page, /Cuéntame qué pasó/);
    await sendMessage(page, 'El asesor del punto de venta me trató muy mal y me dejó esperando una hora sin atenderme');
    await waitForBotText(page, /agregar algo más/);
    await clickSuggestedAction(page, 'Es todo');
    const proposal = await waitForBotText(page, /Es correcto|describe mejor/);
    if (/Es correcto/.test(proposal) && /queja/.test(proposal)) await clickSuggestedAction(page, /^Sí, es queja$/);
    else await clickSuggestedAction(page, /^Queja$/);
    await waitForBotText(page, /recibir la respuesta/);
    await clickSuggestedAction(page, 'En este chat');
    await waitForBotText(page, /Revisa tu PQR/);
    await clickSuggestedAction(page, 'Sí, radicar');
    const filed = await waitForBotText(page, /CUN/);
    const cun = /\d{4}-\d{2}-\d{10}/.exec(filed)?.[0];
    expect(cun).toBeDefined();
    expect(filed).toContain('Radicamos tu queja');
    expect(filed).toContain('15 de diciembre de 2026');
    await page.screenshot({ path: '/tmp/journey-filed.png' });
    expect(first.errors).toEqual([]);
    await first.close();

    const second = await openChat(browser, `${running.url}/`);
    await waitForBotText(second.page, /asistente virtual/);
    await sendMessage(second.page, `hola, como va mi pqr ${cun!.replace(/-/g, '')}`);
    await waitForBotText(second.page, /documento o la línea/);
    await sendMessage(second.page, '1020304050');
    const status = await waitForBotText(second.page, /Estado:/);
    expect(status).toContain(cun);
    expect(status).toMatch(/Estado: radicada/);
    expect(status).toContain('Fecha máxima de respuesta: 15 de diciembre de 2026');
    // A new chat that only knows the document is not verified as the owner: the CUN lookup's fields, nothing private.
    expect(status).not.toContain('Dirección de notificación');
    expect(status).not.toContain('me trató muy mal');
    await second.close();

    const rows = await running.db.prisma.pqr.findMany({ include: { nonCustomer: true, events: true } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ cun, type: 'queja', status: 'radicada', entryChannel: 'webchat' });
    expect(rows[0].nonCustomer?.documentNumber).toBe('1020304050');
    expect(rows[0].events.map((e) => e.action)).toEqual(['radicada']);
  });
});
