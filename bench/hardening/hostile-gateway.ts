import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyConfig } from 'nestjs-deepseek-pool-mock';
import { type Child, spawnNode, waitForHttp } from '../lib/children.js';
import { type MockService, startMock } from '../lib/mock-service.js';
import { distModule, repoPath } from '../lib/paths.js';
import { freePort } from '../lib/ports.js';

/** One sample of the gateway process. */
export interface MemorySample {
  atMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  peakRssBytes: number;
  handles: number;
}

/** The normal models (JSON and streams) and the models only hostile keys serve. */
export const MODELS = {
  normal: 'deepseek-v4-flash',
  normalStream: 'deepseek-chat',
  endlessBody: 'deepseek-v4-pro',
  endlessLine: 'deepseek-reasoner',
} as const;

/** A mock key of the cast and the models its gateway key serves. */
export interface CastKey {
  mock: KeyConfig;
  models: string[];
}

export interface HostileGateway {
  url: string;
  mock: MockService;
  gateway: Child;
  /** Every sample the gateway reported so far. */
  samples: MemorySample[];
}

/**
 * Starts the mock (its CLI) with `cast` and the built gateway over it, reporting memory every 250 ms over IPC.
 * `env` adds gateway variables (e.g. `GATEWAY_DEGRADE`).
 */
export async function startHostileGateway(
  cast: CastKey[],
  runDir: string,
  env: Record<string, string> = {},
): Promise<HostileGateway> {
  const scenarioFile = join(runDir, 'scenario.json');
  await writeFile(scenarioFile, JSON.stringify({ keys: cast.map((k) => k.mock) }));
  const mock = await startMock(scenarioFile);
  const configFile = join(runDir, 'gateway.json');
  const keys = cast.map((k) => ({ id: k.mock.name, apiKey: k.mock.key, baseUrl: mock.url, models: k.models }));
  await writeFile(configFile, JSON.stringify({ keys, health: { probe: false, validateOnStart: false } }));
  const port = await freePort();
  const gateway = spawnNode('gateway', repoPath('apps/gateway/dist/main.js'), [], {
    env: {
      GATEWAY_CONFIG: configFile,
      GATEWAY_ALLOW_ANONYMOUS: 'true',
      GATEWAY_REQUEST_LOG: 'failures',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    nodeArgs: ['--import', distModule('hardening/memory-reporter')],
    ipc: true,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(gateway, `${url}/health/live`, 30_000);
  const samples: MemorySample[] = [];
  gateway.process.on('message', (message) =>
    samples.push({ atMs: Date.now(), ...(message as Omit<MemorySample, 'atMs'>) }),
  );
  return { url, mock, gateway, samples };
}

/**
 * One chat request through the gateway; resolves with the status (0 for a connection failure), the body read and
 * dropped.
 */
export async function send(url: string, body: unknown, timeoutMs = 30_000): Promise<number> {
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

export function chatBody(model: string, stream = false): Record<string, unknown> {
  return { model, messages: [{ role: 'user', content: 'Hello, how are you?' }], ...(stream ? { stream: true } : {}) };
}

export const MB = 1024 * 1024;
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
