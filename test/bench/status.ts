import { Pool } from 'pg';
import { distribution, now, round, type Distribution } from './stats';
import { startApp, throwawayDb } from './webhook';

export interface StatusOptions {
  /** PQRs wanted in the table… */
  pqrs: number;
  /** …unless inserting them takes longer than this: then the bench goes on with what is there. */
  insertSeconds: number;
  /** Sequential lookups for the latency figures (also bounded by `seconds`). */
  lookups: number;
  seconds: number;
  /** Lookups in flight at once for the throughput figures. */
  concurrency: number;
}

export interface LookupFigures {
  latency: Distribution;
  lookupsPerSecond: number;
}

export interface StatusResult {
  pqrs: number;
  requested: number;
  insertSeconds: number;
  owners: number;
  app: LookupFigures;
  baseline: LookupFigures;
  /** Lookups that did not find the owner's PQR: must be 0. */
  misses: number;
}

const BATCH = 100_000;
const YEAR = 26;
const CODE = '0100';

const cunOf = (i: number) => `${CODE}-${YEAR}-${String(i).padStart(10, '0')}`;
const ownerOf = (i: number, owners: number) => `573${String(1 + (i % owners)).padStart(9, '0')}`;

/**
 * Status lookup by CUN (`PqrService.statusFor`, as the status dialog calls it, with the owner's
 * channel identity) on a PostgreSQL table of many PQRs, inserted with SQL in batches, next to the
 * same row fetched by CUN with a bare `pg` query.
 */
export async function runStatusLookup(options: StatusOptions): Promise<StatusResult> {
  const db = await throwawayDb('postgresql');
  const pool = new Pool({ connectionString: db.url, max: options.concurrency });
  // An idle connection that drops (e.g. PostgreSQL restarted by someone) fails the next query instead of the process.
  pool.on('error', () => undefined);
  let running: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    const owners = Math.max(1, Math.min(100_000, Math.floor(options.pqrs / 10)));
    const insertStarted = now();
    await pool.query(
      `INSERT INTO "ChannelIdentity" ("channel", "userId", "consentAt", "consentVersion", "lastInboundAt")
       SELECT 'whatsapp', '573' || lpad(i::text, 9, '0'), now(), 'bench', now() FROM generate_series(1, $1::int) AS i`,
      [owners],
    );
    const { rows } = await pool.query<{ first: number }>(`SELECT min("id") AS first FROM "ChannelIdentity"`);
    const firstIdentity = Number(rows[0].first);
    let inserted = 0;
    while (inserted < options.pqrs && (now() - insertStarted) / 1000 < options.insertSeconds) {
      const to = Math.min(options.pqrs, inserted + BATCH);
      await pool.query(
        `INSERT INTO "Pqr" ("cun", "type", "description", "entryChannel", "notifyChannel", "notifyAddress", "identityId",
                            "status", "filedAt", "countedFrom", "dueDate", "updatedAt")
         SELECT '${CODE}-${YEAR}-' || lpad(i::text, 10, '0'),
                (ARRAY['peticion', 'queja', 'reclamo'])[1 + i % 3],
                'Me cobraron un paquete de datos que no pedí y me descontaron el saldo (caso ' || i || ')',
                'whatsapp', 'whatsapp', 'whatsapp:573' || lpad((1 + i % $3::int)::text, 9, '0'),
                $4::int + (i % $3::int),
                (ARRAY['radicada', 'en_tramite', 'respondida', 'cerrada'])[1 + i % 4],
                filed, filed + interval '1 day', filed + interval '21 days', now()
         FROM generate_series($1::int, $2::int) AS i,
              LATERAL (SELECT timestamp '2026-01-02 15:00' + (i % 300) * interval '1 day' AS filed) AS t`,
        [inserted + 1, to, owners, firstIdentity],
      );
      inserted = to;
    }
    await pool.query('ANALYZE "Pqr"; ANALYZE "ChannelIdentity"');
    const insertSeconds = (now() - insertStarted) / 1000;

    running = await startApp(db.url);
    const { app } = running;
    const pick = () => 1 + Math.floor(Math.random() * inserted);
    let misses = 0;
    const appLookup = async (i: number) => {
      const found = await app.pqr.statusFor(cunOf(i), await app.identities.requester({ channel: 'whatsapp', userId: ownerOf(i, owners) }));
      if (!found) misses++;
    };
    const bareLookup = async (i: number) => {
      const result = await pool.query('SELECT * FROM "Pqr" WHERE "cun" = $1', [cunOf(i)]);
      if (result.rowCount !== 1) misses++;
    };
    // Warm both paths (connections, prepared plans, JIT) before measuring either.
    for (let k = 0; k < 200; k++) {
      await appLookup(pick());
      await bareLookup(pick());
    }
    misses = 0;
    const measure = async (lookup: (i: number) => Promise<void>): Promise<LookupFigures> => {
      const latencies: number[] = [];
      const deadline = now() + (options.seconds * 1000) / 2;
      for (let k = 0; k < options.lookups && now() < deadline; k++) {
        const t0 = now();
        await lookup(pick());
        latencies.push(now() - t0);
      }
      let done = 0;
      const started = now();
      const until = started + (options.seconds * 1000) / 2;
      await Promise.all(
        Array.from({ length: options.concurrency }, async () => {
          for (let k = 0; k < options.lookups && now() < until; k++) {
            await lookup(pick());
            done++;
          }
        }),
      );
      return { latency: distribution(latencies), lookupsPerSecond: done / ((now() - started) / 1000) };
    };
    const appFigures = await measure(appLookup);
    const baseline = await measure(bareLookup);
    return { pqrs: inserted, requested: options.pqrs, insertSeconds: round(insertSeconds, 1), owners, app: appFigures, baseline, misses };
  } finally {
    await running?.app.close();
    await pool.end();
    await db.close();
  }
}
