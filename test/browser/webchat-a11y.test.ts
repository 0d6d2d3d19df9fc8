import type { Browser } from 'playwright-core';
import { startTestApp, type RunningApp } from '../helpers/app';
import {
  axeViolations,
  chooseSuggestedActionWithKeyboard,
  describeWithBrowser,
  focusIsVisible,
  launchBrowser,
  openChat,
  sendMessageWithKeyboard,
  waitForBotText,
} from '../helpers/browser';

/** A subscriber files a reclamo on the real web page without touching the mouse; axe checks every screen on the way. */
describeWithBrowser('web chat page: keyboard only and WCAG 2.1 AA (axe-core)', () => {
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

  it('files a whole PQR with Tab, arrows, typing and Enter, with no serious or critical violation on any screen', async () => {
    const chat = await openChat(browser, `${running.url}/`);
    const { page } = chat;
    await waitForBotText(page, /asistente virtual/);
    expect(await axeViolations(page)).toEqual([]);
    expect(await focusIsVisible(page, '.webchat__suggested-action')).toBe(true);

    await chooseSuggestedActionWithKeyboard(page, 'Radicar una PQR');
    await waitForBotText(page, /Autorizas el tratamiento/);
    await chooseSuggestedActionWithKeyboard(page, 'Acepto');
    await waitForBotText(page, /Eres cliente/);
    expect(await axeViolations(page)).toEqual([]);
    await chooseSuggestedActionWithKeyboard(page, /^No$/);
    await waitForBotText(page, /nombre completo/);
    await sendMessageWithKeyboard(page, 'Laura Gómez Ríos');
    await waitForBotText(page, /tipo de documento/);
    await chooseSuggestedActionWithKeyboard(page, 'Cédula de ciudadanía');
    await waitForBotText(page, /número de tu documento/);
    await sendMessageWithKeyboard(page, '1020304050');
    await waitForBotText(page, /correo electrónico/);
    await sendMessageWithKeyboard(page, 'laura.gomez@example.com');
    await waitForBotText(page, /Cuéntame qué pasó/);
    await sendMessageWithKeyboard(page, 'Me cobraron dos veces la factura de este mes y no me devuelven el dinero');
    await waitForBotText(page, /agregar algo más/);
    await chooseSuggestedActionWithKeyboard(page, 'Es todo');
    const proposal = await waitForBotText(page, /Es correcto|describe mejor/);
    if (/Es correcto/.test(proposal) && /reclamo/.test(proposal)) await chooseSuggestedActionWithKeyboard(page, /^Sí, es reclamo$/);
    else await chooseSuggestedActionWithKeyboard(page, /^Reclamo$/);
    await waitForBotText(page, /recibir la respuesta/);
    await chooseSuggestedActionWithKeyboard(page, 'En este chat');
    await waitForBotText(page, /Revisa tu PQR/);
    // The summary with its buttons: the screen with the most on it.
    expect(await axeViolations(page)).toEqual([]);
    await chooseSuggestedActionWithKeyboard(page, 'Sí, radicar');
    const filed = await waitForBotText(page, /CUN/);
    expect(filed).toContain('Radicamos tu reclamo');
    expect(await axeViolations(page)).toEqual([]);

    const rows = await running.db.prisma.pqr.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'reclamo', entryChannel: 'webchat', cun: /\d{4}-\d{2}-\d{10}/.exec(filed)?.[0] });
    expect(chat.errors).toEqual([]);
    await chat.close();
  });
});
