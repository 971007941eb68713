import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { useRedisServer } from '../../../test/support/redis-server.js';
import { type Gateway, startGateway } from './support/gateway-harness.js';

/** A revoked key and two healthy ones, served in turn (round robin). */
const CAST: MockScenario = {
  defaults: { latencyMs: 2 },
  keys: [
    { key: 'sk-redis-url-revoked-1', name: 'revoked', status: 401 },
    { key: 'sk-redis-url-healthy-1', name: 'healthy-1' },
    { key: 'sk-redis-url-healthy-2', name: 'healthy-2' },
  ],
};
const cacheable = {
  model: 'deepseek-v4-flash',
  messages: [{ role: 'user', content: 'What is 2 + 2?' }],
  temperature: 0,
};

/** Two gateways (each with its own mock, same cast) started with the same REDIS_URL: two replicas of one deployment. */
describe('REDIS_URL: replicas share the pool state and the degradation cache', () => {
  const redis = useRedisServer();
  const gateways: Gateway[] = [];

  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  });

  async function replicas(): Promise<[Gateway, Gateway]> {
    const started = await Promise.all(
      [0, 1].map(() => startGateway(CAST, { redisUrl: redis.url, degradation: {}, pool: { strategy: 'round-robin' } })),
    );
    gateways.push(...started);
    return [started[0], started[1]];
  }

  const post = (gateway: Gateway, body: unknown): Promise<Response> =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer client-a' },
      body: JSON.stringify(body),
    });

  it('a key revoked through replica A is never called by replica B', async () => {
    const [a, b] = await replicas();
    for (let i = 0; a.mock.stats().keys['revoked'].requests.chat === 0 && i < 20; i++)
      expect((await post(a, { ...cacheable, temperature: 1 })).status).toBe(200);
    expect(a.mock.stats().keys['revoked'].requests.chat).toBe(1);
    await waitFor(async () =>
      (await (await fetch(`${b.url}/metrics`)).text()).includes('deepseek_pool_key_state{key_id="revoked"} 5'),
    );

    for (let i = 0; i < 12; i++) expect((await post(b, { ...cacheable, temperature: 1 })).status).toBe(200);
    expect(b.mock.stats().keys['revoked'].requests.chat).toBe(0);
  });

  it('an answer cached by replica A is served by replica B when B cannot reach any key', async () => {
    const [a, b] = await replicas();
    const fresh = await post(a, cacheable);
    expect(fresh.status).toBe(200);
    const answer = (await fresh.json()) as { choices: Array<{ message: { content: string } }> };

    for (const key of ['revoked', 'healthy-1', 'healthy-2']) b.mock.setKey(key, { status: 503 });
    const degraded = await post(b, cacheable);
    expect(degraded.status).toBe(200);
    expect(degraded.headers.get('x-deepseek-pool-degraded')).toBe('cache');
    expect(((await degraded.json()) as typeof answer).choices[0].message.content).toBe(
      answer.choices[0].message.content,
    );
  });

  it('fails no request while Redis is killed and restarted (answers cached through it meanwhile), and both report it back up', async () => {
    const [a, b] = await replicas();
    let stop = false;
    const statuses: number[] = [];
    const traffic = Promise.all(
      [a, b].map(async (gateway) => {
        while (!stop) statuses.push((await post(gateway, cacheable)).status);
      }),
    );
    await waitFor(() => statuses.length >= 10);
    await redis.restart(300);
    await waitFor(() => statuses.length >= 40);
    stop = true;
    await traffic;
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    for (const gateway of [a, b])
      await waitFor(async () =>
        (await (await fetch(`${gateway.url}/metrics`)).text()).includes('deepseek_pool_shared_state_up 1'),
      );
  }, 30_000);
});

/** Polls until `probe` holds; fails after `timeoutMs` (a bound for a broken run, not a speed assumption). */
async function waitFor(probe: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${probe.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
