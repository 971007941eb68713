import { describe, expect, it } from '@jest/globals';
import { applyPatch, appliesToProbes, drawErrorStatus, drawLatencyMs, forcedStatus } from './key-behaviour.js';
import { mulberry32 } from './rng.js';
import type { KeyBehaviour } from './types.js';

describe('key behaviour', () => {
  it('applyPatch sets fields, removes null ones, ignores undefined ones', () => {
    expect(
      applyPatch<KeyBehaviour>({ latencyMs: 5, hang: true }, { hang: null, status: 500, jitterMs: undefined }),
    ).toEqual({
      latencyMs: 5,
      status: 500,
    });
  });

  it('draws latency within latency +- jitter, plus the long tail when drawn', () => {
    const rng = mulberry32(1);
    const draws = Array.from({ length: 2000 }, () =>
      drawLatencyMs({ latencyMs: 50, jitterMs: 10, longTail: { probability: 0.1, extraMs: 1000 } }, rng),
    );
    const normal = draws.filter((d) => d < 1000);
    const tail = draws.filter((d) => d >= 1000);
    expect(Math.min(...normal)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...normal)).toBeLessThanOrEqual(60);
    expect(tail.length / draws.length).toBeGreaterThan(0.07);
    expect(tail.length / draws.length).toBeLessThan(0.13);
    expect(drawLatencyMs({ latencyMs: 5, jitterMs: 50 }, () => 0)).toBe(0);
    expect(drawLatencyMs({}, rng)).toBe(0);
  });

  it('draws error statuses at their rates, reproducibly for a seed', () => {
    const draw = (seed: number) => {
      const rng = mulberry32(seed);
      return Array.from({ length: 5000 }, () => drawErrorStatus({ errorRates: { '500': 0.2, '503': 0.1 } }, rng));
    };
    const statuses = draw(7);
    expect(draw(7)).toEqual(statuses);
    expect(draw(8)).not.toEqual(statuses);
    const share = (s: number | undefined) => statuses.filter((x) => x === s).length / statuses.length;
    expect(share(500)).toBeCloseTo(0.2, 1);
    expect(share(503)).toBeCloseTo(0.1, 1);
    expect(share(undefined)).toBeCloseTo(0.7, 1);
    expect(drawErrorStatus({}, () => 0)).toBeUndefined();
  });

  it('forces the status, or the outage status inside its window', () => {
    const outage = { outage: { fromMs: 100, toMs: 200 } };
    expect(forcedStatus({ status: 429, ...outage }, 0)).toBe(429);
    expect(forcedStatus(outage, 99)).toBeUndefined();
    expect(forcedStatus(outage, 100)).toBe(503);
    expect(forcedStatus(outage, 200)).toBeUndefined();
    expect(forcedStatus({ outage: { fromMs: 0, toMs: 10, status: 500 } }, 5)).toBe(500);
  });

  it('keeps quota statuses off the free probes', () => {
    expect([401, 402, 429, 500, 503].filter((s) => appliesToProbes(s as 401))).toEqual([401, 500, 503]);
  });
});
