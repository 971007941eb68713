import { DeepSeekMock, loadScenario } from 'nestjs-deepseek-pool-mock';
import type { KeyOptions } from 'nestjs-deepseek-pool';

/** The embedded upstream of demo mode: the DeepSeek mock with its demo cast, on an ephemeral loopback port. */
export interface DemoUpstream {
  mock: DeepSeekMock;
  keys: KeyOptions[];
}

/** Starts the mock with `scenarioPath` (default: its demo cast) and returns pool keys pointing at it. */
export async function startDemoUpstream(scenarioPath?: string): Promise<DemoUpstream> {
  const scenario = await loadScenario(scenarioPath ?? new URL('../../../../libs/deepseek-mock/scenarios/demo.json', import.meta.url).pathname);
  const mock = new DeepSeekMock(scenario);
  const { url } = await mock.start({ port: 0 });
  const keys = scenario.keys.map((key) => ({ id: key.name ?? key.key.slice(-8), apiKey: key.key, baseUrl: url, ...(key.account ? { account: key.account } : {}) }));
  return { mock, keys };
}
