import { describe, expect, it } from '@jest/globals';
import type { StateChange } from './pool-state-store.js';
import { decodeChange, decodeDisabledState, encodeChange } from './state-messages.js';

describe('state messages', () => {
  it.each<StateChange>([
    { type: 'cooldown', scope: 'key:a', untilMs: 123 },
    { type: 'clear-cooldown', scope: 'account:x' },
    { type: 'disable', keyId: 'a', state: { reason: 'revoked', sinceMs: 5 } },
    { type: 'enable', keyId: 'a' },
  ])('carries a $type change to another replica', (change) => {
    // Act / Assert
    expect(decodeChange(encodeChange('r1', change), 'r2')).toEqual(change);
  });

  it.each<[string, string]>([
    ['its own message', encodeChange('r1', { type: 'enable', keyId: 'a' })],
    ['a message that is not JSON', 'oops'],
    ['an unknown change', JSON.stringify({ o: 'r2', c: { type: 'explode' } })],
    ['a cooldown without a deadline', JSON.stringify({ o: 'r2', c: { type: 'cooldown', scope: 'key:a' } })],
    [
      'a disable without a valid state',
      JSON.stringify({ o: 'r2', c: { type: 'disable', keyId: 'a', state: { reason: 1 } } }),
    ],
  ])('ignores %s', (_name, message) => {
    // Act / Assert
    expect(decodeChange(message, 'r1')).toBeUndefined();
  });

  it('reads a disabled state stored as JSON', () => {
    // Act / Assert
    expect(decodeDisabledState('{"reason":"insufficient-balance","sinceMs":9}')).toEqual({
      reason: 'insufficient-balance',
      sinceMs: 9,
    });
    expect(decodeDisabledState('{')).toBeUndefined();
  });
});
