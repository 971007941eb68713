import type { KeyBehaviour, MockScenario } from 'nestjs-deepseek-pool-mock';
import { type Scenario, scenarios } from './support/harness.js';
import { report } from './support/report.js';
import { chatRequest, driveChat, readStream, successRate } from './support/traffic.js';

// Anchors scenario 7: DeepSeek's keep-alive under load. Blank lines before the JSON (non-streaming),
// `: keep-alive` comments (streaming), and a 200 whose body is only blank lines.
const TIMEOUTS = { firstByteMs: 1_000, firstContentMs: 300, idleMs: 1_000, attemptMs: 400, requestMs: 5_000 };
const TRICKLE_FOREVER = { intervalMs: 20, afterMs: 10_000, then: 'close' } as const;

function castWith(trickling: KeyBehaviour): MockScenario {
  return {
    defaults: { latencyMs: 2 },
    keys: [
      { key: 'sk-trickle-0000000001', name: 'trickling', ...trickling },
      { key: 'sk-healthy-0000000001', name: 'healthy' },
    ],
  };
}

describe('scenario 7: DeepSeek keep-alive trickle', () => {
  const start = scenarios();

  /** The trickling key is always tried first (priority 0); the healthy key is the fallback. */
  function trickleFirst(trickling: KeyBehaviour): Promise<Scenario> {
    return start({
      mock: castWith(trickling),
      pool: { timeouts: TIMEOUTS },
      keys: { trickling: { priority: 0 }, healthy: { priority: 1 } },
    });
  }

  it('bounds blank lines with no content on a non-streaming call by attemptMs, then fails over', async () => {
    const s = await trickleFirst({ keepAlive: TRICKLE_FOREVER });

    const result = await s.pool.chat(chatRequest());

    expect(result.meta).toMatchObject({ keyId: 'healthy', attempts: 2 });
    expect(result.meta.trace[0]).toMatchObject({ keyId: 'trickling', outcome: 'timeout' });
    expect(result.data.choices[0]?.message.content).toBe('Mock answer from healthy to: Question number 0');
  });

  it('lets blank lines keep a non-streaming call alive well past idleMs: every byte restarts the idle timer', async () => {
    const s = await start({
      mock: castWith({ keepAlive: { intervalMs: 20, afterMs: 600, then: 'answer' } }),
      pool: { timeouts: { ...TIMEOUTS, idleMs: 150, attemptMs: 2_000 } },
      keys: { trickling: { priority: 0 }, healthy: { priority: 1 } },
    });

    const result = await s.pool.chat(chatRequest());

    expect(result.meta).toMatchObject({ keyId: 'trickling', attempts: 1 });
    expect(result.meta.trace[0].latencyMs).toBeGreaterThanOrEqual(600);
  });

  it('bounds `: keep-alive` comments with no content on a stream by firstContentMs, then fails over', async () => {
    const s = await trickleFirst({ keepAlive: TRICKLE_FOREVER });

    const read = await readStream(s.pool);

    expect(read.meta).toMatchObject({ keyId: 'healthy', attempts: 2 });
    expect(read.meta.trace[0]).toMatchObject({ keyId: 'trickling', outcome: 'timeout' });
    expect(read.text).toBe('Mock answer from healthy to: Question number 0');
  });

  it('fails over from a 200 of blank lines only, streaming or not', async () => {
    const s = await trickleFirst({ blankBody: true });

    const plain = await s.pool.chat(chatRequest());
    const streamed = await readStream(s.pool, 1);

    expect(plain.meta).toMatchObject({ keyId: 'healthy', attempts: 2 });
    expect(plain.meta.trace[0]).toMatchObject({ keyId: 'trickling', outcome: 'empty-body' });
    expect(streamed.meta).toMatchObject({ keyId: 'healthy', attempts: 2 });
    expect(streamed.meta.trace[0]).toMatchObject({ keyId: 'trickling', outcome: 'protocol' });
    expect(streamed.text).toBe('Mock answer from healthy to: Question number 1');
  });

  it('serves every request of a batch, and the trickling key stops getting traffic once its breaker opens', async () => {
    const s = await trickleFirst({ blankBody: true });

    const result = await driveChat(s.pool, 20, 2);

    expect(successRate(result)).toBe(1);
    const [opened] = s.timeline.events('breaker.open', 'trickling');
    expect(opened).toBeDefined();
    expect(s.timeline.requestsWhileOpen('trickling')).toEqual([]);
    report('scenario 7 blank body batch', {
      successRate: successRate(result),
      trickling: s.keyStats('trickling').requests.chat,
      requests: result.offered,
    });
  });

  it('waits through keep-alive lines when the answer comes within the bounds (keep-alive is not a failure)', async () => {
    // Bounds well clear of the 100 ms trickle: under a loaded CI worker the answer came after attemptMs (400 ms) once,
    // which is a timeout, not the keep-alive this test is about.
    const s = await start({
      mock: castWith({ keepAlive: { intervalMs: 20, afterMs: 100, then: 'answer' } }),
      pool: { timeouts: { ...TIMEOUTS, firstContentMs: 2_000, attemptMs: 3_000 } },
      keys: { trickling: { priority: 0 }, healthy: { priority: 1 } },
    });

    const plain = await s.pool.chat(chatRequest());
    const streamed = await readStream(s.pool, 1);

    expect(plain.meta).toMatchObject({ keyId: 'trickling', attempts: 1 });
    expect(streamed.meta).toMatchObject({ keyId: 'trickling', attempts: 1 });
    expect(streamed.text).toBe('Mock answer from trickling to: Question number 1');
  });
});
