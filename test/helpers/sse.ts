/** One server-sent event as the stream carried it. */
export interface ServerEvent {
  event: string;
  data: any;
}

/**
 * Reads a server-sent event stream the way the inbox page does (fetch with the bearer, since
 * EventSource cannot send one), collecting events as they arrive.
 */
export class EventStream {
  readonly events: ServerEvent[] = [];
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();
  status = 0;
  contentType = '';

  static async open(url: string, token: string): Promise<EventStream> {
    const stream = new EventStream();
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' }, signal: stream.abort.signal });
    stream.status = response.status;
    stream.contentType = response.headers.get('content-type') ?? '';
    if (response.status !== 200 || !response.body) {
      await response.arrayBuffer().catch(() => undefined);
      return stream;
    }
    stream.done = stream.read(response.body);
    return stream;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data !== undefined) this.events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // Aborted by close().
    }
  }

  /** Waits until an event matches, or fails after `timeoutMs` listing what came. */
  async waitFor(match: (event: ServerEvent) => boolean, timeoutMs = 10_000): Promise<ServerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching event; got ${JSON.stringify(this.events.slice(-5))}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  messages(): { from: string; text: string }[] {
    return this.events.filter((e) => e.event === 'message').map((e) => e.data);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
