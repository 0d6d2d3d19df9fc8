import { WhatsAppClient } from '@kapso/whatsapp-cloud-api';
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

export interface GraphSettings {
  accessToken: string;
  phoneNumberId: string;
  apiBaseUrl: string;
  timeoutMs?: number;
}

/** Template messages through the Cloud API, the only kind Meta delivers outside the window. */
export class TemplateClient {
  private readonly client: WhatsAppClient;

  constructor(private readonly settings: GraphSettings) {
    const timeoutMs = settings.timeoutMs ?? 10_000;
    this.client = new WhatsAppClient({
      accessToken: settings.accessToken,
      baseUrl: settings.apiBaseUrl,
      fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) }),
    });
  }

  /** Sends the template with its body parameters; returns the wamid. */
  async send(userId: string, template: TemplateSettings, parameters: string[]): Promise<string> {
    // Phone-number wa_ids go in `to`; business-scoped user ids in `recipient`.
    const address = /^\d{6,15}$/.test(userId) ? { to: userId } : { recipient: userId };
    const response = await this.client.messages.sendTemplate({
      phoneNumberId: this.settings.phoneNumberId,
      ...address,
      template: {
        name: template.name,
        language: { code: template.language },
        components: parameters.length ? [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }] : undefined,
      },
    });
    return response.messages[0]?.id ?? '';
  }
}

/**
 * WhatsApp: inside the 24-hour window the text goes through the channel's adapter; outside it
 * the row is held, the template goes first (queued once as its own row) and the full text
 * follows when the user writes again. Proof of delivery comes from the status webhooks.
 */
export function whatsAppSender(deps: { adapter: ProactiveAdapter; templates: TemplateClient; template: TemplateSettings; clock: Clock }): Sender {
  return {
    proof: 'receipt',
    async send(message) {
      const userId = message.identity?.userId ?? message.address?.userId ?? '';
      if (message.row.kind === 'template') {
        const { name, language, parameters } = message.payload as { name?: string; language?: string; parameters?: unknown[] };
        const template = { name: name ?? deps.template.name, language: language ?? deps.template.language };
        return { status: 'sent', externalId: await deps.templates.send(userId, template, (parameters ?? []).map(String)) };
      }
      const lastInbound = message.identity?.lastInboundAt;
      if (!lastInbound || deps.clock.now().getTime() - lastInbound.getTime() > WINDOW_MS) {
        return {
          status: 'held',
          reason: 'whatsapp 24-hour window closed',
          prelude: { kind: 'template', payload: { ...deps.template, parameters: message.vars.cun === undefined ? [] : [String(message.vars.cun)] } },
        };
      }
      const reference = referenceOf(message, (id) => ({ conversation: { id, isGroup: false, conversationType: 'personal', name: '' }, user: { id, name: '' } }));
      return { status: 'sent', externalId: await sendProactive(deps.adapter, reference, message.text) };
    },
  };
}
