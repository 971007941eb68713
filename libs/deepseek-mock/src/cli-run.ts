import { parseArgs } from 'node:util';
import { DeepSeekMock } from './mock-server.js';
import { loadScenario } from './scenario.js';

export const DEFAULT_PORT = 8787;

export interface CliOptions {
  scenario: string;
  port: number;
  host: string;
  seed?: number;
}

function integerArg(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, got "${value}"`);
  return n;
}

/**
 * Parses `--scenario <file> --port <n> --host <h> --seed <n>`; `defaultScenario` is served when `--scenario` is not
 * given.
 */
export function parseCliArgs(argv: string[], defaultScenario: string): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const seed = integerArg('seed', values.seed);
  return {
    scenario: values.scenario ?? defaultScenario,
    port: integerArg('port', values.port) ?? DEFAULT_PORT,
    host: values.host ?? '127.0.0.1',
    ...(seed === undefined ? {} : { seed }),
  };
}

/** Loads the scenario, starts the mock and prints `deepseek-mock listening on <url> (N keys)`. */
export async function runCli(
  argv: string[],
  defaultScenario: string,
  print: (line: string) => void = console.log,
): Promise<DeepSeekMock> {
  const options = parseCliArgs(argv, defaultScenario);
  const scenario = await loadScenario(options.scenario);
  const mock = new DeepSeekMock(scenario, options.seed === undefined ? {} : { seed: options.seed });
  const { url } = await mock.start({ port: options.port, host: options.host });
  print(`deepseek-mock listening on ${url} (${scenario.keys.length} keys)`);
  return mock;
}
