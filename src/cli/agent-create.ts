import { parseArgs } from 'node:util';
import { AgentInputError, MIN_PASSWORD_LENGTH, ROLES, saveAgent } from '../backoffice';
import { runCommand, withDatabase } from './run';

const USAGE = `Usage: npm run agent:create -- --email <e-mail> --name "<full name>" --role <${ROLES.join('|')}> [--password <password>]
Without --password the password is read from standard input (typed without echo on a terminal).
Running it again for an existing e-mail replaces that agent's name, role and password.`;

/** Reads one line without echoing it when stdin is a terminal; the first line of piped input otherwise. */
async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
  }
  process.stderr.write(`Password (at least ${MIN_PASSWORD_LENGTH} characters): `);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (typed: string) => {
      for (const char of typed) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          stdin.setRawMode(false);
          reject(new AgentInputError('cancelled'));
          return;
        }
        value = char === '\u007f' || char === '\b' ? value.slice(0, -1) : value + char;
      }
    };
    stdin.on('data', onData);
  });
}

async function main(): Promise<number> {
  let values: { email?: string; name?: string; role?: string; password?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.email || !values.name || !values.role) {
    console.error(USAGE);
    return 2;
  }
  const { email, name, role } = values;
  const password = values.password ?? (await readPassword());
  return withDatabase(async (db) => {
    const { id, created } = await saveAgent(db.prisma, { email, name, role, password });
    console.log(`Agent ${id} (${role}) ${created ? 'created' : 'updated'}. Sign in at /backoffice.`);
    return 0;
  });
}

runCommand(main, { userErrors: [AgentInputError], failureCode: 1 });
