import type { Browser, Page } from 'playwright-core';
import { saveAgent } from '../../src/backoffice';
import { FixedClock } from '../../src/pqr';
import { fileCase } from '../backoffice/helpers';
import { startTestApp, type RunningApp } from '../helpers/app';
import { axeViolations, describeWithBrowser, focusIsVisible, launchBrowser, openBackofficePage, pressUntilFocused } from '../helpers/browser';

/** An agent answers a case without touching the mouse; axe checks the sign-in, the queue, the case and its answer form. */
describeWithBrowser('back office page: keyboard only and WCAG 2.1 AA (axe-core)', () => {
  let running: RunningApp;
  let browser: Browser;
  let page: Page;
  let cun: string;
  let errors: string[] = [];

  beforeAll(async () => {
    running = await startTestApp({}, new FixedClock('2026-11-23T15:00:00Z'));
    cun = (await fileCase(running.app, { description: 'Me descontaron saldo por un paquete que no activé' })).cun;
    await fileCase(running.app, { type: 'queja', channel: 'webchat', userId: 'dl_queja' });
    await saveAgent(running.app.db.prisma, { email: 'ana@operador.co', name: 'Ana Agente', role: 'agent', password: 'clave-de-ana-123' });
    browser = await launchBrowser();
    ({ page, errors } = await openBackofficePage(browser, { width: 1366, height: 768 }));
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('answers a case with Tab, arrows, typing and Enter, with no serious or critical violation on any screen', async () => {
    await page.goto(`${running.url}/backoffice`);
    await page.locator('#login-email').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // The sign-in form has the focus when the page opens.
    await pressUntilFocused(page, 'Tab', (f) => f.id === 'login-email');
    await page.keyboard.type('ana@operador.co');
    await page.keyboard.press('Tab');
    await page.keyboard.type('clave-de-ana-123');
    await page.keyboard.press('Enter');
    await page.locator('#queue-body tr').nth(1).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await pressUntilFocused(page, 'Tab', (f) => f.tag === 'button' && f.text === cun);
    await page.keyboard.press('Enter');
    await page.locator('#case-title', { hasText: cun }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await pressUntilFocused(page, 'Tab', (f) => f.id === 'answer-text', 60);
    await page.keyboard.type('Te devolvimos el saldo descontado.');
    await page.keyboard.press('Tab');
    // The first outcome is "Favorable"; one step down is "Parcialmente favorable".
    await page.keyboard.press('ArrowDown');
    await pressUntilFocused(page, 'Tab', (f) => f.tag === 'button' && f.text === 'Enviar respuesta');
    await page.keyboard.press('Enter');
    await page.locator('#case-notice', { hasText: 'Respuesta registrada' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    const stored = await running.app.db.prisma.pqr.findUniqueOrThrow({ where: { cun } });
    expect(stored).toMatchObject({ status: 'respondida', answerOutcome: 'parcial', answerText: 'Te devolvimos el saldo descontado.' });
    expect(errors).toEqual([]);
  });

  it('shows where the keyboard focus is on buttons, links, menus and the bar', async () => {
    for (const selector of ['#refresh', '#queue-body button.link', '#download-pdf', '#filters select[name="type"]', '#logout']) {
      expect([selector, await focusIsVisible(page, selector)]).toEqual([selector, true]);
    }
  });
});
