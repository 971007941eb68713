import { describe, expect, it, jest } from '@jest/globals';
import type { PoolMetricsRecorder } from './metrics-recorder.js';
import { MAX_KNOWN_MODELS, ModelLabels, OTHER_MODEL, modelLabelledMetrics } from './model-labels.js';

function recorder() {
  return {
    attempt: jest.fn<PoolMetricsRecorder['attempt']>(),
    request: jest.fn<PoolMetricsRecorder['request']>(),
    retry: jest.fn<PoolMetricsRecorder['retry']>(),
    usage: jest.fn<PoolMetricsRecorder['usage']>(),
    degraded: jest.fn<PoolMetricsRecorder['degraded']>(),
  } satisfies PoolMetricsRecorder;
}

function fullRecorder() {
  return {
    ...recorder(),
    continuation: jest.fn<NonNullable<PoolMetricsRecorder['continuation']>>(),
    hedge: jest.fn<NonNullable<PoolMetricsRecorder['hedge']>>(),
    hedgeWin: jest.fn<NonNullable<PoolMetricsRecorder['hedgeWin']>>(),
    hedgeSkip: jest.fn<NonNullable<PoolMetricsRecorder['hedgeSkip']>>(),
  } satisfies Required<PoolMetricsRecorder>;
}

const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
/** Each recorder method called with the model `made-up`, and what the user's recorder must receive. */
const calls: [keyof PoolMetricsRecorder, unknown[], unknown[]][] = [
  [
    'attempt',
    [{ keyId: 'k', model: 'made-up', outcome: 'http', status: 400, latencyMs: 1, stream: false }],
    [{ keyId: 'k', model: OTHER_MODEL, outcome: 'http', status: 400, latencyMs: 1, stream: false }],
  ],
  [
    'request',
    [{ model: 'made-up', outcome: 'error', attempts: 1, latencyMs: 1, stream: true }],
    [{ model: OTHER_MODEL, outcome: 'error', attempts: 1, latencyMs: 1, stream: true }],
  ],
  ['retry', ['k', 'made-up'], ['k', 'made-up']],
  ['usage', ['k', 'made-up', usage], ['k', OTHER_MODEL, usage]],
  ['degraded', ['cache', 'made-up'], ['cache', OTHER_MODEL]],
  [
    'continuation',
    [{ model: 'made-up', fromKeyId: 'k', outcome: 'continued' }],
    [{ model: OTHER_MODEL, fromKeyId: 'k', outcome: 'continued' }],
  ],
  ['hedge', [{ model: 'made-up', keyId: 'k', stream: false }], [{ model: OTHER_MODEL, keyId: 'k', stream: false }]],
  [
    'hedgeWin',
    [{ model: 'made-up', winner: 'hedge', stream: true }],
    [{ model: OTHER_MODEL, winner: 'hedge', stream: true }],
  ],
  [
    'hedgeSkip',
    [{ model: 'made-up', reason: 'low-yield', stream: false }],
    [{ model: OTHER_MODEL, reason: 'low-yield', stream: false }],
  ],
];

describe('ModelLabels', () => {
  it('labels known models by name and everything else as other', () => {
    const labels = new ModelLabels();
    labels.learn(['deepseek-chat']);
    expect(labels.label('deepseek-chat')).toBe('deepseek-chat');
    expect(labels.label('x'.repeat(1_000_000))).toBe(OTHER_MODEL);
  });

  it('remembers at most MAX_KNOWN_MODELS models', () => {
    const labels = new ModelLabels();
    labels.learn(Array.from({ length: MAX_KNOWN_MODELS + 10 }, (_, i) => `m${i}`));
    expect(labels.label(`m${MAX_KNOWN_MODELS - 1}`)).toBe(`m${MAX_KNOWN_MODELS - 1}`);
    expect(labels.label(`m${MAX_KNOWN_MODELS}`)).toBe(OTHER_MODEL);
  });
});

describe('modelLabelledMetrics', () => {
  it.each(calls)('%s: forwards every other argument unchanged, the model labelled', (method, args, forwarded) => {
    const inner = fullRecorder();
    const metrics = modelLabelledMetrics(inner, new ModelLabels());
    Reflect.apply(metrics[method], metrics, args);
    expect(inner[method].mock.calls).toEqual([forwarded]);
  });

  it('skips the optional methods a recorder does not implement', () => {
    const inner = recorder();
    const metrics = modelLabelledMetrics(inner, new ModelLabels());
    expect(() => {
      metrics.continuation({ model: 'm', fromKeyId: 'k', outcome: 'continued' });
      metrics.hedge({ model: 'm', keyId: 'k', stream: false });
      metrics.hedgeWin({ model: 'm', winner: 'primary', stream: false });
      metrics.hedgeSkip({ model: 'm', reason: 'budget', stream: false });
    }).not.toThrow();
  });

  it('learns a model from a successful attempt; a failed one with an unknown model is labelled other', () => {
    const inner = recorder();
    const metrics = modelLabelledMetrics(inner, new ModelLabels());
    const attempt = { keyId: 'k', latencyMs: 1, stream: false };
    metrics.attempt({ ...attempt, model: 'made-up', outcome: 'http', status: 400 });
    metrics.request({ model: 'made-up', outcome: 'error', attempts: 1, latencyMs: 1, stream: false });
    metrics.attempt({ ...attempt, model: 'served', outcome: 'success' });
    metrics.request({ model: 'served', outcome: 'success', attempts: 1, latencyMs: 1, stream: false });
    metrics.degraded('cache', 'made-up');
    expect(inner.attempt.mock.calls.map(([m]) => m.model)).toEqual([OTHER_MODEL, 'served']);
    expect(inner.request.mock.calls.map(([m]) => m.model)).toEqual([OTHER_MODEL, 'served']);
    expect(inner.degraded.mock.calls).toEqual([['cache', OTHER_MODEL]]);
  });

  it('forwards hedge metrics with bounded model labels', () => {
    const inner = fullRecorder();
    const labels = new ModelLabels();
    labels.learn(['deepseek-chat']);
    const metrics = modelLabelledMetrics(inner, labels);
    metrics.hedge({ model: 'deepseek-chat', keyId: 'b', stream: false });
    metrics.hedgeWin({ model: 'made-up', winner: 'hedge', stream: true });
    expect(inner.hedge).toHaveBeenCalledWith({ model: 'deepseek-chat', keyId: 'b', stream: false });
    expect(inner.hedgeWin).toHaveBeenCalledWith({ model: OTHER_MODEL, winner: 'hedge', stream: true });
  });
});
