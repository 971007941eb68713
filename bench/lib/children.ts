import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

const STOP_GRACE_MS = 3_000;
const OUTPUT_TAIL_CHARS = 6_000;

/** Every child this process started and that has not exited yet. */
const live = new Set<ChildProcess>();

/** A child process of the bench: its output tail (for error messages) and a stop that always ends it. */
export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Last few KB of stdout + stderr. */
  output(): string;
  /** Resolves with the exit code (or null after a signal). */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  /** Extra node flags (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Open an IPC channel (for bench workers that `process.send` their result). */
  ipc?: boolean;
  cwd?: string;
  /** The node binary (default: the one running the bench). */
  execPath?: string;
}

/** Starts `node <script> ...args` as a tracked child; its output is drained (never blocks) and its tail kept. */
export function spawnNode(name: string, script: string, args: string[] = [], options: SpawnOptions = {}): Child {
  const child = spawn(options.execPath ?? process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  live.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
    child.once('error', (error) => {
      keep(Buffer.from(`\n[spawn error] ${error.message}\n`));
      live.delete(child);
      resolve(null);
    });
  });
  return { name, process: child, output: () => tail, exited, stop: () => stopChild(child, exited) };
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !live.has(child)) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Stops every live child (used in `finally` blocks and on SIGINT / SIGTERM). */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...live].map((child) =>
      stopChild(
        child,
        once(child, 'exit').then(() => null),
      ),
    ),
  );
}

let installed = false;

/** Makes sure no child outlives the bench: SIGINT / SIGTERM stop them, and `exit` SIGKILLs any left. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopAll().then(
        () => process.exit(130),
        (error: unknown) => {
          process.stderr.write(`stopping the bench's children failed: ${String(error)}\n`);
          process.exit(130);
        },
      );
    });
  }
}

/** Resolves with the first match of `pattern` in the child's output; rejects if it exits or `timeoutMs` passes. */
export async function waitForOutput(child: Child, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(child.output());
    if (match) return match;
    await failIfGone(child, deadline, `${pattern}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Resolves once `url` answers any HTTP response; rejects if the child exits or `timeoutMs` passes. */
export async function waitForHttp(child: Child, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      return;
    } catch {
      await failIfGone(child, deadline, url);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function failIfGone(child: Child, deadline: number, waitingFor: string): Promise<void> {
  const gone = child.process.exitCode !== null || child.process.signalCode !== null || !live.has(child.process);
  if (!gone && Date.now() < deadline) return;
  const why = gone
    ? `exited (code ${child.process.exitCode ?? child.process.signalCode})`
    : 'did not get ready in time';
  await child.stop();
  throw new Error(`${child.name} ${why} while waiting for ${waitingFor}. Output:\n${child.output().trim()}`);
}
