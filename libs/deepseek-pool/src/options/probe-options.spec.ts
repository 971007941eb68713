import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import { type DeepSeekPoolOptions, resolveOptions } from '../deepseek-pool.options.js';

const KEY = 'sk-probeoptions00000000001';

describe('probe, synthetic and validateOnStart options', () => {
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
      probe: { intervalMs: 30_000, unhealthyAfter: 5, balance: true },
      synthetic: { intervalMs: 300_000, model: 'deepseek-v4-flash', dailyRequests: 100 },
      validateOnStart: 'require-one',
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
    const resolved = resolveOptions({ keys: [KEY], probe: false, validateOnStart: false });
    expect(resolved.probe).toBe(false);
    expect(resolved.validateOnStart).toBe(false);
  });

  it.each<[string, Partial<DeepSeekPoolOptions>, string]>([
    ['interval 0', { probe: { intervalMs: 0 } }, 'probe.intervalMs'],
    ['jitter 1', { probe: { jitter: 1 } }, 'probe.jitter'],
    ['negative jitter', { probe: { jitter: -0.1 } }, 'probe.jitter'],
    ['fractional threshold', { probe: { unhealthyAfter: 2.5 } }, 'probe.unhealthyAfter'],
    ['zero healthyAfter', { probe: { healthyAfter: 0 } }, 'probe.healthyAfter'],
    ['timeout', { probe: { timeoutMs: -1 } }, 'probe.timeoutMs'],
    ['balance mode', { probe: { balance: 'yes' as unknown as boolean } }, 'probe.balance'],
    ['probe not an object', { probe: 5 as unknown as false }, 'probe'],
    ['synthetic without a budget', { synthetic: { intervalMs: 1_000, model: 'm' } }, 'synthetic.dailyRequests'],
    ['synthetic without a model', { synthetic: { intervalMs: 1_000, model: '', dailyRequests: 1 } }, 'synthetic.model'],
    ['synthetic interval', { synthetic: { intervalMs: 0, model: 'm', dailyRequests: 1 } }, 'synthetic.intervalMs'],
    [
      'synthetic token budget',
      { synthetic: { intervalMs: 1, model: 'm', dailyBudgetTokens: 0.5 } },
      'synthetic.dailyBudgetTokens',
    ],
    [
      'synthetic expect',
      { synthetic: { intervalMs: 1, model: 'm', dailyRequests: 1, expect: 5 as unknown as string } },
      'synthetic.expect',
    ],
    ['validateOnStart', { validateOnStart: 'always' as unknown as boolean }, 'validateOnStart'],
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
