import { describe, expect, it } from '@jest/globals';
import { groupByPriority } from './priority-groups.js';

interface Item {
  id: string;
  priority: number;
}

const item = (id: string, priority: number): Item => ({ id, priority });
const ids = (groups: Item[][]): string[][] => groups.map((group) => group.map((i) => i.id));

describe('groupByPriority', () => {
  it.each<[string, Item[], string[][]]>([
    ['gives no groups for no items', [], []],
    ['keeps a single group in input order', [item('b', 0), item('a', 0), item('c', 0)], [['b', 'a', 'c']]],
    [
      'orders groups by ascending priority',
      [item('low', 2), item('high', 0), item('mid', 1)],
      [['high'], ['mid'], ['low']],
    ],
    [
      'keeps input order inside each group',
      [item('x', 1), item('a', 0), item('y', 1), item('b', 0), item('z', 1)],
      [
        ['a', 'b'],
        ['x', 'y', 'z'],
      ],
    ],
    ['handles negative priorities', [item('p', 0), item('n', -1)], [['n'], ['p']]],
  ])('%s', (_name, items, expected) => {
    // Act
    const groups = groupByPriority(items);

    // Assert
    expect(ids(groups)).toEqual(expected);
  });

  it('leaves the input untouched', () => {
    // Arrange
    const items = [item('b', 1), item('a', 0)];

    // Act
    groupByPriority(items);

    // Assert
    expect(items.map((i) => i.id)).toEqual(['b', 'a']);
  });
});
