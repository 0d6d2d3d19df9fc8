/** A Web Chat user over the Direct Line v3 subset, as the page's client speaks it (polling, watermarks). */
export interface WireActivity {
  id: string;
  type: string;
  text?: string;
  from: { id: string; role?: string };
  suggestedActions?: { actions: { title?: string; value?: unknown }[] };
}

export class DirectLineUser {
  private sent = 0;

  private constructor(
    private readonly base: string,
    readonly conversationId: string,
    private readonly token: string,
    /** The Web Chat user id the token carries, as the bot knows the user (`webchat:<userId>`). */
    readonly userId: string,
  ) {}

  static async connect(origin: string): Promise<DirectLineUser> {
    const base = `${origin}/v3/directline`;
    const generated = (await (await fetch(`${base}/tokens/generate`, { method: 'POST' })).json()) as { token: string };
    const started = await fetch(`${base}/conversations`, { method: 'POST', headers: { Authorization: `Bearer ${generated.token}` } });
    const { conversationId, token } = (await started.json()) as { conversationId: string; token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { user: string };
    return new DirectLineUser(base, conversationId, token, claims.user);
  }

  async say(text: string): Promise<void> {
    this.sent += 1;
    const response = await fetch(`${this.base}/conversations/${this.conversationId}/activities`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'message', text, locale: 'es-CO', channelData: { clientActivityID: `c${this.sent}` } }),
    });
    if (response.status !== 200) throw new Error(`posting a message answered ${response.status}`);
  }

  /** Every activity of the conversation so far. */
  async activities(): Promise<WireActivity[]> {
    const response = await fetch(`${this.base}/conversations/${this.conversationId}/activities`, { headers: { Authorization: `Bearer ${this.token}` } });
    return ((await response.json()) as { activities: WireActivity[] }).activities;
  }

  /** What the bot said, in order. */
  async botTexts(): Promise<string[]> {
    return (await this.activities()).filter((a) => a.from.role === 'bot' && a.type === 'message').map((a) => a.text ?? '');
  }

  /** The buttons under the bot's last message (Web Chat shows only those). */
  async lastButtons(): Promise<string[]> {
    const last = (await this.activities()).filter((a) => a.from.role === 'bot' && a.type === 'message').at(-1);
    return (last?.suggestedActions?.actions ?? []).map((action) => action.title ?? String(action.value));
  }

  /** Polls like Web Chat until the bot has said something matching `pattern`, or fails after `timeoutMs`. */
  async waitForBot(pattern: RegExp | string, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const texts = await this.botTexts();
      const found = texts.find((text) => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)));
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; the bot said: ${JSON.stringify(texts.slice(-3))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
