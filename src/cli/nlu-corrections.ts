import { INTENTS, PQR_TYPES, type Intent, type PqrType } from '../nlu/types';
import { runCommand, withDatabase } from './run';

/**
 * `npm run nlu:corrections [-- --since YYYY-MM-DD]`: the users' corrections of the classifier
 * (the intent they chose when the bot asked, the PQR type they chose instead of the proposed one),
 * already anonymised, as corpus lines {"text","intent","type"} on stdout. Review them, then append
 * them to `locales/es-CO/nlu/<label>.jsonl`; the model retrains at the next start. A text corrected
 * more than once keeps its latest choice. A summary goes to stderr. Exit 2 on bad usage.
 */
const USAGE = 'Usage: npm run nlu:corrections [-- --since YYYY-MM-DD]';

interface CorpusLine {
  text: string;
  intent: Intent;
  type: PqrType | null;
}

function lineOf(text: string, chosen: string): CorpusLine | null {
  if ((PQR_TYPES as readonly string[]).includes(chosen)) return { text, intent: 'radicar_pqr', type: chosen as PqrType };
  if ((INTENTS as readonly string[]).includes(chosen)) return { text, intent: chosen as Intent, type: null };
  return null;
}

function parseSince(args: string[]): Date | undefined | 'bad' {
  const i = args.indexOf('--since');
  if (i < 0) return args.length ? 'bad' : undefined;
  const value = args[i + 1];
  if (args.length !== 2 || !value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return 'bad';
  const date = new Date(`${value}T00:00:00-05:00`);
  return Number.isNaN(date.getTime()) ? 'bad' : date;
}

async function main(args: string[]): Promise<number> {
  const since = parseSince(args);
  if (since === 'bad') {
    console.error(USAGE);
    return 2;
  }
  return withDatabase(async (db) => {
    const rows = await db.prisma.nluCorrection.findMany({ where: since ? { createdAt: { gte: since } } : {}, orderBy: { id: 'asc' } });
    const latest = new Map<string, CorpusLine>();
    let unknown = 0;
    for (const row of rows) {
      const line = lineOf(row.text.trim(), row.chosen);
      if (!line || !line.text) {
        unknown++;
        continue;
      }
      latest.delete(line.text);
      latest.set(line.text, line);
    }
    for (const line of latest.values()) console.log(JSON.stringify(line));
    const intents = [...latest.values()].filter((l) => l.type === null).length;
    console.error(`${rows.length} corrections${since ? ` since ${args[1]}` : ''}: ${latest.size} corpus lines (${intents} intents, ${latest.size - intents} PQR types)${unknown ? `, ${unknown} with an unknown label skipped` : ''}.`);
    return 0;
  });
}

runCommand(() => main(process.argv.slice(2)));
