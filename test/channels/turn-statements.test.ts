import { startTestApp, type RunningApp } from '../helpers/app';
import { FakeGraph, messages, signature, textOf, webhookPayload } from '../helpers/fake-graph';

/**
 * What one WhatsApp turn costs the database, counted at the driver adapter (BEGIN and COMMIT are
 * statements too), on SQLite and, with TEST_DATABASE=postgresql, on PostgreSQL. Everything from the
 * POST to the turn finished is counted. The message path (record, lease, next message, identity,
 * bot state, replies count, the end-of-turn transaction) is told apart from the dialog's own
 * queries (its PQR lookup, handoff and rating checks), which depend on what the user asked.
 *
 * The turn measured is an ordinary typed text in the middle of a conversation: greeted, the user
 * chose "Consultar una PQR" and the bot asked for the CUN; the user now types one
 * ("0101-26-0000000042") and the bot answers that it is not theirs to see.
 */
const ACCESS_TOKEN = 'EAAtest-access-token';
const APP_SECRET = 'test-app-secret-0123456789';
const PHONE_NUMBER_ID = '106540352242922';
/**
 * The message path's statements: record, claim the lease, take the next message (the
 * conversation's bot state comes back with it), and BEGIN, state, message processed, lease let
 * go, COMMIT. On PostgreSQL the first three are one statement when the conversation was idle,
 * and the transaction says that its commit need not wait for the WAL flush.
 */
const MAX_PATH_STATEMENTS = 8;

describe('statements per WhatsApp turn', () => {
  let graph: FakeGraph;
  let running: RunningApp;

  beforeAll(async () => {
    graph = await FakeGraph.start(ACCESS_TOKEN);
    running = await startTestApp({
      WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: 'test-verify-token',
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_API_BASE_URL: graph.url,
      // No outbox poll inside the measured window.
      OUTBOX_POLL_MS: '600000',
    });
  });

  afterAll(async () => {
    await running?.app.whatsapp?.idle();
    await running?.close();
    await graph?.close();
  });

  async function say(from: string, text: string) {
    const { app, url } = running;
    const before = graph.sent(from).length;
    const counter = app.db.statements;
    counter.keep = [];
    const mark = counter.mark();
    const body = JSON.stringify(webhookPayload(PHONE_NUMBER_ID, { messages: [messages.text(from, text)] }));
    const response = await fetch(`${url}/api/whatsapp`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signature(body, APP_SECRET) }, body });
    expect(response.status).toBe(200);
    await app.whatsapp!.idle();
    const statements = counter.keep;
    counter.keep = undefined;
    expect(counter.since(mark)).toBe(statements.length);
    const path = statements.filter((s) => s.label !== 'dialog').map((s) => s.sql);
    const dialog = statements.filter((s) => s.label === 'dialog').map((s) => s.sql);
    const list = (sqls: string[]) => sqls.map((sql, i) => `  ${i + 1}. ${sql.replace(/\s+/g, ' ').slice(0, 110)}`).join('\n');
    process.stdout.write(`"${text}": ${path.length} statements on the message path, ${dialog.length} of the dialog\n${list(path)}\n  dialog:\n${list(dialog)}\n`);
    return { replies: graph.sent(from).slice(before).map(textOf), path, dialog };
  }

  it(`answers a typed text mid-conversation with at most ${MAX_PATH_STATEMENTS} statements on the message path, its end writes in one transaction`, async () => {
    const user = '573001112233';
    expect((await say(user, 'hola')).replies.length).toBeGreaterThan(0);
    expect((await say(user, 'Consultar una PQR')).replies.join('\n')).toMatch(/CUN/);

    const turn = await say(user, '0101-26-0000000042');
    expect(turn.replies.length).toBeGreaterThan(0);
    expect(turn.path.length).toBeLessThanOrEqual(MAX_PATH_STATEMENTS);
    // One transaction at the end of the turn, holding the state, the message marked processed and the lease let go.
    const begin = turn.path.findIndex((sql) => /^BEGIN/i.test(sql));
    const commit = turn.path.findIndex((sql) => /^COMMIT/i.test(sql));
    expect(turn.path.filter((sql) => /^(BEGIN|COMMIT)/i.test(sql))).toHaveLength(2);
    const inside = turn.path.slice(begin + 1, commit);
    expect(inside.some((sql) => /"BotState"/.test(sql))).toBe(true);
    expect(inside.some((sql) => /"processedAt" = \?/.test(sql))).toBe(true);
    expect(inside.some((sql) => /DELETE FROM "Lease"/.test(sql))).toBe(true);
    // Nothing read twice: the bot state is read once, by the statement that takes the next message.
    expect(turn.path.filter((sql) => /FROM "BotState"/.test(sql))).toHaveLength(1);
    const reads = turn.path.find((sql) => /FROM "BotState"/.test(sql))!;
    if (running.app.db.provider === 'postgresql') {
      // The conversation was idle: one statement records the message, claims the conversation's
      // lease and starts the message, with the bot state read along (one round trip, one commit),
      // and one transaction ends the turn. Nothing else of the path touches the message.
      expect(turn.path[0]).toBe(reads);
      expect(reads).toMatch(/INSERT INTO "Lease"/);
      expect(reads).toMatch(/INSERT INTO "InboundMessage"/);
      // The rest is the end-of-turn transaction, sent in one write (one round trip): BEGIN, its
      // commit told not to wait for the WAL flush (the turn can be rebuilt from its message), the
      // writes, COMMIT.
      expect(turn.path[1]).toMatch(/^BEGIN/);
      expect(turn.path[2]).toBe('SET LOCAL synchronous_commit TO OFF');
      expect(turn.path[turn.path.length - 1]).toMatch(/^COMMIT/);
      expect(turn.path.length).toBeLessThanOrEqual(MAX_PATH_STATEMENTS - 1);
      expect(turn.path.filter((sql) => /"InboundMessage"/.test(sql) && sql !== reads && !/"processedAt" = \?/.test(sql) && !/DELETE FROM "Lease"/.test(sql))).toHaveLength(0);
    } else {
      expect(reads).toMatch(/UPDATE "InboundMessage" SET "attempts" = "attempts" \+ 1/);
      expect(turn.path.filter((sql) => /"InboundMessage"/.test(sql) && !/^INSERT/.test(sql) && !/"processedAt" = \?/.test(sql) && !/DELETE FROM "Lease"/.test(sql))).toHaveLength(1);
    }
    // Whether an agent holds the conversation or a rating question waits came with the message.
    expect(turn.dialog.some((sql) => /"Handoff"|"Rating"/.test(sql))).toBe(false);
    expect(reads).toMatch(/FROM "Handoff"/);
    // The dialog's lookup is the dialog's: it is not on the message path.
    expect(turn.dialog.some((sql) => /[`"]Pqr[`"]/.test(sql))).toBe(true);

    // The message is processed and the lease let go.
    const message = await running.app.db.prisma.inboundMessage.findFirst({ where: { conversationKey: user }, orderBy: { id: 'desc' } });
    expect(message?.processedAt).not.toBeNull();
    expect(await running.app.db.prisma.lease.count({ where: { key: { contains: user } } })).toBe(0);
  });
});
