import { type Child, type SpawnOptions, spawnNode } from './children.js';

const EXIT_GRACE_MS = 10_000;

type Reply<R> = { ok: true; result: R } | { ok: false; error: string };

/**
 * Runs a bench worker module in its own process: sends it `config` over IPC and resolves with the result it
 * sends back (see `serveWorker`). The child is stopped in every case; a crash or `timeoutMs` rejects with its output.
 */
export async function runWorker<C, R>(name: string, script: string, config: C, timeoutMs: number, options: SpawnOptions = {}): Promise<R> {
  const child = spawnNode(name, script, [], { ...options, ipc: true });
  try {
    const result = await new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => reject(failure(child, `did not finish within ${timeoutMs} ms`)), timeoutMs);
      child.process.once('message', (reply: Reply<R>) => {
        clearTimeout(timer);
        if (reply.ok) resolve(reply.result);
        else reject(failure(child, reply.error));
      });
      void child.exited.then((code) => {
        clearTimeout(timer);
        reject(failure(child, `exited (code ${code}) without a result`));
      });
      child.process.send(config as object);
    });
    // The worker exits by itself after replying; let it (a `--cpu-prof` profile is written at exit).
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, EXIT_GRACE_MS).unref())]);
    return result;
  } finally {
    await child.stop();
  }
}

function failure(child: Child, why: string): Error {
  return new Error(`${child.name} ${why}. Output:\n${child.output().trim()}`);
}

/** The worker side: waits for its config, runs `work`, sends the result (or the error) and exits. */
export function serveWorker<C, R>(work: (config: C) => Promise<R>): void {
  process.once('disconnect', () => process.exit(1));
  process.once('message', (config: C) => {
    work(config).then(
      (result) => send({ ok: true, result }),
      (error: unknown) => send({ ok: false, error: (error as Error).stack ?? String(error) }),
    );
  });
}

function send<R>(reply: Reply<R>): void {
  process.send!(reply, () => process.exit(0));
}
