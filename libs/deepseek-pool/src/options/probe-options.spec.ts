import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import { type DeepSeekPoolOptions, resolveOptions } from '../deepseek-pool.options.js';

const KEY = 'sk-probeoptions00000000001';

describe('health options: probe, synthetic and validateOnStart', () => {
  it('probing and start-up validation are on by default; synthetic traffic is off', () => {
    const resolved = resolveOptions({ keys: [KEY] });
    expect(resolved.probe).toEqual({
      intervalMs: 10_000,
      jitter: 0.2,
      unhealthyAfter: 3,
      healthyAfter: 2,
      timeoutMs: 5_000,
      balance: 'auto',
    });
    expect(resolved.synthetic).toBe(false);
    expect(resolved.validateOnStart).toBe(true);
  });

  it('keeps given values and fills the rest', () => {
    const resolved = resolveOptions({
      keys: [KEY],
      health: {
        probe: { intervalMs: 30_000, unhealthyAfter: 5, balance: true },
        synthetic: { intervalMs: 300_000, model: 'deepseek-v4-flash', dailyRequests: 100 },
        validateOnStart: 'require-one',
      },
    });
    expect(resolved.probe).toMatchObject({ intervalMs: 30_000, unhealthyAfter: 5, healthyAfter: 2, balance: true });
    expect(resolved.synthetic).toEqual({
      intervalMs: 300_000,
      model: 'deepseek-v4-flash',
      dailyRequests: 100,
      dailyBudgetTokens: Infinity,
      prompt: 'Reply with the single word: pong',
      expect: 'pong',
      maxTokens: 16,
      timeoutMs: 30_000,
    });
    expect(resolved.validateOnStart).toBe('require-one');
  });

  it('turns probing and validation off with false', () => {
    const resolved = resolveOptions({ keys: [KEY], health: { probe: false, validateOnStart: false } });
    expect(resolved.probe).toBe(false);
    expect(resolved.validateOnStart).toBe(false);
  });

  it.each<[string, Partial<DeepSeekPoolOptions>, string]>([
    ['interval 0', { health: { probe: { intervalMs: 0 } } }, 'health.probe.intervalMs'],
    ['jitter 1', { health: { probe: { jitter: 1 } } }, 'health.probe.jitter'],
    ['negative jitter', { health: { probe: { jitter: -0.1 } } }, 'health.probe.jitter'],
    ['fractional threshold', { health: { probe: { unhealthyAfter: 2.5 } } }, 'health.probe.unhealthyAfter'],
    ['zero healthyAfter', { health: { probe: { healthyAfter: 0 } } }, 'health.probe.healthyAfter'],
    ['timeout', { health: { probe: { timeoutMs: -1 } } }, 'health.probe.timeoutMs'],
    ['balance mode', { health: { probe: { balance: 'yes' as unknown as boolean } } }, 'health.probe.balance'],
    ['probe not an object', { health: { probe: 5 as unknown as false } }, 'health.probe'],
    [
      'synthetic without a budget',
      { health: { synthetic: { intervalMs: 1_000, model: 'm' } } },
      'health.synthetic.dailyRequests',
    ],
    [
      'synthetic without a model',
      { health: { synthetic: { intervalMs: 1_000, model: '', dailyRequests: 1 } } },
      'health.synthetic.model',
    ],
    [
      'synthetic interval',
      { health: { synthetic: { intervalMs: 0, model: 'm', dailyRequests: 1 } } },
      'health.synthetic.intervalMs',
    ],
    [
      'synthetic token budget',
      { health: { synthetic: { intervalMs: 1, model: 'm', dailyBudgetTokens: 0.5 } } },
      'health.synthetic.dailyBudgetTokens',
    ],
    [
      'synthetic expect',
      { health: { synthetic: { intervalMs: 1, model: 'm', dailyRequests: 1, expect: 5 as unknown as string } } },
      'health.synthetic.expect',
    ],
    ['validateOnStart', { health: { validateOnStart: 'always' as unknown as boolean } }, 'health.validateOnStart'],
  ])('rejects %s, naming the field', (_name, options, field) => {
    let error: unknown;
    try {
      resolveOptions({ keys: [KEY], ...options });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).field).toBe(field);
    expect((error as Error).message).not.toContain(KEY);
  });
});
