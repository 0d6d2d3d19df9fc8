import { answerTerm, BusinessCalendar, PQR_TYPES, reposicionDueDate, sicTransferDueDate } from '../../src/pqr';
import type { Db } from '../../src/storage';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const CHANNELS = ['whatsapp', 'telegram', 'webchat'] as const;
const BRANDS = ['vozz', 'andes', null] as const;
const INTENTS = ['radicar_pqr', 'consultar_estado', 'recurso', 'queja', 'reclamo'] as const;

/** A small deterministic generator (mulberry32): the same seed gives the same year of PQRs. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * `count` PQRs filed over the `days` before `now`, written as the lifecycle would leave them:
 * answered in term or late (or not yet), silencio positivo, recursos, decisions and traslados to
 * the SIC; plus clarifications and NLU corrections over the same days. Brands vozz and andes
 * (the default settings) and non-customers.
 */
export async function seedReportData(prisma: Db, options: { now: Date; days: number; count: number; seed?: number }): Promise<void> {
  const next = random(options.seed ?? 7);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const calendar = new BusinessCalendar();
  const now = options.now.getTime();
  const rows = [];
  for (let i = 1; i <= options.count; i++) {
    const filedAt = new Date(now - Math.floor(next() * options.days * DAY_MS));
    const { countedFrom, dueDate } = answerTerm(filedAt, calendar);
    const row: Record<string, unknown> = {
      cun: `0100-26-${String(i).padStart(10, '0')}`,
      type: pick(PQR_TYPES),
      description: 'Caso generado para el tablero',
      entryChannel: pick(CHANNELS),
      notifyChannel: 'whatsapp',
      notifyAddress: 'generado',
      brandId: pick(BRANDS),
      status: 'radicada',
      filedAt,
      countedFrom,
      dueDate,
    };
    // Answered between the first day of the term and ~3 weeks after it: most in term, some late.
    const answeredAt = new Date(countedFrom.getTime() + Math.floor(next() * 24 * DAY_MS) + 10 * HOUR_MS);
    const answered = answeredAt.getTime() < now && next() < 0.9;
    if (answered) {
      Object.assign(row, { status: 'respondida', answeredAt, answerText: 'Respuesta', answerOutcome: pick(['favorable', 'parcial', 'desfavorable']), notifiedAt: new Date(answeredAt.getTime() + HOUR_MS) });
    }
    const late = answered ? answeredAt > dueDate : dueDate.getTime() < now;
    if (late) Object.assign(row, { vencida: true, vencidaAt: new Date(dueDate.getTime() + HOUR_MS) });
    const recursoAt = new Date(answeredAt.getTime() + 2 * DAY_MS);
    if (answered && recursoAt.getTime() < now && next() < 0.25) {
      const kind = pick(['reposicion', 'reposicion_apelacion']);
      Object.assign(row, { status: 'recurso_interpuesto', recursoKind: kind, recursoText: 'No estoy de acuerdo', recursoFiledAt: recursoAt, recursoDueDate: reposicionDueDate(recursoAt, calendar) });
      const decidedAt = new Date(recursoAt.getTime() + 8 * DAY_MS);
      if (decidedAt.getTime() < now && next() < 0.7) {
        const outcome = pick(['repone', 'confirma']);
        const toSic = outcome === 'confirma' && kind === 'reposicion_apelacion';
        Object.assign(row, { status: 'reposicion_decidida', decisionText: 'Decisión', decisionOutcome: outcome, decidedAt, sicDueDate: toSic ? sicTransferDueDate(decidedAt, calendar) : null });
        const transferredAt = new Date(decidedAt.getTime() + 2 * DAY_MS);
        if (toSic && transferredAt.getTime() < now && next() < 0.6) Object.assign(row, { status: 'trasladada_sic', trasladadaAt: transferredAt });
      }
    }
    if (row.status === 'respondida' && answeredAt.getTime() + 30 * DAY_MS < now && next() < 0.5) Object.assign(row, { status: 'cerrada', closedAt: new Date(answeredAt.getTime() + 30 * DAY_MS) });
    rows.push(row);
  }
  await prisma.pqr.createMany({ data: rows as never });

  const clarifications = Math.ceil(options.count / 4);
  await prisma.nluClarification.createMany({
    data: Array.from({ length: clarifications }, () => ({ askedAt: new Date(now - Math.floor(next() * options.days * DAY_MS)), predicted: pick(INTENTS), confidence: 0.3 })),
  });
  await prisma.nluCorrection.createMany({
    data: Array.from({ length: Math.ceil(clarifications / 2) }, () => ({
      text: 'texto anonimizado',
      predicted: pick(INTENTS),
      chosen: pick(INTENTS),
      confidence: 0.3,
      createdAt: new Date(now - Math.floor(next() * options.days * DAY_MS)),
    })),
  });
}
