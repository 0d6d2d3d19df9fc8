import { Pool } from 'pg';
import { lastQuarter, recentWeeks, type ReportPeriod } from '../../src/backoffice/reports';
import { endOfBogotaDay, startOfBogotaDay } from '../../src/pqr/calendar';
import { now, percentile, round } from './stats';
import { startApp, throwawayDb } from './webhook';

export interface DashboardOptions {
  /** PQRs wanted in the table… */
  pqrs: number;
  /** …unless inserting them takes longer than this: then the bench goes on with what is there. */
  insertSeconds: number;
  /** Requests per case, one at a time (also bounded by `seconds`). */
  samples: number;
  seconds: number;
}

export interface Latency {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

export interface DashboardResult {
  pqrs: number;
  requested: number;
  insertSeconds: number;
  cases: { name: string; period: ReportPeriod; latency: Latency; baseline: Latency }[];
}

const BATCH = 100_000;
const TOKEN = 'bench-backoffice-token-0123456789abcdef';

function latencyOf(samples: number[]): Latency {
  return { count: samples.length, p50: round(percentile(samples, 50), 1), p95: round(percentile(samples, 95), 1), max: round(percentile(samples, 100), 1) };
}

/**
 * The supervisors' dashboard (`GET /api/backoffice/reports/summary`, over HTTP with a supervisor's
 * bearer) and the regulatory CSV on a PostgreSQL table of many PQRs spread over the last year:
 * three types, two brands and non-customers, three channels; 98 % answered (most in term, some
 * late) and notified, the rest never (silencio positivo), recursos, decisions and traslados.
 * Baseline of each request: the simplest aggregate over the same rows (the period's PQRs counted
 * by type) with a bare `pg` query.
 */
export async function runDashboard(options: DashboardOptions): Promise<DashboardResult> {
  const db = await throwawayDb('postgresql');
  const pool = new Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined);
  let running: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    // The app first: it writes the brands the PQRs refer to.
    running = await startApp(db.url, undefined, { BACKOFFICE_TOKEN: TOKEN });
    const insertStarted = now();
    let inserted = 0;
    while (inserted < options.pqrs && (now() - insertStarted) / 1000 < options.insertSeconds) {
      const to = Math.min(options.pqrs, inserted + BATCH);
      await pool.query(
        `INSERT INTO "Pqr" ("cun", "type", "description", "entryChannel", "notifyChannel", "notifyAddress", "brandId", "status",
                            "filedAt", "countedFrom", "dueDate", "answeredAt", "notifiedAt", "vencida", "recursoKind", "recursoFiledAt", "recursoDueDate",
                            "decisionOutcome", "decidedAt", "trasladadaAt", "updatedAt")
         SELECT '0100-25-' || lpad(i::text, 10, '0'),
                (ARRAY['peticion', 'queja', 'reclamo'])[1 + i % 3],
                'Caso generado para el banco de pruebas del tablero',
                c.channel, c.channel, 'bench',
                (ARRAY['vozz', 'andes', NULL])[1 + (i / 3) % 3],
                CASE WHEN i % 28 = 0 AND answered THEN 'trasladada_sic' WHEN i % 14 = 0 AND answered THEN 'reposicion_decidida'
                     WHEN i % 7 = 0 AND answered THEN 'recurso_interpuesto' WHEN answered AND i % 2 = 0 THEN 'cerrada'
                     WHEN answered THEN 'respondida' ELSE 'radicada' END,
                filed, filed + interval '1 day', filed + interval '21 days',
                CASE WHEN answered THEN answer END,
                CASE WHEN answered THEN answer + interval '1 hour' END,
                (answered AND answer > filed + interval '21 days') OR (NOT answered AND filed + interval '21 days' < now()),
                CASE WHEN i % 7 = 0 AND answered THEN 'reposicion_apelacion' END,
                CASE WHEN i % 7 = 0 AND answered THEN answer + interval '2 days' END,
                CASE WHEN i % 7 = 0 AND answered THEN answer + interval '23 days' END,
                CASE WHEN i % 14 = 0 AND answered THEN 'confirma' END,
                CASE WHEN i % 14 = 0 AND answered THEN answer + interval '10 days' END,
                CASE WHEN i % 28 = 0 AND answered THEN answer + interval '12 days' END,
                now()
         FROM generate_series($1::int, $2::int) AS i,
              LATERAL (SELECT (ARRAY['whatsapp', 'telegram', 'webchat'])[1 + (i / 9) % 3] AS channel) AS c,
              LATERAL (SELECT now() - (i % 365) * interval '1 day' - (i % 24) * interval '1 hour' AS filed) AS f,
              LATERAL (SELECT filed + (2 + i % 25) * interval '1 day' AS answer) AS a,
              LATERAL (SELECT i % 50 <> 0 AND filed + (2 + i % 25) * interval '1 day' < now() AS answered) AS b`,
        [inserted + 1, to],
      );
      inserted = to;
    }
    await pool.query('ANALYZE "Pqr"');
    const insertSeconds = (now() - insertStarted) / 1000;

    const { url } = running;
    const get = async (path: string) => {
      const response = await fetch(`${url}/api/backoffice${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
      await response.arrayBuffer();
    };
    const today = new Date();
    const year = { from: new Date(today.getTime() - 364 * 86_400_000 - 5 * 3_600_000).toISOString().slice(0, 10), to: recentWeeks(today).to };
    const cases: [string, ReportPeriod, string][] = [
      ['summary, last 13 weeks (default)', recentWeeks(today), '/reports/summary'],
      ['summary, one year', year, `/reports/summary?from=${year.from}&to=${year.to}`],
      ['summary, one year, one brand and channel', year, `/reports/summary?from=${year.from}&to=${year.to}&brand=vozz&channel=whatsapp`],
      ['regulatory.csv, last quarter (default)', lastQuarter(today), '/reports/regulatory.csv'],
    ];
    const measure = async (run: () => Promise<unknown>): Promise<Latency> => {
      for (let k = 0; k < 2; k++) await run();
      const samples: number[] = [];
      const deadline = now() + (options.seconds * 1000) / (2 * cases.length);
      for (let k = 0; k < options.samples && (k < 3 || now() < deadline); k++) {
        const t0 = now();
        await run();
        samples.push(now() - t0);
      }
      return latencyOf(samples);
    };
    const results = [];
    for (const [name, period, path] of cases) {
      const bounds = [startOfBogotaDay(period.from), endOfBogotaDay(period.to)];
      const baseline = await measure(() => pool.query('SELECT "type", COUNT(*) FROM "Pqr" WHERE "filedAt" >= $1 AND "filedAt" <= $2 GROUP BY 1', bounds));
      results.push({ name, period, latency: await measure(() => get(path)), baseline });
    }
    return { pqrs: inserted, requested: options.pqrs, insertSeconds: round(insertSeconds, 1), cases: results };
  } finally {
    await running?.app.close();
    await pool.end();
    await db.close();
  }
}
