import { DeepSeekMock, type KeyConfig as MockKeyConfig, loadScenario } from 'nestjs-deepseek-pool-mock';
import type { KeyOptions } from 'nestjs-deepseek-pool';

/** The embedded upstream of demo mode: the DeepSeek mock with its demo cast, on an ephemeral loopback port. */
export interface DemoUpstream {
  mock: DeepSeekMock;
  keys: KeyOptions[];
}

/**
 * Starts the mock with `scenarioPath` (default: its demo cast) and returns pool keys pointing at it. The mock serves
 * chat prefix completion on `/beta` like DeepSeek, so its keys continue broken streams as DeepSeek's would.
 */
export async function startDemoUpstream(scenarioPath?: string): Promise<DemoUpstream> {
  const scenario = await loadScenario(
    scenarioPath ?? new URL('../../../../libs/deepseek-mock/scenarios/demo.json', import.meta.url).pathname,
  );
  const mock = new DeepSeekMock(scenario);
  const { url } = await mock.start({ port: 0 });
  return { mock, keys: scenario.keys.map((key) => mockKeyOptions(key, key.name ?? key.key.slice(-8), url)) };
}

/** The pool key of a mock key: the mock continues streams as the server it plays (DeepSeek's /beta, or vLLM). */
export function mockKeyOptions(key: MockKeyConfig, id: string, baseUrl: string): KeyOptions {
  return {
    id,
    apiKey: key.key,
    baseUrl,
    continuation: key.server === 'vllm' ? 'continue-final-message' : 'deepseek-prefix',
    ...(key.account ? { account: key.account } : {}),
  };
}
