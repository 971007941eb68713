import { useRedisServer } from '../support/redis-server.js';
import { type ReplicaSet, type ReplicaSetSpec, ask, drive, startReplicas } from './support/replicas.js';
import { sleep, waitFor } from './support/wait.js';

const HEALTHY = [
  { key: 'sk-replica-healthy-01', name: 'healthy-1' },
  { key: 'sk-replica-healthy-02', name: 'healthy-2' },
];

/** Two Nest apps, each with its own pool, sharing one real redis-server and one DeepSeek mock. */
describe('two replicas sharing one Redis', () => {
  const redis = useRedisServer();
  const running: ReplicaSet[] = [];
  let run = 0;

  afterEach(async () => {
    await Promise.all(running.splice(0).map((set) => set.close()));
  });

  async function start(spec: Omit<ReplicaSetSpec, 'redisUrl' | 'prefix'>): Promise<ReplicaSet> {
    const set = await startReplicas({ ...spec, redisUrl: redis.url, prefix: `r${++run}:` });
    running.push(set);
    return set;
  }

  it('honours on one replica a 401 seen by the other: the revoked key is called once in all', async () => {
    // Arrange: the revoked key is first in line (priority 0) on both replicas.
    const { mock, replicas } = await start({
      mock: {
        defaults: { latencyMs: 2 },
        keys: [{ key: 'sk-replica-revoked-01', name: 'revoked', status: 401 }, ...HEALTHY],
      },
      keys: { 'healthy-1': { priority: 1 }, 'healthy-2': { priority: 1 } },
    });
    const [a, b] = replicas;

    // Act
    await a.pool.chat(ask(0));
    await waitFor(() => b.pool.snapshot().keys[0].state === 'disabled', 'replica b to see the disable', 1_000);
    const onB = await drive(20, 4, (n) => b.pool.chat(ask(n)));

    // Assert
    expect(onB).toEqual({ ok: 20, errors: [] });
    expect(mock.stats().keys.revoked.requests.chat).toBe(1);
    expect(b.pool.snapshot().keys[0]).toMatchObject({ id: 'revoked', state: 'disabled', disabledReason: 'revoked' });
  });

  it('holds an account limit of N in flight across both replicas under concurrent load', async () => {
    // Arrange: one account of 3 keys, 3 in flight at most, enforced by the mock with DeepSeek's 429.
    const N = 3;
    const { mock, replicas } = await start({
      mock: {
        defaults: { latencyMs: 20, jitterMs: 10 },
        accounts: { shared: { maxConcurrency: N } },
        keys: [1, 2, 3].map((i) => ({ key: `sk-replica-shared-0${i}`, name: `shared-${i}`, account: 'shared' })),
      },
      pool: { accounts: { shared: { maxConcurrency: N } } },
    });

    // Act: 2 replicas x 12 concurrent callers, 120 requests.
    const results = await Promise.all(replicas.map((r) => drive(60, 12, (n) => r.pool.chat(ask(n)))));

    // Assert
    const stats = mock.stats();
    expect(results.map((r) => r.ok)).toEqual([60, 60]);
    expect(stats.accounts.shared.peakInFlight).toBeLessThanOrEqual(N);
    expect(stats.accounts.shared.peakInFlight).toBe(N);
    expect(Object.values(stats.keys).reduce((sum, k) => sum + k.rejections.concurrency, 0)).toBe(0);
  });

  it('shows a cooldown from a 429 on one replica to the other within 1 s', async () => {
    // Arrange
    const { replicas } = await start({
      mock: {
        defaults: { latencyMs: 2 },
        keys: [{ key: 'sk-replica-limited-01', name: 'limited', status: 429 }, ...HEALTHY],
      },
      keys: { 'healthy-1': { priority: 1 }, 'healthy-2': { priority: 1 } },
    });
    const [a, b] = replicas;
    let cooledAt = 0;
    a.pool.events.once('key.cooldown', () => (cooledAt = performance.now()));

    // Act
    await a.pool.chat(ask(0));
    await waitFor(() => b.pool.snapshot().keys[0].state === 'cooling', 'replica b to see the cooldown', 1_000);
    const propagationMs = performance.now() - cooledAt;

    // Assert
    expect(propagationMs).toBeLessThan(1_000);
    expect(b.pool.snapshot().keys[0].cooldownUntilMs).toBe(a.pool.snapshot().keys[0].cooldownUntilMs);
  });

  it('fails no request when Redis is killed mid-run, and reconciles after its restart', async () => {
    // Arrange
    const { mock, replicas } = await start({
      mock: { defaults: { latencyMs: 5 }, keys: [{ key: 'sk-replica-flaky-01', name: 'flaky' }, ...HEALTHY] },
    });
    const [a, b] = replicas;
    const degradedEvents = [0, 0];
    replicas.forEach((r, i) => r.pool.events.on('store.degraded', () => degradedEvents[i]++));
    let stop = false;
    const traffic = replicas.map((r) =>
      drive(
        Number.MAX_SAFE_INTEGER,
        4,
        (n) => r.pool.chat(ask(n)),
        () => stop,
      ),
    );

    // Act: Redis is killed (data lost) for 1.5 s; meanwhile replica a finds the flaky key revoked.
    await sleep(300);
    const restarting = redis.restart(1_500);
    await waitFor(() => !a.store.online && !b.store.online, 'both stores to notice');
    mock.setKey('flaky', { status: 401 });
    await waitFor(() => a.pool.snapshot().keys[0].state === 'disabled', 'replica a to disable the flaky key', 3_000);
    await restarting;
    await Promise.all([a.store.ready(), b.store.ready()]);
    await waitFor(
      () => b.pool.snapshot().keys[0].state === 'disabled',
      'replica b to learn the disable after reconciliation',
      2_000,
    );
    const flakyCallsAfter = mock.stats().keys.flaky.requests.chat;
    await sleep(300);
    stop = true;
    const results = await Promise.all(traffic);

    // Assert: every request served; the outage reported once per replica; the disable reconciled.
    for (const result of results) {
      expect(result.errors).toEqual([]);
      expect(result.ok).toBeGreaterThan(50);
    }
    expect(degradedEvents).toEqual([1, 1]);
    expect(replicas.every((r) => r.changes.some((c) => c.type === 'store-recovered'))).toBe(true);
    expect(mock.stats().keys.flaky.requests.chat).toBe(flakyCallsAfter);
  });

  it('keeps a conversation on one account across replicas with affinity, and its prompt cache hitting', async () => {
    // Arrange: three accounts of one key each; 8 conversations of 6 turns, turns alternating between the replicas.
    const scenario = (affinity: boolean) =>
      start({
        mock: {
          defaults: { latencyMs: 1 },
          keys: ['x', 'y', 'z'].map((a) => ({ key: `sk-replica-acct-${a}-001`, name: `key-${a}`, account: a })),
          accounts: { x: {}, y: {}, z: {} },
        },
        pool: { strategy: 'round-robin', ...(affinity ? { affinity: 'user' as const } : {}) },
      });
    async function converse(set: ReplicaSet): Promise<{ hit: number; prompt: number }> {
      let hit = 0;
      let prompt = 0;
      for (let user = 0; user < 8; user++) {
        const messages: Array<{ role: string; content: string }> = [];
        for (let turn = 0; turn < 6; turn++) {
          messages.push({ role: 'user', content: `user ${user} turn ${turn}: ${'context '.repeat(40)}` });
          const { data } = await set.replicas[turn % 2].pool.chat({
            model: 'deepseek-v4-flash',
            messages: [...messages],
            user: `user-${user}`,
          });
          hit += data.usage?.prompt_cache_hit_tokens ?? 0;
          prompt += data.usage?.prompt_tokens ?? 0;
          messages.push({ role: 'assistant', content: String(data.choices[0].message.content) });
        }
      }
      return { hit, prompt };
    }

    // Act
    const sticky = await converse(await scenario(true));
    const spread = await converse(await scenario(false));

    // Assert: with affinity every turn hits all of the conversation so far; without, a good part is lost.
    expect(sticky.hit / sticky.prompt).toBeGreaterThan(0.65);
    expect(spread.hit).toBeLessThan(0.75 * sticky.hit);
  });
});
