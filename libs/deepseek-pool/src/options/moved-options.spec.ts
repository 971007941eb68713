import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import { MOVED_OPTIONS, rejectMovedOptions } from './moved-options.js';

describe('rejectMovedOptions', () => {
  it.each(Object.entries(MOVED_OPTIONS))('rejects the flat "%s", naming "%s"', (old, now) => {
    expect(() => rejectMovedOptions({ keys: 'sk-x', [old]: 1 })).toThrow(
      new InvalidOptionsError(old, `moved to "${now}"`),
    );
  });

  it.each([
    ['the grouped layout', { keys: 'sk-x', retry: { maxAttempts: 2 }, health: { probe: false } }],
    ['no option at all', {}],
    ['a moved name inherited, not set', Object.create({ maxAttempts: 2 }) as object],
  ])('accepts %s', (_name, options) => {
    expect(() => {
      rejectMovedOptions(options);
    }).not.toThrow();
  });
});
