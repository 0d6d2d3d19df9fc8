import type { Browser, Page } from 'playwright-core';
import { saveAgent } from '../../src/backoffice';
import { FixedClock } from '../../src/pqr';
import { startTestApp, type RunningApp } from '../helpers/app';
import { describeWithBrowser, launchBrowser, openBackofficePage, signInToBackoffice } from '../helpers/browser';

describeWithBrowser('data-protection requests on the back office page in Chromium', () => {
  let running: RunningApp;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    running = await startTestApp({}, new FixedClock('2026-11-23T15:00:00Z'));
    const address = { channel: 'webchat', userId: 'habeas-page-user' };
    await running.app.identities.prove(address, 'email', 'titular.page@correo.com', 'code');
    await running.app.dataRequests.fileReclamo(await running.app.identities.requester(address), 'suprimir', null);
    await saveAgent(running.app.db.prisma, { email: 'ana@operador.co', name: 'Ana Agente', role: 'agent', password: 'clave-de-ana-1234' });
    browser = await launchBrowser();
    ({ page, errors } = await openBackofficePage(browser));
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('an agent sees a deletion request with its traffic light and due date, extends it once and closes it', async () => {
    await signInToBackoffice(page, running.url, 'ana@operador.co', 'clave-de-ana-1234');
    const row = page.locator('#data-requests-body tr', { hasText: 'Suprimir' });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/A tiempo\s+HD-2026-\d{6}\s+Suprimir\s+abierta\s+15 de diciembre de 2026/);

    await page.getByLabel('Motivo de la prórroga o respuesta').fill('Verificamos qué expedientes deben conservarse.');
    await page.getByRole('button', { name: 'Prorrogar' }).click();
    await page.locator('#data-requests-notice', { hasText: 'Prorrogada hasta el 28 de diciembre de 2026. Se avisó a la persona.' }).waitFor();
    await page.getByRole('button', { name: 'Prorrogar' }).click();
    await page.locator('#data-requests-error', { hasText: 'Escribe el motivo' }).waitFor();

    await page.getByLabel('Motivo de la prórroga o respuesta').fill('Suprimimos los datos que no debemos conservar.');
    await page.getByRole('button', { name: 'Responder y cerrar' }).click();
    await page.locator('#data-requests-notice', { hasText: 'Respondida y cerrada.' }).waitFor();
    expect(await page.locator('#data-requests-body tr', { hasText: 'Suprimir' }).innerText()).toContain('Cerrada');
    expect(await running.app.db.prisma.identityProof.count({ where: { value: 'titular.page@correo.com' } })).toBe(0);
    expect(errors).toEqual([]);
  });
});
