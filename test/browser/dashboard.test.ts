import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { saveAgent } from '../../src/backoffice';
import { FixedClock } from '../../src/pqr';
import { startTestApp, type RunningApp } from '../helpers/app';
import { axeViolations, describeWithBrowser, launchBrowser, openBackofficePage, signInToBackoffice } from '../helpers/browser';
import { seedReportData } from '../helpers/reports-seed';
import { call, login } from '../backoffice/helpers';

const NOW = '2026-11-23T15:00:00Z';
const FROM = '2025-11-24';
const TO = '2026-11-23';
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');
const DAY_MS = 86_400_000;
const BOGOTA_MS = -5 * 3_600_000;

/** The Monday (Bogotá) starting the week of an instant, computed here from the instant itself. */
function mondayOf(instant: Date): string {
  const local = new Date(instant.getTime() + BOGOTA_MS);
  const midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  const sinceMonday = (local.getUTCDay() + 6) % 7;
  return new Date(midnight - sinceMonday * DAY_MS).toISOString().slice(0, 10);
}

function countBy<T>(rows: T[], key: (row: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[key(row)] = (counts[key(row)] ?? 0) + 1;
  return counts;
}

/** A chart's text alternative as numbers: { rowKey: { column: value } }, zeros left out. */
async function chartNumbers(page: Page, chart: string): Promise<Record<string, Record<string, number>>> {
  return page.locator(`#chart-${chart} table`).evaluate((table) => {
    const columns = [...table.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
    const out: Record<string, Record<string, number>> = {};
    for (const row of table.querySelectorAll('tbody tr')) {
      [...row.children].forEach((cell, i) => {
        const value = Number((cell as HTMLElement).dataset.value ?? NaN);
        if (i === 0 || !value || columns[i] === 'Total') return;
        const key = (row as HTMLElement).dataset.key!;
        (out[key] ??= {})[columns[i]] = value;
      });
    }
    return out;
  });
}

/** The same shape from rows of the database: { week: { seriesLabel: count } }. */
function weekly<T>(rows: T[], when: (row: T) => Date, series: (row: T) => string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const row of rows) {
    const week = mondayOf(when(row));
    (out[week] ??= {})[series(row)] = (out[week][series(row)] ?? 0) + 1;
  }
  return out;
}

describeWithBrowser('supervisors\' dashboard in Chromium', () => {
  let running: RunningApp;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    running = await startTestApp({}, new FixedClock(NOW));
    await seedReportData(running.app.db.prisma, { now: new Date(NOW), days: 365, count: 1200 });
    await saveAgent(running.app.db.prisma, { email: 'sofia@operador.co', name: 'Sofía Supervisora', role: 'supervisor', password: 'clave-de-sofia-123' });
    await saveAgent(running.app.db.prisma, { email: 'ana@operador.co', name: 'Ana Agente', role: 'agent', password: 'clave-de-ana-123' });
    browser = await launchBrowser();
    ({ page, errors } = await openBackofficePage(browser));
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  async function signIn(email: string, password: string): Promise<void> {
    await signInToBackoffice(page, running.url, email, password);
    await page.locator('#who').waitFor();
  }

  async function showPeriod(from: string, to: string): Promise<void> {
    await page.getByLabel('Desde').fill(from);
    await page.getByLabel('Hasta').fill(to);
    await page.getByRole('button', { name: 'Aplicar filtros' }).click();
  }

  it('is not offered to an agent', async () => {
    await signIn('ana@operador.co', 'clave-de-ana-123');
    await page.locator('#queue-body tr').first().waitFor();
    expect(await page.getByRole('button', { name: 'Tablero' }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
  });

  it('shows a year of PQRs whose charted numbers match the database', async () => {
    await signIn('sofia@operador.co', 'clave-de-sofia-123');
    // The supervisor's queue, with the sections only supervisors see.
    await page.locator('#queue-body tr').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Tablero' }).click();
    await page.locator('#chart-filed-type canvas').waitFor();
    await showPeriod(FROM, TO);
    await page.locator('#dashboard-status', { hasText: 'Tablero actualizado' }).waitFor();

    const start = new Date(`${FROM}T05:00:00Z`);
    const end = new Date(new Date(`${TO}T05:00:00Z`).getTime() + DAY_MS - 1);
    const pqrs = await running.app.db.prisma.pqr.findMany({ where: { filedAt: { gte: start, lte: end } } });
    expect(pqrs.length).toBeGreaterThan(1000);
    const typeLabels: Record<string, string> = { peticion: 'Petición', queja: 'Queja', reclamo: 'Reclamo' };
    const brandLabels: Record<string, string> = { vozz: 'Vozz Móvil', andes: 'Andes Cel' };
    const channelLabels: Record<string, string> = { whatsapp: 'WhatsApp', telegram: 'Telegram', webchat: 'Chat web' };

    expect(await chartNumbers(page, 'filed-type')).toEqual(weekly(pqrs, (p) => p.filedAt, (p) => typeLabels[p.type]));
    expect(await chartNumbers(page, 'filed-brand')).toEqual(weekly(pqrs, (p) => p.filedAt, (p) => (p.brandId ? brandLabels[p.brandId] : 'No cliente')));
    expect(await chartNumbers(page, 'filed-channel')).toEqual(weekly(pqrs, (p) => p.filedAt, (p) => channelLabels[p.entryChannel]));
    const answered = pqrs.filter((p) => p.answeredAt);
    expect(await chartNumbers(page, 'answered')).toEqual(weekly(answered, (p) => p.filedAt, (p) => (p.answeredAt! <= p.dueDate ? 'A tiempo' : 'Tarde')));
    expect(await chartNumbers(page, 'silencio')).toEqual(weekly(pqrs.filter((p) => p.vencida), (p) => p.filedAt, () => 'Casos'));
    expect(await chartNumbers(page, 'recursos')).toEqual(weekly(pqrs.filter((p) => p.recursoFiledAt), (p) => p.filedAt, () => 'Recursos'));
    expect(await chartNumbers(page, 'traslados')).toEqual(weekly(pqrs.filter((p) => p.trasladadaAt), (p) => p.filedAt, () => 'Traslados'));
    const decided = countBy(pqrs.filter((p) => p.recursoFiledAt), (p) => p.decisionOutcome ?? 'pendiente');
    expect(await chartNumbers(page, 'recursos-outcome')).toEqual(Object.fromEntries(Object.entries(decided).map(([k, n]) => [k, { Recursos: n }])));

    const open = await running.app.db.prisma.pqr.count({ where: { status: { not: 'cerrada' } } });
    const byDaysLeft = await chartNumbers(page, 'open-days-left');
    const noDeadline = Number(/(\d+) casos abiertos no tienen plazo/.exec(await page.locator('#chart-open-days-left').innerText())?.[1]);
    expect(Object.values(byDaysLeft).reduce((n, row) => n + row.Casos, 0) + noDeadline).toBe(open);
    const oldest = await running.app.db.prisma.pqr.findMany({ where: { status: { not: 'cerrada' } }, orderBy: [{ filedAt: 'asc' }, { id: 'asc' }], take: 10 });
    expect(await page.locator('#chart-oldest tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.key))).toEqual(oldest.map((p) => p.cun));

    const clarifications = await running.app.db.prisma.nluClarification.findMany({ where: { askedAt: { gte: start, lte: end } } });
    expect(await chartNumbers(page, 'clarifications')).toEqual(weekly(clarifications, (c) => c.askedAt, () => 'Aclaraciones'));
    expect(await page.locator('#chart-csat').innerText()).toContain('Aún no hay calificaciones');

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, 'dashboard.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    // eslint-disable-next-line no-console
    console.log(`dashboard screenshot: ${screenshot}`);
  });

  it('sorts open cases by the same traffic light as the queue, case by case', async () => {
    const token = await login(running.url, 'sofia@operador.co', 'clave-de-sofia-123');
    const open = 'radicada,en_tramite,respondida,recurso_interpuesto,reposicion_decidida,trasladada_sic';
    const lights: Record<string, number> = { overdue: 0, due_soon: 0, on_time: 0, none: 0 };
    for (let page = 1; ; page++) {
      const { body } = await call(running.url, 'GET', `/pqrs?status=${open}&pageSize=100&page=${page}`, { token });
      for (const item of body.items) lights[item.light ?? 'none']++;
      if (page * 100 >= body.total) break;
    }
    const { body: summary } = await call(running.url, 'GET', '/reports/summary', { token });
    expect({ ...summary.open.byLight, none: summary.open.noDeadline }).toEqual(lights);
  });

  it('has no serious or critical WCAG 2.1 AA violation with its charts drawn', async () => {
    expect(await axeViolations(page)).toEqual([]);
  });

  it('says so when the filters match nothing, and explains a refused period', async () => {
    await showPeriod('2021-01-01', '2021-03-31');
    await page.locator('#dashboard-status', { hasText: 'No hay PQR radicadas' }).waitFor();
    expect(await page.locator('#chart-filed-type').innerText()).toContain('No hay datos para este periodo con estos filtros.');
    // Open cases are counted today, whatever the period: only that chart is still drawn.
    expect(await page.locator('#charts canvas').evaluateAll((canvases) => canvases.map((c) => c.closest('figure')!.id))).toEqual(['chart-open-days-left']);

    await showPeriod('2026-03-01', '2026-01-01');
    await page.locator('#dashboard-error', { hasText: 'El periodo está vacío' }).waitFor();
    await showPeriod('2016-01-01', '2026-01-01');
    await page.locator('#dashboard-error', { hasText: 'demasiado largo' }).waitFor();
    expect(errors.filter((e) => !/Failed to load resource: .* 400 /.test(e))).toEqual([]);
  });
});
