import type { Browser, Page } from 'playwright-core';
import { saveAgent } from '../../src/backoffice';
import { FixedClock } from '../../src/pqr';
import { startTestApp, type RunningApp } from '../helpers/app';
import { describeWithBrowser, launchBrowser, openBackofficePage, signInToBackoffice } from '../helpers/browser';
import { fileCase } from './helpers';

describeWithBrowser('holidays on the back office page in Chromium', () => {
  let running: RunningApp;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    running = await startTestApp({}, new FixedClock('2026-11-23T15:00:00Z'));
    await fileCase(running.app);
    await saveAgent(running.app.db.prisma, { email: 'sofia@operador.co', name: 'Sofía Supervisora', role: 'supervisor', password: 'clave-de-sofia-123' });
    browser = await launchBrowser();
    ({ page, errors } = await openBackofficePage(browser));
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('a supervisor adds a decreed holiday on the page and is told that terms already computed do not change', async () => {
    await signInToBackoffice(page, running.url, 'sofia@operador.co', 'clave-de-sofia-123');
    await page.getByLabel('Año').fill('2026');
    await page.getByRole('button', { name: 'Ver festivos' }).click();
    await page.locator('#holidays-list li', { hasText: 'martes, 8 de diciembre de 2026' }).waitFor();
    expect(await page.locator('#holidays-list li', { hasText: '8 de diciembre' }).innerText()).toContain('(ley)');

    await page.getByLabel('Día', { exact: true }).fill('2026-12-01');
    await page.getByLabel('Norma o motivo').fill('Decreto 0999 de 2026: día cívico');
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.locator('#holidays-notice', { hasText: 'Los términos ya calculados no cambian: los casos abiertos cuyo término incluye ese día (1) conservan su fecha límite.' }).waitFor();
    expect(await page.locator('#holidays-list li', { hasText: '1 de diciembre de 2026' }).innerText()).toContain('Decreto 0999 de 2026: día cívico (ajuste del operador)');
    expect(running.app.calendar.isHoliday('2026-12-01')).toBe(true);
    expect(errors).toEqual([]);
  });
});
