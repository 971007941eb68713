import { describe, expect, it } from '@jest/globals';
import { AnswerTimes, type LatencyClass } from './answer-times.js';

const CHAT: LatencyClass = { stream: false, model: 'm', tokens: 'default' };
const STREAM: LatencyClass = { stream: true, model: 'm', tokens: 'default' };
const C: LatencyClass = { stream: false, model: 'c', tokens: '' };

function setup() {
  const clock = { t: 1_000_000, now: () => clock.t };
  return { clock, times: new AnswerTimes(30_000, clock) };
}

describe('AnswerTimes', () => {
  it('gives no percentile without samples, and the slowest sample until a class has the minimum samples', () => {
    const { times } = setup();
    expect(times.percentile(CHAT, 95, 20)).toBeUndefined();
    times.record(CHAT, 300);
    for (let i = 0; i < 18; i++) times.record(CHAT, 20);
    expect(times.percentile(CHAT, 95, 20)).toBe(300);
    times.record(CHAT, 20);
    expect(times.percentile(CHAT, 95, 20)).toBe(20);
    expect(times.percentile(STREAM, 95, 20)).toBeUndefined();
    expect(times.samples(CHAT)).toBe(20);
  });

  it('keeps each class apart: streams from whole answers, each model, each caller class', () => {
    const { times } = setup();
    for (let i = 0; i < 20; i++) times.record(CHAT, 100);
    const others: LatencyClass[] = [STREAM, { ...CHAT, model: 'other' }, { ...CHAT, tokens: '<=256' }];
    for (const other of others) for (let i = 0; i < 20; i++) times.record({ ...other }, 10);
    expect(times.percentile({ ...CHAT }, 95, 20)).toBe(100);
    expect(others.map((other) => times.percentile({ ...other }, 95, 20))).toEqual([10, 10, 10]);
  });

  it('reads the p95 of the class within 1%', () => {
    const { times } = setup();
    for (let i = 1; i <= 1_000; i++) times.record(C, i);
    expect(times.percentile(C, 95, 20)).toBeGreaterThanOrEqual(945);
    expect(times.percentile(C, 95, 20)).toBeLessThanOrEqual(955);
  });

  it('follows a change, recomputing the percentile at most every 100 ms', () => {
    const { clock, times } = setup();
    for (let i = 0; i < 100; i++) times.record(C, 20);
    expect(times.percentile(C, 95, 20)).toBe(20);
    for (let i = 0; i < 100; i++) times.record(C, 400);
    clock.t += 99;
    expect(times.percentile(C, 95, 20)).toBe(20);
    clock.t += 1;
    expect(times.percentile(C, 95, 20)).toBeGreaterThanOrEqual(396);
  });

  it('forgets samples older than the window, keeping the last half-window', () => {
    const { clock, times } = setup();
    for (let i = 0; i < 100; i++) times.record(C, 400);
    clock.t += 15_000;
    for (let i = 0; i < 100; i++) times.record(C, 20);
    expect(times.percentile(C, 95, 20)).toBeGreaterThanOrEqual(396);
    clock.t += 15_000;
    expect(times.percentile(C, 95, 20)).toBe(20);
    clock.t += 15_000;
    expect(times.percentile(C, 95, 20)).toBeUndefined();
    expect(times.samples(C)).toBe(0);
  });

  it('forgets everything after two idle windows', () => {
    const { clock, times } = setup();
    for (let i = 0; i < 100; i++) times.record(C, 400);
    clock.t += 60_000;
    times.record(C, 20);
    expect(times.percentile(C, 95, 1)).toBe(20);
  });
});
