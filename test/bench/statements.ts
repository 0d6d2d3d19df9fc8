/**
 * `npx tsx test/bench/statements.ts`: CPU time of the hot path's one-row statements on SQLite,
 * through Prisma (with and without reusing prepared statements) and as plain SQL on the same
 * connection. Figures only, measured in one run; each is also a ratio to the plain SQL one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/storage';

async function time(label: string, n: number, fn: (i: number) => Promise<unknown>): Promise<[string, number]> {
  for (let i = 0; i < 200; i++) await fn(i);
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn(i);
  const used = process.cpuUsage(start);
  return [label, (used.user + used.system) / n];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pqr-stmt-'));
  const db = await openDatabase(`file:${path.join(dir, 'pqr.db')}`);
  const n = Number(process.argv[2] ?? 3000);
  for (let i = 0; i < 100; i++) await db.prisma.botState.create({ data: { key: `k${i}`, eTag: 'e', data: JSON.stringify({ dialogState: { stack: [{ id: 'x', state: { n: i } }] } }) } });
  const client = await openDatabase(`file:${path.join(dir, 'pqr.db')}`, { reusePreparedStatements: false });
  const rows: [string, number][] = [];
  rows.push(await time('Prisma findMany BotState by key, prepare() each time', n, (i) => client.prisma.botState.findMany({ where: { key: { in: [`k${i % 100}`] } }, select: { key: true, eTag: true, data: true } })));
  rows.push(await time('Prisma findMany BotState by key, prepared reused', n, (i) => db.prisma.botState.findMany({ where: { key: { in: [`k${i % 100}`] } }, select: { key: true, eTag: true, data: true } })));
  rows.push(await time('plain SQL SELECT BotState by key', n, (i) => db.sql.all('SELECT "key", "eTag", "data" FROM "BotState" WHERE "key" IN (?)', [`k${i % 100}`])));
  rows.push(await time('Prisma updateMany BotState where key, eTag, prepare() each time', n, (i) => client.prisma.botState.updateMany({ where: { key: `k${i % 100}`, eTag: 'zz' }, data: { data: '{}' } })));
  rows.push(await time('Prisma updateMany BotState where key, eTag, prepared reused', n, (i) => db.prisma.botState.updateMany({ where: { key: `k${i % 100}`, eTag: 'zz' }, data: { data: '{}' } })));
  rows.push(await time('plain SQL UPDATE BotState where key, eTag', n, (i) => db.sql.run('UPDATE "BotState" SET "data" = ? WHERE "key" = ? AND "eTag" = ?', ['{}', `k${i % 100}`, 'zz'])));
  const base = rows.find(([label]) => label.startsWith('plain SQL SELECT'))![1];
  for (const [label, us] of rows) process.stdout.write(`${label.padEnd(48)} ${us.toFixed(1).padStart(7)} µs CPU per statement  (${(us / base).toFixed(1)} × plain SELECT)\n`);
  await db.close();
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
