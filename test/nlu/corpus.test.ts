import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CorpusError, loadCorpus, parseJsonl } from '../../src/nlu/corpus';
import { INTENTS } from '../../src/nlu/types';

describe('the training corpus', () => {
  const { examples } = loadCorpus();

  test('has at least 80 examples per PQR type and 30 per other intent', () => {
    const count = (f: (e: (typeof examples)[number]) => boolean) => examples.filter(f).length;
    for (const type of ['peticion', 'queja', 'reclamo']) expect(count((e) => e.type === type)).toBeGreaterThanOrEqual(80);
    for (const intent of INTENTS.filter((i) => i !== 'radicar_pqr')) expect(count((e) => e.intent === intent)).toBeGreaterThanOrEqual(30);
  });

  test.each(['heldout.jsonl', 'heldout-2.jsonl', 'blind-dev-a.jsonl', 'blind-dev-b.jsonl', 'blind-dev-c.jsonl', 'blind-final-d.jsonl', 'blind-issue-e.jsonl'])('shares no text with %s', (file) => {
    const seen = new Set(examples.map((e) => e.text.toLowerCase().trim()));
    const heldOut = parseJsonl(readFileSync(path.join(__dirname, file), 'utf8'), file);
    expect(heldOut.filter((e) => seen.has(e.text.toLowerCase().trim()))).toEqual([]);
  });
});

describe('parseJsonl rejects bad lines with their position', () => {
  test.each([
    ['{"text":"hola","intent":"saludo","type":null}\nnot json', /x:2: not valid JSON/],
    ['{"text":"","intent":"saludo","type":null}', /x:1: "text"/],
    ['{"text":"hola","intent":"saludar","type":null}', /unknown intent "saludar"/],
    ['{"text":"hola","intent":"radicar_pqr","type":"denuncia"}', /unknown type "denuncia"/],
    ['{"text":"hola","intent":"saludo","type":"queja"}', /must be null unless/],
    ['[1,2]', /x:1: "text"/],
    ['\n\n', /no examples/],
  ])('%j', (content, message) => {
    expect(() => parseJsonl(content, 'x')).toThrow(CorpusError);
    expect(() => parseJsonl(content, 'x')).toThrow(message);
  });
});

describe('eval command', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [require.resolve('tsx/cli'), path.resolve(__dirname, '../../src/nlu/eval.ts'), ...args], { encoding: 'utf8' });
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'nlu-eval-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('--json reports the figures; floors above them exit 1', () => {
    const file = path.join(dir, 'small.jsonl');
    writeFileSync(
      file,
      [
        { text: 'me cobraron algo que no compre', intent: 'radicar_pqr', type: 'reclamo' },
        { text: 'hola buenas', intent: 'saludo', type: null },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const ok = run(file, '--json');
    expect(ok.status).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report).toMatchObject({ intentAccuracy: 1, typeMacroF1: 1 });
    expect(report.perIntent.saludo.support).toBe(1);
    expect(report.confusion.radicar_pqr.radicar_pqr).toBe(1);
    expect(report.perType.reclamo.f1).toBe(1);

    const floor = run(file, '--min-intent-accuracy', '1.01');
    expect(floor.status).toBe(1);
    expect(floor.stderr).toMatch(/below the floor/);
  });

  test('a bad file exits 2 with a clear message', () => {
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(file, '{"text":"hola","intent":"nope","type":null}\n');
    const bad = run(file);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.jsonl:1: unknown intent "nope"/);
    expect(run(path.join(dir, 'missing.jsonl')).stderr).toMatch(/cannot read \(ENOENT\)/);
    expect(run('--cv', 'x').status).toBe(2);
  });
});
