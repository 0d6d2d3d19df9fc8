import type { Browser, Page } from 'playwright-core';
import { saveAgent } from '../../src/backoffice';
import { FixedClock } from '../../src/pqr';
import { startTestApp, type RunningApp } from '../helpers/app';
import { describeWithBrowser, launchBrowser } from '../helpers/browser';
import { BOOTSTRAP_TOKEN, call, fileCase } from './helpers';

const SCREENSHOT = '/tmp/backoffice.png';

describeWithBrowser('back office page in Chromium', () => {
  let running: RunningApp;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let cun: string;
  let otherCun: string;

  beforeAll(async () => {
    const clock = new FixedClock('2026-11-23T15:00:00Z');
    running = await startTestApp({ BACKOFFICE_TOKEN: BOOTSTRAP_TOKEN }, clock);
    cun = (await fileCase(running.app, { description: 'Me descontaron saldo por un paquete que no activé' })).cun;
    clock.set('2026-11-24T15:00:00Z');
    otherCun = (await fileCase(running.app, { type: 'queja', channel: 'webchat', userId: 'dl_queja' })).cun;
    await saveAgent(running.app.db.prisma, { email: 'ana@operador.co', name: 'Ana Agente', role: 'agent', password: 'clave-de-ana-123' });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'es-CO', timezoneId: 'America/Bogota' });
    page = await context.newPage();
    page.on('console', (message) => {
      // The refused sign-in (401) and the conflict (409) are provoked on purpose; anything else, CSP included, is a fault.
      if (message.type() === 'error' && !/^Failed to load resource: .* (401|409) /.test(message.text())) errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  const row = (c: string) => page.locator('#queue-body tr', { has: page.getByRole('button', { name: c }) });

  it('signs in, after explaining a wrong password in a sentence', async () => {
    await page.goto(`${running.url}/backoffice`);
    await page.getByLabel('Correo electrónico').fill('ana@operador.co');
    await page.getByLabel('Contraseña').fill('no-es-la-clave');
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await expectText(page.locator('#login-error'), 'Correo o contraseña incorrectos.');

    await page.getByLabel('Contraseña').fill('clave-de-ana-123');
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await expectText(page.locator('#who'), 'Ana Agente · Agente');
  });

  it('shows the queue by due date, with the traffic light', async () => {
    await row(cun).waitFor();
    const cuns = await page.locator('#queue-body tr button').allInnerTexts();
    expect(cuns).toEqual([cun, otherCun]);
    expect(await row(cun).innerText()).toContain('A tiempo');
    expect(await row(cun).innerText()).toContain('Radicada');
    await page.getByLabel('Tipo').selectOption('queja');
    await eventually(async () => expect(await page.locator('#queue-body tr button').allInnerTexts()).toEqual([otherCun]));
    await page.getByLabel('Tipo').selectOption('');
    await row(cun).waitFor();
  });

  it('tells the agent, in a sentence, that someone else answered the case meanwhile', async () => {
    await page.getByRole('button', { name: otherCun }).click();
    await expectText(page.locator('#case-title'), `Queja ${otherCun}`);
    await call(running.url, 'POST', `/pqrs/${otherCun}/answer`, { token: BOOTSTRAP_TOKEN, json: { text: 'Revisamos la antena.', outcome: 'favorable' } });
    await page.getByLabel('Respuesta al usuario').fill('Tu queja fue atendida.');
    await page.getByRole('button', { name: 'Enviar respuesta' }).click();
    await expectText(page.locator('#case-error'), 'La PQR ya no está en un estado que permita esta acción');
    await expectText(page.locator('#case-status'), 'Respondida');
    expect(await page.locator('#answer-form').isHidden()).toBe(true);
  });

  it('opens a case and answers it; the status changes on the page and in the database', async () => {
    await page.getByRole('button', { name: cun }).click();
    await expectText(page.locator('#case-title'), `Reclamo ${cun}`);
    await expectText(page.locator('#case-status'), 'Radicada');
    await expectText(page.locator('#description'), 'Me descontaron saldo por un paquete que no activé');
    await expectText(page.locator('#deadlines'), 'Fecha límite de respuesta');
    await expectText(page.locator('#events'), 'Radicación');

    await page.getByRole('button', { name: 'Enviar respuesta' }).click();
    await expectText(page.locator('#case-error'), 'Escribe el texto antes de enviar.');

    await page.getByLabel('Respuesta al usuario').fill('Te devolvimos el saldo descontado.');
    await page.getByLabel('Sentido de la respuesta').selectOption('parcial');
    await page.getByRole('button', { name: 'Enviar respuesta' }).click();
    await expectText(page.locator('#case-notice'), 'Respuesta registrada');
    await expectText(page.locator('#case-status'), 'Respondida');
    await expectText(page.locator('#decisions'), 'Respuesta (Parcialmente favorable)');
    await expectText(page.locator('#events'), 'Respuesta');
    await eventually(async () => expect(await row(cun).innerText()).toContain('Respondida'));
    expect(await page.locator('#case-error').isHidden()).toBe(true);

    const stored = await running.app.db.prisma.pqr.findUniqueOrThrow({ where: { cun } });
    expect(stored).toMatchObject({ status: 'respondida', answerOutcome: 'parcial', answerText: 'Te devolvimos el saldo descontado.' });
    await page.screenshot({ path: SCREENSHOT });
    expect(errors).toEqual([]);
  });

  it('signs out, revoking the session on the server, and sends a later visit to the sign-in form', async () => {
    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('pqr-backoffice-session') ?? '{}').token as string);
    expect((await fetch(`${running.url}/api/backoffice/me`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await expectText(page.locator('#login-error'), 'Cerraste la sesión.');
    expect((await fetch(`${running.url}/api/backoffice/me`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    await page.reload();
    expect(await page.locator('#login').isVisible()).toBe(true);
  });
});

/** Retries an assertion until it holds (the page updates after its requests) or the time is up. */
async function eventually(assertion: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await eventually(async () => expect((await locator.isVisible()) ? await locator.innerText() : '').toContain(text));
}
