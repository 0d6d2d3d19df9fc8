/**
 * Spanish names of the codes agents see, shared by the PDF expediente and the page (served to it
 * as /backoffice/labels.js). The back office is for the operator's staff in Colombia: Spanish only.
 */
export const LABELS = {
  type: { peticion: 'Petición', queja: 'Queja', reclamo: 'Reclamo' },
  status: {
    radicada: 'Radicada',
    en_tramite: 'En trámite',
    respondida: 'Respondida',
    recurso_interpuesto: 'Recurso interpuesto',
    reposicion_decidida: 'Reposición decidida',
    trasladada_sic: 'Trasladada a la SIC',
    cerrada: 'Cerrada',
  },
  channel: { whatsapp: 'WhatsApp', telegram: 'Telegram', webchat: 'Chat web', 'botframework:emulator': 'Emulator (Bot Framework)', 'botframework:msteams': 'Microsoft Teams', console: 'Consola', email: 'Correo electrónico' },
  light: { on_time: 'A tiempo', due_soon: 'Vence pronto', overdue: 'Vencido' },
  answerOutcome: { favorable: 'Favorable', parcial: 'Parcialmente favorable', desfavorable: 'Desfavorable' },
  decisionOutcome: { repone: 'Repone (se revoca la decisión)', confirma: 'Confirma la decisión' },
  recursoKind: { reposicion: 'Reposición', reposicion_apelacion: 'Reposición y en subsidio apelación' },
  action: {
    radicada: 'Radicación',
    en_tramite: 'En trámite',
    respondida: 'Respuesta',
    notificada: 'Notificación de la respuesta',
    vencida: 'Silencio administrativo positivo',
    recurso_interpuesto: 'Recurso interpuesto',
    reposicion_decidida: 'Decisión del recurso',
    trasladada_sic: 'Traslado a la SIC',
    cerrada: 'Cierre',
  },
  chainBreak: {
    seq_out_of_order: 'la numeración de los eventos no es consecutiva',
    prev_hash_mismatch: 'el evento no apunta al hash del anterior',
    hash_mismatch: 'el contenido del evento no corresponde a su hash',
  },
} as const satisfies Record<string, Record<string, string>>;

/** The label of a code, or the code itself when it has none (a status added later, say). */
export function label(table: Readonly<Record<string, string>>, code: string | null | undefined): string {
  if (!code) return '—';
  return table[code] ?? code;
}
