import { spawn } from 'node:child_process';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { loadConfig } from '../../src/config';
import { parseJsonl } from '../../src/nlu/corpus';
import { BusinessCalendar, FixedClock, PqrLifecycle, PqrService } from '../../src/pqr';
import { Identities, loadLookupSecret } from '../../src/identity';
import { createTestDb, type TestDb } from '../helpers/db';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

describe('back office commands', () => {
  let db: TestDb;

  /**
   * Runs one of the project's commands as `npm run` would, on the test database. The commands
   * migrate at start, and the schema engine locks a SQLite file exclusively to do it, so this
   * process lets go of the file first (Prisma reconnects at the next query).
   */
  async function run(script: string, args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
    if (db.provider === 'sqlite') await db.prisma.$disconnect();
    return new Promise((resolve, reject) => {
      const child = spawn(TSX, [path.join(ROOT, 'src', 'cli', script), ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, DATABASE_URL: db.url, LOG_LEVEL: 'silent' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin);
    });
  }

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  it('agent:create makes an agent from a password on stdin, never printing it, and refuses bad input', async () => {
    const created = await run('agent-create.ts', ['--email', 'Marta@Operador.co', '--name', 'Marta Supervisora', '--role', 'supervisor'], 'una-clave-larga-1\n');
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^Agent \d+ \(supervisor\) created/);
    expect(created.stdout).not.toContain('una-clave-larga-1');
    const agent = await db.prisma.agent.findUniqueOrThrow({ where: { email: 'marta@operador.co' } });
    expect(agent).toMatchObject({ name: 'Marta Supervisora', role: 'supervisor', active: true });
    expect(await bcrypt.compare('una-clave-larga-1', agent.passwordHash)).toBe(true);

    const again = await run('agent-create.ts', ['--email', 'marta@operador.co', '--name', 'Marta', '--role', 'agent', '--password', 'otra-clave-larga-2']);
    expect(again.stdout).toMatch(/^Agent \d+ \(agent\) updated/);
    expect(await db.prisma.agent.count()).toBe(1);

    const short = await run('agent-create.ts', ['--email', 'x@operador.co', '--name', 'X', '--role', 'agent', '--password', 'corta']);
    expect([short.code, short.stderr]).toEqual([2, 'the password must have at least 10 characters\n']);
    const badRole = await run('agent-create.ts', ['--email', 'x@operador.co', '--name', 'X', '--role', 'admin', '--password', 'una-clave-larga-2']);
    expect([badRole.code, badRole.stderr]).toEqual([2, '--role must be one of agent, supervisor\n']);
    const missing = await run('agent-create.ts', ['--email', 'x@operador.co']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Usage: npm run agent:create');
  });

  it('nlu:corrections prints the users\' corrections as corpus lines, the latest choice per text', async () => {
    await db.prisma.nluCorrection.deleteMany();
    await db.prisma.nluCorrection.createMany({
      data: [
        { text: 'quiero información', predicted: 'ayuda', chosen: 'radicar_pqr', confidence: 0.45, createdAt: new Date('2026-11-02T15:00:00Z') },
        { text: 'me cobraron un paquete que no pedí', predicted: 'reclamo', chosen: 'queja', confidence: 0.6, createdAt: new Date('2026-11-10T15:00:00Z') },
        { text: 'quiero información', predicted: 'ayuda', chosen: 'consultar_estado', confidence: 0.44, createdAt: new Date('2026-11-20T15:00:00Z') },
        { text: 'algo viejo', predicted: 'ayuda', chosen: 'etiqueta_retirada', confidence: 0.3, createdAt: new Date('2026-11-21T15:00:00Z') },
      ],
    });
    const all = await run('nlu-corrections.ts', []);
    expect(all.code).toBe(0);
    const lines = parseJsonl(all.stdout, 'stdout');
    expect(lines).toEqual([
      { text: 'me cobraron un paquete que no pedí', intent: 'radicar_pqr', type: 'queja' },
      { text: 'quiero información', intent: 'consultar_estado', type: null },
    ]);
    expect(all.stderr).toBe('4 corrections: 2 corpus lines (1 intents, 1 PQR types), 1 with an unknown label skipped.\n');

    const recent = await run('nlu-corrections.ts', ['--since', '2026-11-15']);
    expect(parseJsonl(recent.stdout, 'stdout')).toEqual([{ text: 'quiero información', intent: 'consultar_estado', type: null }]);
    for (const bad of [['--since'], ['--since', 'ayer'], ['--desde', '2026-11-15']]) {
      const refused = await run('nlu-corrections.ts', bad);
      expect([refused.code, refused.stderr]).toEqual([2, 'Usage: npm run nlu:corrections [-- --since YYYY-MM-DD]\n']);
    }
  });

  it('expediente:verify says OK for an intact chain and finds the event edited in the database', async () => {
    const config = loadConfig({});
    const clock = new FixedClock('2026-11-23T15:00:00Z');
    const calendar = new BusinessCalendar();
    const service = new PqrService(db.prisma, clock, calendar, config.terms, config.operator, new Identities(db.prisma, clock), await loadLookupSecret(db.prisma));
    await service.syncBrands();
    const lifecycle = new PqrLifecycle(db.prisma, clock, calendar, config.terms);
    const { cun } = await service.file({
      type: 'reclamo',
      description: 'Me cobraron un paquete que no pedí',
      user: { channel: 'whatsapp', userId: '573001234567' },
      customer: { kind: 'subscriber', brandId: 'vozz', line: '3001234567' },
      notifyChannel: 'whatsapp',
      notifyAddress: '573001234567',
    });
    await lifecycle.answer(cun, { text: 'Devolvimos el valor.', outcome: 'favorable' }, 'agent:1');

    const intact = await run('expediente-verify.ts', [cun.replace(/-/g, '')]);
    expect({ code: intact.code, stderr: intact.stderr }).toEqual({ code: 0, stderr: '' });
    expect(intact.stdout).toContain(`OK ${cun}: 2 events, chain intact`);

    const answered = await db.prisma.pqrEvent.findFirstOrThrow({ where: { pqr: { cun }, action: 'respondida' } });
    await db.prisma.pqrEvent.update({ where: { id: answered.id }, data: { after: (answered.after ?? '').replace('"favorable"', '"desfavorable"') } });
    const tampered = await run('expediente-verify.ts', [cun]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`BROKEN ${cun}: event ${answered.seq} (respondida, 2026-11-23T15:00:00.000Z): its content does not match its hash`);

    const unknown = await run('expediente-verify.ts', ['0101-26-9999999999']);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'No PQR with CUN 0101-26-9999999999.\n']);
    const malformed = await run('expediente-verify.ts', ['12345']);
    expect(malformed.code).toBe(1);
  });
});
