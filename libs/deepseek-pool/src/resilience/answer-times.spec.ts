import { describe, expect, it } from '@jest/globals';
import { AnswerTimes } from './answer-times.js';

function setup() {
  const clock = { t: 1_000_000, now: () => clock.t };
  return { clock, times: new AnswerTimes(30_000, clock) };
}

describe('AnswerTimes', () => {
  it('gives no percentile without samples, and the slowest sample until a class has the minimum samples', () => {
    const { times } = setup();
    expect(times.percentile('chat|m|default', 95, 20)).toBeUndefined();
    times.record('chat|m|default', 300);
    for (let i = 0; i < 18; i++) times.record('chat|m|default', 20);
    expect(times.percentile('chat|m|default', 95, 20)).toBe(300);
    times.record('chat|m|default', 20);
    expect(times.percentile('chat|m|default', 95, 20)).toBe(20);
    expect(times.percentile('stream|m|default', 95, 20)).toBeUndefined();
    expect(times.samples('chat|m|default')).toBe(20);
  });

  it('reads the p95 of the class within 1%', () => {
    const { times } = setup();
    for (let i = 1; i <= 1_000; i++) times.record('c', i);
    expect(times.percentile('c', 95, 20)).toBeGreaterThanOrEqual(945);
    expect(times.percentile('c', 95, 20)).toBeLessThanOrEqual(955);
  });

  it('follows a change, recomputing the percentile at most every 100 ms', () => {
    const { clock, times } = setup();
    for (let i = 0; i < 100; i++) times.record('c', 20);
    expect(times.percentile('c', 95, 20)).toBe(20);
    for (let i = 0; i < 100; i++) times.record('c', 400);
    clock.t += 99;
    expect(times.percentile('c', 95, 20)).toBe(20);
    clock.t += 1;
    expect(times.percentile('c', 95, 20)).toBeGreaterThanOrEqual(396);
  });

  it('forgets samples older than the window, keeping the last half-window', () => {
    const { clock, times } = setup();
    for (let i = 0; i < 100; i++) times.record('c', 400);
    clock.t += 15_000;
    for (let i = 0; i < 100; i++) times.record('c', 20);
    expect(times.percentile('c', 95, 20)).toBeGreaterThanOrEqual(396);
    clock.t += 15_000;
    expect(times.percentile('c', 95, 20)).toBe(20);
    clock.t += 15_000;
    expect(times.percentile('c', 95, 20)).toBeUndefined();
    expect(times.samples('c')).toBe(0);
  });

  it('forgets everything after two idle windows', () => {
    const { clock, times } = setup();
    for (let i = 0; i < 100; i++) times.record('c', 400);
    clock.t += 60_000;
    times.record('c', 20);
    expect(times.percentile('c', 95, 1)).toBe(20);
  });
});
