import { describe, expect, it } from '@jest/globals';
import { AccountLeases } from './account-leases.js';

describe('AccountLeases', () => {
  it('hands out ids with the replica prefix and holds the granted ones', () => {
    // Arrange
    const leases = new AccountLeases('r1#', 250);

    // Act
    const granted = leases.begin('acct');
    const refused = leases.begin('acct');
    const during = leases.idsOf('acct');
    leases.end('acct', granted, true);
    leases.end('acct', refused, false);

    // Assert
    expect(granted.startsWith('r1#')).toBe(true);
    expect(during).toEqual({ held: [], acquiring: [granted, refused] });
    expect(leases.idsOf('acct')).toEqual({ held: [granted], acquiring: [] });
    expect([...leases.accounts]).toEqual(['acct']);
  });

  it('releases unshared slots first and returns the id of a shared one', () => {
    // Arrange
    const leases = new AccountLeases('r1#', 250);
    const id = leases.begin('acct');
    leases.end('acct', id, true);
    leases.takeUnshared('acct');

    // Act
    const first = leases.release('acct');
    const second = leases.release('acct');
    const third = leases.release('acct');

    // Assert
    expect([first, second, third]).toEqual([undefined, id, undefined]);
    expect(leases.local('acct')).toBe(0);
  });

  it.each<[string, number, number]>([
    ['adds the other replicas, as last read, to the local slots', 100, 3 + 2],
    ['counts only local slots once the read is stale', 300, 2],
  ])('%s', (_name, ageMs, expected) => {
    // Arrange: Redis said 4 leases when this replica held 1 of them; it holds 2 now.
    const leases = new AccountLeases('r1#', 250);
    const first = leases.begin('acct');
    leases.end('acct', first, true);
    leases.noteRemote('acct', 4, 1_000);
    const second = leases.begin('acct');
    leases.end('acct', second, true);

    // Act / Assert
    expect(leases.estimate('acct', 1_000 + ageMs)).toBe(expected);
  });
});
