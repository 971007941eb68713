import { type ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { freePort } from './ports.js';

// The one redis-server launcher of the repo: benches use it, and the tests through test/support/redis-server.ts
// (bench/ compiles on its own, so the launcher lives here).

/** Longest wait for a stopped server to exit before it is killed. */
const STOP_GRACE_MS = 5_000;

/** A throwaway redis-server started for a test or a bench run. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
  /**
   * Kills the server (SIGKILL, like a crash: its data is lost), waits `downMs`, and starts a fresh one on the same
   * port.
   */
  restart(downMs?: number): Promise<void>;
}

export interface StartRedisOptions {
  /** The redis-server binary. Default `REDIS_SERVER` from the environment, else `redis-server` on the PATH. */
  binary?: string;
  /**
   * Longest wait for "Ready to accept connections" before failing (a bound for a broken start, not a speed assumption).
   * Default 15 000 ms.
   */
  readyTimeoutMs?: number;
}

const MISSING =
  'redis-server is not installed: install it (e.g. `apt-get install -y redis-server`) or set REDIS_SERVER to its path';

/**
 * Starts redis-server on a free loopback port with no persistence (`--save '' --appendonly no`).
 * Rejects, never skips, when the binary is missing or the server does not come up.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? process.env.REDIS_SERVER ?? 'redis-server';
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    tmpdir(),
    '--loglevel',
    'notice',
  ];
  const launch = async (): Promise<ChildProcess> => {
    const started = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    await ready(started, options.readyTimeoutMs ?? 15_000);
    return started;
  };
  let child = await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => stop(child),
    restart: async (downMs = 0) => {
      await stop(child, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, downMs));
      child = await launch();
    },
  };
}

/** Resolves once the server logs that it accepts connections; rejects if it fails to start or exits first. */
function ready(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (error: Error): void => {
      cleanup();
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (data: Buffer): void => {
      output += data.toString();
      if (!output.includes('Ready to accept connections')) return;
      cleanup();
      child.stdout?.resume();
      child.stderr?.resume();
      resolve();
    };
    const onError = (error: NodeJS.ErrnoException): void => fail(error.code === 'ENOENT' ? new Error(MISSING) : error);
    const onExit = (code: number | null): void =>
      fail(new Error(`redis-server exited (code ${code}) before it was ready:\n${output}`));
    const timer = setTimeout(
      () => fail(new Error(`redis-server was not ready within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    function cleanup(): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', onError);
    child.once('exit', onExit);
  });
}

/** Sends `signal` and waits for the exit; a server still running after STOP_GRACE_MS is killed. */
function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill(signal);
  });
}
