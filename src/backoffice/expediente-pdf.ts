import type PDFDocument from 'pdfkit';
import { formatDate, formatDateTime } from '../pqr';
import type { Expediente } from './expediente';
import { LABELS, label } from './labels';

const MARGIN = 50;

/** pdfkit (≈20 MiB with its fonts) is loaded the first time a PDF is asked for, not at start. */
function pdfKit(): typeof PDFDocument {
  const loaded = require('pdfkit') as typeof PDFDocument | { default: typeof PDFDocument };
  return 'default' in loaded ? loaded.default : loaded;
}

/**
 * pdfkit's built-in fonts speak WinAnsi only: anything else (emoji, other scripts) would come out
 * as garbage, so it is shown as "?" and the JSON expediente keeps the exact text.
 */
export function winAnsi(text: string): string {
  return text.normalize('NFC').replace(/[^\n\t\x20-\x7e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]/gu, '?');
}

function when(date: Date | null | undefined): string {
  return date ? formatDateTime(date) : '—';
}

/** Terms end on a day (23:59:59.999 Bogotá), so their hour says nothing. */
function day(date: Date | null | undefined): string {
  return date ? formatDate(date) : '—';
}

/** The expediente as a readable PDF in Spanish: the case, its owner, evidence, every event with its hashes and the chain check. */
export function renderExpedientePdf(expediente: Expediente, operator: string, generatedAt: Date): Promise<Buffer> {
  const { pqr, verification } = expediente;
  const doc = new (pdfKit())({
    size: 'A4',
    margin: MARGIN,
    info: { Title: `Expediente PQR ${pqr.cun}`, Author: winAnsi(operator), Subject: 'Expediente de PQR', CreationDate: generatedAt },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - 2 * MARGIN;
  const heading = (text: string) => {
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(13).fillColor('#1d4f91').text(winAnsi(text), { width });
    doc.moveDown(0.2).fillColor('black');
  };
  const field = (name: string, value: string | null | undefined) => {
    doc.font('Helvetica-Bold').fontSize(10).text(`${winAnsi(name)}: `, { continued: true, width });
    doc.font('Helvetica').text(winAnsi(value ?? '—'), { width });
  };
  const paragraph = (text: string | null) => doc.font('Helvetica').fontSize(10).text(winAnsi(text ?? '—'), { width });

  doc.font('Helvetica-Bold').fontSize(18).text(winAnsi(`Expediente de la PQR ${pqr.cun}`), { width });
  doc.font('Helvetica').fontSize(10).fillColor('#444').text(winAnsi(`${operator} · generado el ${formatDateTime(generatedAt)} (hora de Bogotá)`), { width }).fillColor('black');

  heading('Datos del caso');
  field('CUN', pqr.cun);
  field('Tipo', label(LABELS.type, pqr.type));
  field('Estado', label(LABELS.status, pqr.status));
  field('Marca', pqr.brand?.name ?? 'No cliente');
  field('Canal de entrada', label(LABELS.channel, pqr.entryChannel));
  field('Canal de notificación', label(LABELS.channel, pqr.notifyChannel));
  field('Dirección de notificación', pqr.notifyAddress);
  field('Radicada el', when(pqr.filedAt));
  field('Términos desde', day(pqr.countedFrom));
  field('Fecha límite de respuesta', day(pqr.dueDate));
  field('Respondida el', when(pqr.answeredAt));
  field('Respuesta notificada el', when(pqr.notifiedAt));
  field('Silencio administrativo positivo', pqr.vencida ? `sí, desde ${when(pqr.vencidaAt)}` : 'no');
  if (pqr.recursoFiledAt) field('Recurso presentado el', when(pqr.recursoFiledAt));
  if (pqr.recursoDueDate) field('Fecha límite para decidir el recurso', day(pqr.recursoDueDate));
  if (pqr.decidedAt) field('Recurso decidido el', when(pqr.decidedAt));
  if (pqr.decidedAt) field('Decisión notificada el', when(pqr.decisionNotifiedAt));
  if (pqr.recursoDueDate) field('Silencio positivo en la reposición', pqr.recursoVencida ? `sí, desde ${when(pqr.recursoVencidaAt)}` : 'no');
  if (pqr.sicDueDate) field('Fecha límite del traslado a la SIC', day(pqr.sicDueDate));
  if (pqr.trasladadaAt) field('Trasladada a la SIC el', when(pqr.trasladadaAt));

  heading('Usuario');
  if (pqr.subscriber) {
    field('Cliente de la marca', pqr.brand?.name ?? pqr.subscriber.brandId);
    field('Línea', pqr.subscriber.line);
    field('Nombre', pqr.subscriber.fullName);
    field('Documento', [pqr.subscriber.documentType, pqr.subscriber.documentNumber].filter(Boolean).join(' ') || null);
  } else if (pqr.requesterDocumentNumber) {
    // As the requester gave them when filing this PQR.
    field('Nombre', pqr.requesterName);
    field('Documento', `${pqr.requesterDocumentType ?? ''} ${pqr.requesterDocumentNumber}`.trim());
    field('Correo electrónico', pqr.requesterEmail);
  } else {
    paragraph('Sin datos del usuario.');
  }

  heading('Descripción');
  paragraph(pqr.description);
  if (pqr.answeredAt) {
    heading(`Respuesta (${label(LABELS.answerOutcome, pqr.answerOutcome)})`);
    paragraph(pqr.answerText);
  }
  if (pqr.recursoFiledAt) {
    heading(`Recurso: ${label(LABELS.recursoKind, pqr.recursoKind)}`);
    paragraph(pqr.recursoText);
  }
  if (pqr.decidedAt) {
    heading(`Decisión del recurso (${label(LABELS.decisionOutcome, pqr.decisionOutcome)})`);
    paragraph(pqr.decisionText);
  }

  heading('Pruebas aportadas');
  if (pqr.attachments.length === 0) paragraph('Ninguna.');
  for (const a of pqr.attachments) {
    doc.font('Helvetica').fontSize(10).text(winAnsi(`• ${a.fileName ?? a.kind} (${a.mimeType}, ${a.size} bytes), recibida el ${when(a.createdAt)}`), { width });
    doc.font('Courier').fontSize(8).text(`  sha256 ${a.sha256}`, { width });
  }

  heading(`Eventos (${pqr.events.length})`);
  for (const e of pqr.events) {
    doc.moveDown(0.3).font('Helvetica-Bold').fontSize(10).text(winAnsi(`${e.seq}. ${label(LABELS.action, e.action)} · ${when(e.at)} · ${e.actor}`), { width });
    doc.font('Courier').fontSize(7.5);
    if (e.before !== null) doc.text(winAnsi(`antes:   ${e.before}`), { width });
    if (e.after !== null) doc.text(winAnsi(`después: ${e.after}`), { width });
    doc.text(`hash anterior: ${e.prevHash}`, { width });
    doc.text(`hash:          ${e.hash}`, { width });
  }

  heading('Verificación de la cadena de eventos');
  paragraph(
    verification.ok
      ? `Íntegra: los ${pqr.events.length} eventos están encadenados en orden y cada hash corresponde a su contenido (SHA-256).`
      : `ROTA en el evento ${verification.brokenAt}: ${label(LABELS.chainBreak, verification.reason)}.`,
  );

  doc.end();
  return done;
}
