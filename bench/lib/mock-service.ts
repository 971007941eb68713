import type { KeyPatch, MockStats } from 'nestjs-deepseek-pool-mock';
import { type Child, spawnNode, waitForOutput } from './children.js';
import { repoPath } from './paths.js';

const MOCK_CLI = repoPath('libs/deepseek-mock/dist/cli.js');
const START_TIMEOUT_MS = 15_000;

/** The mock's admin endpoint (`/_mock/...`): counters and run-time changes of keys and accounts. */
export class MockAdmin {
  constructor(private readonly url: string) {}

  stats(): Promise<MockStats> {
    return this.call('GET', 'stats') as Promise<MockStats>;
  }

  async resetCounters(): Promise<void> {
    await this.call('POST', 'reset');
  }

  async setKey(ref: string, patch: KeyPatch): Promise<void> {
    await this.call('PATCH', `keys/${encodeURIComponent(ref)}`, patch);
  }

  async setBalance(account: string, balance: number): Promise<void> {
    await this.call('POST', `accounts/${encodeURIComponent(account)}/balance`, { balance });
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}/_mock/${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const payload: unknown = await response.json();
    if (!response.ok) throw new Error(`mock admin ${method} ${path} -> ${response.status} ${JSON.stringify(payload)}`);
    return payload;
  }
}

/** The DeepSeek mock in its own process (its CLI), on an ephemeral loopback port. */
export interface MockService {
  url: string;
  admin: MockAdmin;
  child: Child;
}

/** Starts `deepseek-mock --scenario <file> --port 0` and waits for its "listening on <url>" line. */
export async function startMock(scenarioFile: string, seed = 20240601): Promise<MockService> {
  const child = spawnNode('deepseek-mock', MOCK_CLI, [
    '--scenario',
    scenarioFile,
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--seed',
    String(seed),
  ]);
  const [, url] = await waitForOutput(child, /listening on (http:\/\/[\d.]+:\d+)/, START_TIMEOUT_MS);
  return { url: url, admin: new MockAdmin(url), child };
}
