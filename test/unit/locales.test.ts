import fs from 'node:fs';
import path from 'node:path';
import { LOCALES, loadMessages } from '../../src/i18n';
import { PQR_STATUSES, PQR_TYPES } from '../../src/pqr';
import { OFFERED_INTENTS } from '../../dialogs/clarify-intent-dialog';
import { FIELDS } from '../../dialogs/corrections';
import { URGENCIES } from '../../src/nlu';
import { RECLAMO_ACTIONS } from '../../src/habeas';

const ROOT = path.resolve(__dirname, '..', '..');
const DOCUMENT_TYPES = ['CC', 'CE', 'PA', 'NIT'];

/** The field names of an exported interface, read from its source. */
function interfaceFields(file: string, name: string): string[] {
  const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const body = new RegExp(`export interface ${name} \\{([^}]*)\\}`).exec(source);
  if (!body) throw new Error(`interface ${name} not found in ${file}`);
  return [...body[1].matchAll(/^\s*(\w+)\??:/gm)].map((m) => m[1]);
}

/** What a `${…}` in a text key can stand for, by the key's prefix: `type.${x}` is a PQR type. */
const TEMPLATE_VALUES: Record<string, readonly string[]> = {
  'type.': PQR_TYPES,
  'intent.': OFFERED_INTENTS,
  'status.label.': PQR_STATUSES,
  'customer.docType.': DOCUMENT_TYPES,
  'file.correct.': FIELDS,
  'urgent.': URGENCIES,
  'habeas.action.': RECLAMO_ACTIONS,
  'webchat.page.': interfaceFields('src/channels/directline/page.ts', 'PageTexts'),
};

const messages = Object.fromEntries(LOCALES.map((locale) => [locale, loadMessages(locale)])) as Record<string, Record<string, string>>;

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every key the code passes to a translate function, template keys expanded over their values. */
function keysUsedInCode(): { key: string; file: string }[] {
  const files = [...sourceFiles(path.join(ROOT, 'dialogs')), ...sourceFiles(path.join(ROOT, 'src'))];
  const used: { key: string; file: string }[] = [];
  for (const file of files) {
    const code = fs.readFileSync(file, 'utf8');
    const relative = path.relative(ROOT, file);
    for (const match of code.matchAll(/\bt\(\s*'([^']+)'/g)) used.push({ key: match[1], file: relative });
    for (const match of code.matchAll(/\bt\(\s*`([^`]+)`/g)) {
      for (const key of expand(match[1], relative)) used.push({ key, file: relative });
    }
  }
  return used;
}

function expand(template: string, file: string): string[] {
  const hole = /\$\{[^}]+\}/.exec(template);
  if (!hole) return [template];
  const values = TEMPLATE_VALUES[template.slice(0, hole.index)];
  if (!values) throw new Error(`${file}: text key \`${template}\` has a \${…} this test cannot expand; add its prefix to TEMPLATE_VALUES`);
  return values.flatMap((value) => expand(template.replace(hole[0], value), file));
}

describe('locales', () => {
  const [base, ...others] = LOCALES;

  it.each(others)('%s has exactly the keys of the default locale', (locale) => {
    const missing = Object.keys(messages[base]).filter((key) => !(key in messages[locale]));
    const extra = Object.keys(messages[locale]).filter((key) => !(key in messages[base]));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it.each(others)('%s uses the same {placeholders} as the default locale for every key', (locale) => {
    const differing = Object.keys(messages[base])
      .filter((key) => key in messages[locale])
      .filter((key) => placeholders(messages[base][key]).join() !== placeholders(messages[locale][key]).join())
      .map((key) => ({ key, [base]: placeholders(messages[base][key]), [locale]: placeholders(messages[locale][key]) }));
    expect(differing).toEqual([]);
  });

  it.each(LOCALES)('%s has no empty texts', (locale) => {
    const empty = Object.entries(messages[locale]).filter(([, text]) => typeof text !== 'string' || text.trim() === '').map(([key]) => key);
    expect(empty).toEqual([]);
  });

  it('every text key used in dialogs/ and src/ exists in every locale', () => {
    const used = keysUsedInCode();
    expect(used.length).toBeGreaterThan(50);
    for (const locale of LOCALES) {
      const missing = used.filter(({ key }) => !(key in messages[locale])).map(({ key, file }) => `${locale}: ${key} (${file})`);
      expect(missing).toEqual([]);
    }
  });

  it('has a label for every PQR status and type and a name for every document type', () => {
    const expected = [
      ...PQR_STATUSES.map((s) => `status.label.${s}`),
      ...PQR_TYPES.flatMap((type) => [`type.${type}`, `type.${type}.title`, `type.${type}.definition`]),
      ...DOCUMENT_TYPES.map((d) => `customer.docType.${d}`),
    ];
    for (const locale of LOCALES) expect(expected.filter((key) => !(key in messages[locale]))).toEqual([]);
  });
});
