import type { RunningApp } from './app';
import type { Clock } from '../../src/pqr';
import { messages, optionsOf, signature, statusUpdate, textOf, webhookPayload, type FakeGraph, type InboundOptions, type SentMessage } from './fake-graph';

/** The WhatsApp settings `startTestApp` needs to switch the channel on against a fake Graph. */
export function whatsAppEnv(graph: FakeGraph, ids: { accessToken: string; appSecret: string; phoneNumberId: string }): Record<string, string> {
  return {
    WHATSAPP_ACCESS_TOKEN: ids.accessToken,
    WHATSAPP_APP_SECRET: ids.appSecret,
    WHATSAPP_VERIFY_TOKEN: 'test-verify-token',
    WHATSAPP_PHONE_NUMBER_ID: ids.phoneNumberId,
    WHATSAPP_API_BASE_URL: graph.url,
  };
}

/**
 * A person writing to the bot on WhatsApp: each message is a signed webhook, as Meta sends it;
 * `say` returns what the bot sent back (through the fake Graph) for that message.
 */
export class WhatsAppUser {
  constructor(
    private readonly running: RunningApp,
    private readonly graph: FakeGraph,
    private readonly ids: { appSecret: string; phoneNumberId: string },
    readonly waId: string,
    /** Stamps each message with this clock's time, as Meta stamps it with the time it was written. */
    private readonly clock?: Clock,
  ) {}

  private stamp(): InboundOptions | undefined {
    return this.clock ? { timestamp: Math.floor(this.clock.now().getTime() / 1000) } : undefined;
  }

  async say(message: Record<string, unknown> | string): Promise<SentMessage[]> {
    const payload = typeof message === 'string' ? messages.text(this.waId, message, this.stamp()) : message;
    const before = this.graph.sent(this.waId).length;
    await this.post({ messages: [payload] });
    return this.graph.sent(this.waId).slice(before);
  }

  /** Meta's status webhook for a message the bot sent this user (delivered, read…), stamped `at` (default: now). */
  receipt(wamid: string, status: 'delivered' | 'read', at?: Date): Promise<void> {
    return this.post({ statuses: [statusUpdate(wamid, status, this.waId, at ? Math.floor(at.getTime() / 1000) : undefined)] });
  }

  private async post(value: Parameters<typeof webhookPayload>[1]): Promise<void> {
    const body = JSON.stringify(webhookPayload(this.ids.phoneNumberId, value));
    const response = await fetch(`${this.running.url}/api/whatsapp`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signature(body, this.ids.appSecret) },
      body,
    });
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
    await this.running.app.whatsapp!.idle();
  }

  /** Taps the reply button or list row whose title matches, in the last interactive message of `replies`. */
  tap(replies: SentMessage[], title: RegExp): Promise<SentMessage[]> {
    const interactive = [...replies].reverse().find((m) => m.type === 'interactive');
    const option = interactive && optionsOf(interactive).find((o) => title.test(o.title));
    if (!option) throw new Error(`no option ${title} in ${JSON.stringify(replies.map(textOf))}`);
    const reply = interactive!.interactive!.type === 'list' ? messages.listReply(this.waId, option, this.stamp()) : messages.buttonReply(this.waId, option, this.stamp());
    return this.say(reply);
  }
}

export const textsOf = (replies: SentMessage[]) => replies.map(textOf).join('\n');
