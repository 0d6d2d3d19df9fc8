/**
 * The yardstick process of bench (h): a bare restify server that answers GET /healthz and does the
 * least a WhatsApp webhook must do (signature check on the raw body, 200, one POST to the Graph
 * API through the same client library), run the way the app runs: plain `node`, no loader.
 * Settings from the environment: PORT, WHATSAPP_APP_SECRET, WHATSAPP_ACCESS_TOKEN,
 * WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_API_BASE_URL.
 */
'use strict';
const restify = require('restify');
const { WhatsAppClient } = require('@kapso/whatsapp-cloud-api');
const { verifySignature } = require('@kapso/whatsapp-cloud-api/server');

const env = process.env;
const server = restify.createServer({ name: 'bench-bare', handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ maxBodySize: 1_048_576, mapParams: false }));
const client = new WhatsAppClient({
  accessToken: env.WHATSAPP_ACCESS_TOKEN,
  baseUrl: env.WHATSAPP_API_BASE_URL,
  fetch: (input, init) => fetch(input, { ...init, signal: (init && init.signal) || AbortSignal.timeout(10_000) }),
});
server.get('/healthz', async (_req, res) => {
  res.json(200, { status: 'ok' });
});
server.post('/api/whatsapp', async (req, res) => {
  const header = req.headers['x-hub-signature-256'];
  if (typeof header !== 'string' || !verifySignature({ appSecret: env.WHATSAPP_APP_SECRET, rawBody: req.rawBody || '', signatureHeader: header })) {
    res.json(403, { error: 'signature' });
    return;
  }
  const entry = req.body && req.body.entry && req.body.entry[0];
  const message = entry && entry.changes && entry.changes[0] && entry.changes[0].value && entry.changes[0].value.messages && entry.changes[0].value.messages[0];
  res.json(200, { received: true });
  if (message && message.from) await client.messages.sendText({ phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID, to: message.from, body: 'echo' }).catch(() => undefined);
});
server.listen(Number(env.PORT), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
