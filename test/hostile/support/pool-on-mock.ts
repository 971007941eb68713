import { type DeepSeekPoolOptions, type DeepSeekPoolService, createDeepSeekPool } from 'nestjs-deepseek-pool';
import { DeepSeekMock, type KeyConfig } from 'nestjs-deepseek-pool-mock';

/** A pool over the mock with test-sized timeouts; one pool key per mock key (id = the mock key's name). */
export interface PoolOnMock {
  mock: DeepSeekMock;
  pool: DeepSeekPoolService;
  close(): Promise<void>;
}

export async function startPoolOnMock(
  keys: KeyConfig[],
  options: Partial<DeepSeekPoolOptions> = {},
): Promise<PoolOnMock> {
  const mock = new DeepSeekMock({ keys });
  const { url } = await mock.start({ port: 0 });
  const { pool, close } = createDeepSeekPool({
    keys: keys.map((k) => ({ id: k.name ?? k.key, apiKey: k.key, baseUrl: url })),
    strategy: 'round-robin',
    logger: false,
    health: { probe: false, validateOnStart: false },
    retry: { maxWaitForKeyMs: 0 },
    ...options,
  });
  return {
    mock,
    pool,
    close: async () => {
      await close();
      await mock.close();
    },
  };
}

/**
 * `[[[...]]]` nested `depth` arrays deep, built without recursion: its JSON is tiny, re-serializing it overflows the
 * stack.
 */
export function nestedArrays(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds (the pool settles a stream's key just after the stream ends). */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}
