import type { Clock } from '../pqr';
import { referenceOf, sendProactive, type ProactiveAdapter } from './chat';
import type { Sender } from './dispatcher';

/** WhatsApp accepts free-form messages only within 24 hours of the user's last message. */
export const WINDOW_MS = 24 * 3_600_000;

export interface TemplateSettings {
  /** An approved template with one body parameter, the CUN ("Tu PQR {{1}} tiene respuesta…"). */
  name: string;
  language: string;
}

/** Template messages, the only kind Meta delivers outside the window: the WhatsApp channel's Graph client (with its retries and timeouts). */
export interface TemplateSender {
  /** Sends the template with its body parameters; returns the wamid. */
  sendTemplate(userId: string, template: TemplateSettings, parameters: string[]): Promise<string>;
}

/**
 * WhatsApp: inside the 24-hour window the text goes through the channel's adapter; outside it
 * the row is held, the template goes first (queued once as its own row) and the full text
 * follows when the user writes again. Proof of delivery comes from the status webhooks.
 */
export function whatsAppSender(deps: { adapter: ProactiveAdapter; templates: TemplateSender; template: TemplateSettings; clock: Clock }): Sender {
  return {
    proof: 'receipt',
    async send(message) {
      const userId = message.identity?.userId ?? message.address?.userId ?? '';
      if (message.row.kind === 'template') {
        const { name, language, parameters } = message.payload as { name?: string; language?: string; parameters?: unknown[] };
        const template = { name: name ?? deps.template.name, language: language ?? deps.template.language };
        return { status: 'sent', externalId: await deps.templates.sendTemplate(userId, template, (parameters ?? []).map(String)) };
      }
      const lastInbound = message.identity?.lastInboundAt;
      if (!lastInbound || deps.clock.now().getTime() - lastInbound.getTime() > WINDOW_MS) {
        // A message may name its own template (an agent's reply has no CUN to put in the answer's
        // one); it goes once before all the replies held since the user last wrote.
        const own = message.payload.template as TemplateSettings | undefined;
        return {
          status: 'held',
          reason: 'whatsapp 24-hour window closed',
          prelude: own
            ? { kind: 'template', payload: { ...own, parameters: [] }, key: `${message.row.conversationKey}:${own.name}:${lastInbound?.getTime() ?? 0}` }
            : { kind: 'template', payload: { ...deps.template, parameters: message.vars.cun === undefined ? [] : [String(message.vars.cun)] } },
        };
      }
      const reference = referenceOf(message, (id) => ({ conversation: { id, isGroup: false, conversationType: 'personal', name: '' }, user: { id, name: '' } }));
      return { status: 'sent', externalId: await sendProactive(deps.adapter, reference, message.text, message.choices) };
    },
  };
}
