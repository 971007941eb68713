import { InvalidOptionsError } from '../deepseek-pool.errors.js';

/**
 * Top-level options of the flat layout (before option groups) and where each one lives now. Passing one fails at start
 * naming its new place instead of being ignored: a retry or health setting silently dropped would change behaviour.
 */
export const MOVED_OPTIONS: Readonly<Record<string, string>> = Object.freeze({
  maxAttempts: 'retry.maxAttempts',
  retryBudget: 'retry.budget',
  backoff: 'retry.backoff',
  maxWaitForKeyMs: 'retry.maxWaitForKeyMs',
  probe: 'health.probe',
  synthetic: 'health.synthetic',
  validateOnStart: 'health.validateOnStart',
});

/** Throws InvalidOptionsError naming the first option of `options` that moved into a group, and its new path. */
export function rejectMovedOptions(options: object): void {
  for (const [old, now] of Object.entries(MOVED_OPTIONS)) {
    if (Object.hasOwn(options, old)) throw new InvalidOptionsError(old, `moved to "${now}"`);
  }
}
