import { performance } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import { PasswordHasher } from '../../src/backoffice/passwords';

/**
 * Agents' passwords are checked with bcrypt (cost 12, about half a second here). bcryptjs's own
 * async API computes on the event loop in slices of up to 100 ms, so every chat's replies would
 * wait while an agent logs in: the hasher runs it in a worker thread instead.
 */
describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();
  afterAll(() => hasher.close());

  it('hashes and checks as bcryptjs does, both ways', async () => {
    const made = await hasher.hash('correct horse battery', 4);
    expect(made).toMatch(/^\$2[aby]\$04\$/);
    expect(await bcrypt.compare('correct horse battery', made)).toBe(true);
    const theirs = await bcrypt.hash('otra clave segura', 4);
    expect(await hasher.compare('otra clave segura', theirs)).toBe(true);
    expect(await hasher.compare('otra clave segurA', theirs)).toBe(false);
    // A stored hash that is not a bcrypt hash matches nothing, and the thread goes on.
    expect(await hasher.compare('anything', 'not-a-hash')).toBe(false);
    expect(await hasher.compare('correct horse battery', made)).toBe(true);
  });

  it('leaves the event loop free while a cost-12 check runs', async () => {
    await hasher.compare('warm', await hasher.hash('warm', 4));
    const hash = await bcrypt.hash('clave del agente', 12);
    let turns = 0;
    const ticker = setInterval(() => turns++, 5);
    const before = performance.eventLoopUtilization();
    const started = performance.now();
    expect(await hasher.compare('clave del agente', hash)).toBe(true);
    const took = performance.now() - started;
    const used = performance.eventLoopUtilization(before);
    clearInterval(ticker);
    // On the event loop the utilization would be close to 1 for the whole check.
    expect(used.utilization).toBeLessThan(0.5);
    // And the loop kept turning: a timer every 5 ms fired for most of the check.
    expect(turns).toBeGreaterThan(took / 5 / 3);
  });

  it('fails the calls waiting on a thread that died, and starts a new one for the next', async () => {
    const hash = await bcrypt.hash('clave', 10);
    const waiting = hasher.compare('clave', hash);
    await hasher.close();
    await expect(waiting).rejects.toThrow(/password worker stopped/);
    expect(await hasher.compare('clave', hash)).toBe(true);
  });
});
