import { jest } from '@jest/globals';

/**
 * Jest's fake timers, but the real `setImmediate`: a hedge timer that comes due calls back from an immediate (the rest
 * of its event-loop turn, resilience/hedging.ts), which the fake clock would run 1 ms late. Real immediates run while
 * `jest.advanceTimersByTimeAsync` yields, at the fake time of the timer that queued them.
 */
export function useFakeTimersWithRealImmediates(): void {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'clearImmediate'] });
}
