import { afterEach, describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import { DEFAULT_PORT, parseCliArgs, runCli } from './cli-run.js';
import type { DeepSeekMock } from './mock-server.js';

/** The bundled demo scenario (Jest runs from the repository root). */
const DEMO = resolve('libs/deepseek-mock/scenarios/demo.json');
let mock: DeepSeekMock | undefined;

afterEach(async () => {
  await mock?.close();
});

describe('cli', () => {
  it('parses the options, with defaults', () => {
    expect(parseCliArgs([], DEMO)).toEqual({ scenario: DEMO, port: DEFAULT_PORT, host: '127.0.0.1' });
    expect(parseCliArgs(['--scenario', 'x.json', '--port', '0', '--host', '::1', '--seed', '7'], DEMO)).toEqual({
      scenario: 'x.json',
      port: 0,
      host: '::1',
      seed: 7,
    });
    expect(() => parseCliArgs(['--port', 'eighty'], DEMO)).toThrow('--port: expected a non-negative integer');
    expect(() => parseCliArgs(['--verbose'], DEMO)).toThrow();
  });

  it('starts the default demo scenario and prints one line', async () => {
    const lines: string[] = [];
    mock = await runCli(['--port', '0'], DEMO, (line) => lines.push(line));
    expect(lines).toEqual([`deepseek-mock listening on ${mock.url} (${mock.keys().length} keys)`]);
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(mock.keys().map((k) => k.key)).toContain('sk-demo-healthy-0001');
  });
});
