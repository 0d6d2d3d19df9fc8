import { Worker } from 'node:worker_threads';

/**
 * The worker's code, plain JavaScript (it runs the same under tsx, jest and the compiled build):
 * bcryptjs in a thread of its own. Its async API alone is not enough: it still computes on the
 * event loop, in slices of up to 100 ms (measured: a cost-12 check took 546 ms here and held the
 * loop for 107 ms at a time), so every chat's replies would wait while an agent logs in.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptjs);
parentPort.on('message', ({ id, op, args }) => {
  const work = op === 'hash' ? bcrypt.hash(args[0], args[1]) : bcrypt.compare(args[0], args[1]);
  work.then(
    (result) => parentPort.postMessage({ id, result }),
    (error) => parentPort.postMessage({ id, error: String((error && error.message) || error) }),
  );
});
`;

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** A running thread and the calls waiting on it. */
interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * bcrypt hashes and checks off the event loop, in one worker thread started at the first use
 * (an instance whose back office nobody logs in to never starts it). The thread keeps the
 * process alive only while a call waits on it; if it dies, those calls fail and the next call
 * starts a new one.
 */
export class PasswordHasher {
  private thread: Thread | undefined;
  private nextId = 0;

  hash(password: string, cost: number): Promise<string> {
    return this.call('hash', [password, cost]) as Promise<string>;
  }

  compare(password: string, hash: string): Promise<boolean> {
    return this.call('compare', [password, hash]) as Promise<boolean>;
  }

  /** Stops the thread (the process exits without it anyway). */
  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    if (thread) await thread.worker.terminate();
  }

  private call(op: 'hash' | 'compare', args: [string, string | number]): Promise<unknown> {
    const thread = this.started();
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.ref();
      thread.worker.postMessage({ id, op, args });
    });
  }

  private started(): Thread {
    if (this.thread) return this.thread;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptjs: require.resolve('bcryptjs') } });
    const thread: Thread = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', ({ id, result, error }: { id: number; result?: unknown; error?: string }) => {
      const call = thread.pending.get(id);
      thread.pending.delete(id);
      // Idle again: the thread must not keep the process alive.
      if (thread.pending.size === 0) worker.unref();
      if (!call) return;
      if (error !== undefined) call.reject(new Error(error));
      else call.resolve(result);
    });
    const fail = (error: Error) => {
      if (this.thread === thread) this.thread = undefined;
      for (const call of thread.pending.values()) call.reject(error);
      thread.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the password worker stopped (exit code ${code})`)));
    this.thread = thread;
    return thread;
  }
}

/** The process's one hasher: logins and the agents' CLI share its thread. */
export const passwords = new PasswordHasher();
