import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { collect, waitForMatch } from './support/child-output.js';

const root = resolve(import.meta.dirname, '../../..');

/**
 * What `npm start` runs after building: the compiled gateway with no DEEPSEEK_API_KEYS, i.e. demo mode on the embedded
 * mock.
 */
describe('npm start (demo mode, no keys, no network)', () => {
  let gateway: ChildProcess | undefined;

  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'libs/deepseek-pool', 'libs/deepseek-mock', 'apps/gateway'], {
      cwd: root,
      stdio: 'ignore',
    });
  }, 120_000);

  afterEach(() => {
    gateway?.kill('SIGTERM');
  });

  it('serves a completion from the simulated keys and prints a ready-to-paste curl line', async () => {
    const env = {
      ...process.env,
      PORT: '0',
      DEEPSEEK_API_KEYS: '',
      GATEWAY_TOKENS: '',
      GATEWAY_CONFIG: '',
      NO_COLOR: '1',
    };
    gateway = spawn(process.execPath, ['apps/gateway/dist/main.js'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(gateway);
    const url = await waitForMatch(output, /Gateway listening on (http:\/\/127\.0\.0\.1:\d+)/);
    expect(output.text).toMatch(/curl -s http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions/);
    expect(output.text).toMatch(/DEMO MODE/);

    const answers = [];
    for (let i = 0; i < 8; i++) {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'deepseek-v4-flash', messages: [{ role: 'user', content: `Hello ${i}` }] }),
      });
      answers.push({ status: response.status, key: response.headers.get('x-deepseek-pool-key') });
    }
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.some((a) => a.key === 'revoked' || a.key === 'empty')).toBe(false);
    await waitForMatch(output, /served by \S+ after \d attempt\(s\)/);
  }, 30_000);
});
