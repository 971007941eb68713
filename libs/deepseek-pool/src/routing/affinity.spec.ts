import { describe, expect, it } from '@jest/globals';
import type { ChatCompletionRequest } from '../chat.types.js';
import { hash32, keepPreferredAccount, resolveAffinity, userAffinity } from './affinity.js';

const slot = (id: string, account: string) => ({ id, account });
const SLOTS = [slot('a1', 'a'), slot('b1', 'b'), slot('a2', 'a'), slot('c1', 'c'), slot('b2', 'b')];

/** The account kept for `affinityKey` among `slots`. */
function preferred(affinityKey: string, slots = SLOTS): string[] {
  const buffer = [...slots];
  keepPreferredAccount(buffer, hash32(affinityKey), hash32);
  return buffer.map((s) => s.id);
}

describe('prompt-cache affinity', () => {
  it("keeps only the preferred account's keys, in order", () => {
    // Act
    const kept = preferred('session-1');

    // Assert
    expect(new Set(kept.map((id) => id[0])).size).toBe(1);
    expect(kept).toEqual(SLOTS.filter((s) => s.id[0] === kept[0][0]).map((s) => s.id));
  });

  it('prefers the same account for the same key every time', () => {
    // Act
    const runs = Array.from({ length: 5 }, () => preferred('user-42'));

    // Assert
    expect(new Set(runs.map((r) => r.join())).size).toBe(1);
  });

  it('falls back to the same second choice when the preferred account is out', () => {
    // Arrange
    const first = preferred('user-7')[0][0];
    const without = SLOTS.filter((s) => s.account !== first);

    // Act
    const second = [preferred('user-7', without), preferred('user-7', without)];

    // Assert
    expect(second[0]).toEqual(second[1]);
    expect(second[0][0][0]).not.toBe(first);
  });

  it('spreads many keys over the accounts roughly evenly', () => {
    // Act
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 3_000; i++) counts[preferred(`session-${i}`)[0][0]]++;

    // Assert
    for (const n of Object.values(counts)) expect(Math.abs(n - 1_000)).toBeLessThan(120);
  });

  it('moves only the keys of a removed account (rendezvous hashing)', () => {
    // Arrange
    const before = Array.from({ length: 600 }, (_, i) => preferred(`s-${i}`)[0][0]);

    // Act
    const after = Array.from(
      { length: 600 },
      (_, i) =>
        preferred(
          `s-${i}`,
          SLOTS.filter((s) => s.account !== 'c'),
        )[0][0],
    );

    // Assert
    before.forEach((account, i) => {
      if (account !== 'c') expect(after[i]).toBe(account);
    });
  });

  it.each<[string, Partial<ChatCompletionRequest>, string | undefined]>([
    ['reads DeepSeek user_id', { user_id: 'u-1' }, 'u-1'],
    ['reads OpenAI user', { user: 'u-2' }, 'u-2'],
    ['prefers user_id over user', { user_id: 'u-1', user: 'u-2' }, 'u-1'],
    ['has none without either', {}, undefined],
    ['ignores an empty user', { user: '' }, undefined],
  ])('userAffinity %s', (_name, fields, expected) => {
    // Act / Assert
    expect(userAffinity({ model: 'm', messages: [], ...fields })).toBe(expected);
  });

  it.each<[string, unknown, boolean]>([
    ['off by default', undefined, false],
    ['off when false', false, false],
    ['"user" reads the request', 'user', true],
  ])('resolveAffinity is %s', (_name, value, on) => {
    // Act / Assert
    expect(resolveAffinity(value) !== undefined).toBe(on);
  });
});
