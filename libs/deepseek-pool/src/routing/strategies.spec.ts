import { describe, expect, it } from '@jest/globals';
import { candidate } from './candidates.fixture.js';
import { STRATEGY_NAMES, createStrategy } from './strategies.js';

describe('createStrategy', () => {
  it.each(STRATEGY_NAMES)('builds a strategy named %s', (name) => {
    // Act
    const strategy = createStrategy(name);

    // Assert
    expect(strategy.name).toBe(name);
  });

  it('lists the default strategy, p2c-ewma, first', () => {
    // Assert
    expect(STRATEGY_NAMES[0]).toBe('p2c-ewma');
  });

  it('builds every strategy the type names, quota-aware included', () => {
    // Assert
    expect([...STRATEGY_NAMES].sort()).toEqual([
      'least-connections',
      'p2c-ewma',
      'quota-aware',
      'round-robin',
      'weighted-random',
    ]);
  });

  it('gives every call its own cursor state', () => {
    // Arrange
    const keys = [candidate('a'), candidate('b')];
    const first = createStrategy('round-robin');
    first.pick(keys, Math.random);

    // Act
    const picked = createStrategy('round-robin').pick(keys, Math.random);

    // Assert
    expect(picked.id).toBe('a');
  });
});
