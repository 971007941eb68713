import { describe, expect, it, jest } from '@jest/globals';
import type { PoolMetricsRecorder } from './metrics-recorder.js';
import { MAX_KNOWN_MODELS, ModelLabelledMetrics, ModelLabels, OTHER_MODEL } from './model-labels.js';

function recorder() {
  return {
    attempt: jest.fn<PoolMetricsRecorder['attempt']>(),
    request: jest.fn<PoolMetricsRecorder['request']>(),
    retry: jest.fn<PoolMetricsRecorder['retry']>(),
    usage: jest.fn<PoolMetricsRecorder['usage']>(),
    degraded: jest.fn<PoolMetricsRecorder['degraded']>(),
  } satisfies PoolMetricsRecorder;
}

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

describe('ModelLabelledMetrics', () => {
  it('learns a model from a successful attempt; a failed one with an unknown model is labelled other', () => {
    const inner = recorder();
    const metrics = new ModelLabelledMetrics(inner, new ModelLabels());
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
    const inner = {
      ...recorder(),
      hedge: jest.fn<NonNullable<PoolMetricsRecorder['hedge']>>(),
      hedgeWin: jest.fn<NonNullable<PoolMetricsRecorder['hedgeWin']>>(),
    };
    const labels = new ModelLabels();
    labels.learn(['deepseek-chat']);
    const metrics = new ModelLabelledMetrics(inner, labels);
    metrics.hedge({ model: 'deepseek-chat', keyId: 'b', stream: false });
    metrics.hedgeWin({ model: 'made-up', winner: 'hedge', stream: true });
    expect(inner.hedge).toHaveBeenCalledWith({ model: 'deepseek-chat', keyId: 'b', stream: false });
    expect(inner.hedgeWin).toHaveBeenCalledWith({ model: OTHER_MODEL, winner: 'hedge', stream: true });
  });
});
