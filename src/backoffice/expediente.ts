import { normalizeCun, verifyChain } from '../pqr';
import type { Db } from '../storage';

/**
 * A PQR's complete file: the case, its owner, its evidence's fingerprints and every event of its
 * hash chain as stored, with the chain checked. What the SIC receives, as JSON or PDF.
 */
export async function loadExpediente(prisma: Db, cunInput: string) {
  const cun = normalizeCun(cunInput);
  if (!cun) return null;
  const pqr = await prisma.pqr.findUnique({
    where: { cun },
    include: {
      brand: { select: { name: true } },
      subscriber: true,
      events: { orderBy: { seq: 'asc' } },
      attachments: { select: { id: true, kind: true, mimeType: true, fileName: true, size: true, sha256: true, createdAt: true }, orderBy: { id: 'asc' } },
    },
  });
  if (!pqr) return null;
  return { pqr, verification: verifyChain(pqr.events) };
}

export type Expediente = NonNullable<Awaited<ReturnType<typeof loadExpediente>>>;

/**
 * The JSON expediente. `before`/`after` are the exact stored texts the hashes cover, so anyone can
 * recompute each hash: sha256 of the canonical JSON (keys sorted) of
 * { prevHash, seq, at (ISO 8601), actor, action, before, after }.
 */
export function expedienteJson(expediente: Expediente, generatedAt: Date) {
  const { pqr, verification } = expediente;
  return {
    cun: pqr.cun,
    generatedAt,
    case: {
      type: pqr.type,
      status: pqr.status,
      brand: pqr.brand?.name ?? null,
      entryChannel: pqr.entryChannel,
      notifyChannel: pqr.notifyChannel,
      filedAt: pqr.filedAt,
      countedFrom: pqr.countedFrom,
      dueDate: pqr.dueDate,
      answeredAt: pqr.answeredAt,
      notifiedAt: pqr.notifiedAt,
      vencida: pqr.vencida,
      recursoFiledAt: pqr.recursoFiledAt,
      recursoDueDate: pqr.recursoDueDate,
      decidedAt: pqr.decidedAt,
      decisionNotifiedAt: pqr.decisionNotifiedAt,
      recursoVencida: pqr.recursoVencida,
      trasladadaAt: pqr.trasladadaAt,
    },
    attachments: pqr.attachments,
    hashAlgorithm: 'sha256(canonical JSON of {prevHash, seq, at, actor, action, before, after}); first prevHash is 64 zeros',
    events: pqr.events.map((e) => ({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, before: e.before, after: e.after, prevHash: e.prevHash, hash: e.hash })),
    verification,
  };
}
