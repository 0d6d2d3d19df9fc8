/** Sends a text message to a Colombian mobile line (10 digits). */
export interface SmsGateway {
  send(line: string, text: string): Promise<void>;
}

export class SmsGatewayError extends Error {}

/**
 * Jasmin SMS Gateway's HTTP API (`POST /send` with username, password, to, content; it answers
 * `Success "<message id>"`), which Kannel-style operators and many providers also offer.
 * SMS_GATEWAY_URL carries the credentials: http://user:password@host:1401/send.
 */
export function jasminGateway(url: string, timeoutMs = 10_000): SmsGateway {
  const endpoint = new URL(url);
  const username = decodeURIComponent(endpoint.username);
  const password = decodeURIComponent(endpoint.password);
  endpoint.username = '';
  endpoint.password = '';
  return {
    async send(line, text) {
      const body = new URLSearchParams({ username, password, to: `57${line}`, content: text, coding: '0' });
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const answer = (await response.text()).trim();
      // Only the status: the gateway's answer may echo the number.
      if (!response.ok || !answer.startsWith('Success')) throw new SmsGatewayError(`SMS gateway refused the message (HTTP ${response.status})`);
    },
  };
}
