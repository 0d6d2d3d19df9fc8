import { loadExpediente } from '../backoffice';
import { normalizeCun } from '../pqr';
import { runCommand, withDatabase } from './run';

/**
 * `npm run expediente:verify -- CUN`: checks a PQR's hash-chained expediente in the database.
 * Exit 0 when the chain is intact, 1 when it is broken or the CUN is unknown, 2 on bad usage.
 */
const REASONS = {
  seq_out_of_order: 'events are not numbered 1, 2, 3… (one missing or inserted)',
  prev_hash_mismatch: 'it does not point to the hash of the event before it',
  hash_mismatch: 'its content does not match its hash (edited after it was written)',
} as const;

async function main(args: string[]): Promise<number> {
  const input = args.find((arg) => !arg.startsWith('-'));
  if (!input) {
    console.error('Usage: npm run expediente:verify -- <CUN>   (with or without dashes)');
    return 2;
  }
  const cun = normalizeCun(input);
  if (!cun) {
    console.error(`"${input}" is not a CUN (OOOO-YY-NNNNNNNNNN, 16 digits).`);
    return 1;
  }
  return withDatabase(async (db) => {
    const expediente = await loadExpediente(db.prisma, cun);
    if (!expediente) {
      console.error(`No PQR with CUN ${cun}.`);
      return 1;
    }
    const { pqr, verification } = expediente;
    if (verification.ok) {
      const last = pqr.events.at(-1);
      console.log(`OK ${cun}: ${pqr.events.length} events, chain intact${last ? `, last hash ${last.hash}` : ''}`);
      return 0;
    }
    const broken = pqr.events.find((e) => e.seq === verification.brokenAt);
    console.log(`BROKEN ${cun}: event ${verification.brokenAt}${broken ? ` (${broken.action}, ${broken.at.toISOString()})` : ''}: ${REASONS[verification.reason]}`);
    return 1;
  });
}

runCommand(() => main(process.argv.slice(2)));
