import { EventRing } from './event-ring.js';

describe('EventRing', () => {
  it.each([
    [0, []],
    [2, [1, 2]],
    [3, [1, 2, 3]],
    [4, [2, 3, 4]],
    [7, [5, 6, 7]],
  ])('after %i pushes into 3 slots holds %j, oldest first', (pushes, expected) => {
    const ring = new EventRing<number>(3);
    for (let i = 1; i <= pushes; i += 1) ring.push(i);
    expect(ring.toArray()).toEqual(expected);
  });

  it('refuses a capacity below one', () => {
    expect(() => new EventRing(0)).toThrow(RangeError);
  });
});
