import { type Child, type SpawnOptions, spawnNode } from './children.js';

type Reply<R> = { ok: true; result: R } | { ok: false; error: string };

/** How long a worker gets to exit by itself once disconnected (a `--cpu-prof` profile is written at exit). */
const EXIT_GRACE_MS = 10_000;

/**
 * A bench worker module in its own process, running one job at a time: each `run` sends a config over IPC and
 * resolves with the result the worker sends back (see `serveWorker`). A crash or a timeout rejects with the
 * worker's output (and ends the worker).
 */
export class WorkerProcess<C, R> {
  private constructor(private readonly child: Child) {}

  static start<C, R>(name: string, script: string, options: SpawnOptions = {}): WorkerProcess<C, R> {
    return new WorkerProcess<C, R>(spawnNode(name, script, [], { ...options, ipc: true }));
  }

  /** False once the process has exited (a crash, or stopped after a timeout). */
  get alive(): boolean {
    return this.child.process.exitCode === null && this.child.process.signalCode === null;
  }

  async run(config: C, timeoutMs: number): Promise<R> {
    const { child } = this;
    let timer: NodeJS.Timeout | undefined;
    let onMessage: ((reply: Reply<R>) => void) | undefined;
    try {
      return await new Promise<R>((resolve, reject) => {
        timer = setTimeout(() => {
          reject(this.failure(`did not finish within ${timeoutMs} ms`));
          child
            .stop()
            .catch((error: unknown) => process.stderr.write(`${child.name}: stop failed: ${String(error)}\n`));
        }, timeoutMs);
        onMessage = (reply) => (reply.ok ? resolve(reply.result) : reject(this.failure(reply.error)));
        child.process.once('message', onMessage);
        child.exited.then((code) => reject(this.failure(`exited (code ${code}) without a result`)), reject);
        child.process.send(config as object);
      });
    } finally {
      clearTimeout(timer);
      if (onMessage) child.process.off('message', onMessage);
    }
  }

  /** Disconnects (the worker exits by itself), then makes sure it is gone. */
  async close(): Promise<void> {
    const { child } = this;
    if (child.process.connected) child.process.disconnect();
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, EXIT_GRACE_MS).unref())]);
    await child.stop();
  }

  private failure(why: string): Error {
    return new Error(`${this.child.name} ${why}. Output:\n${this.child.output().trim()}`);
  }
}

/** One job in a fresh worker process, closed afterwards. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- C and R pair it with serveWorker<C, R>
export async function runWorker<C, R>(
  name: string,
  script: string,
  config: C,
  timeoutMs: number,
  options: SpawnOptions = {},
): Promise<R> {
  const worker = WorkerProcess.start<C, R>(name, script, options);
  try {
    return await worker.run(config, timeoutMs);
  } finally {
    await worker.close();
  }
}

/** The worker side: runs `work` for each config received, one at a time, replies, and exits when disconnected. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- C is what runWorker<C, R> sends
export function serveWorker<C, R>(work: (config: C) => Promise<R>): void {
  const reply = (message: Reply<R>): void => {
    if (!process.send) throw new Error('serveWorker needs an IPC channel (a process started by runWorker)');
    process.send(message);
  };
  process.once('disconnect', () => process.exit(0));
  process.on('message', (config: C) => {
    work(config).then(
      (result) => reply({ ok: true, result }),
      (error: unknown) =>
        reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
}
