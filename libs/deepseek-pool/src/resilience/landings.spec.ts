import { Landings } from './landings.js';

describe('Landings', () => {
  it.each<[string, string[], (string | undefined)[], string[]]>([
    ['posted before the wait', ['a'], [], ['a']],
    ['posted while waiting', [], ['a'], ['a']],
    ['several before, in the order they came', ['a', 'b'], [], ['a', 'b']],
    ['one before, one while waiting', ['a'], ['b'], ['a', 'b']],
  ])('%s', async (_, before, during, expected) => {
    const landings = new Landings<{ id: string }>();
    for (const id of before) landings.post({ id });
    const taken: string[] = [];
    for (let i = 0; i < expected.length; i++) {
      const next = landings.next();
      const late = during[i - before.length];
      if (late !== undefined) landings.post({ id: late });
      taken.push((await next).id);
    }
    expect(taken).toEqual(expected);
  });

  it('keeps the wait pending until something lands', async () => {
    const landings = new Landings<{ id: string }>();
    let taken: string | undefined;
    const next = landings.next().then((item) => (taken = item.id));
    await Promise.resolve();
    expect(taken).toBeUndefined();
    landings.post({ id: 'a' });
    await next;
    expect(taken).toBe('a');
  });
});
