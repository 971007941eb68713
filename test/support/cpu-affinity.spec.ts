import { parseClientMockCpus } from '../../bench/lib/cpu-affinity.js';

describe('parseClientMockCpus (`--cpus <client>/<mock>` of the overhead scripts)', () => {
  it.each([
    ['a core each', '0/1', { client: '0', mock: '1' }],
    ['one core for both', '0/0', { client: '0', mock: '0' }],
    ['CPU lists', '0,1/2-3', { client: '0,1', mock: '2-3' }],
    ['not given: the scheduler places them', undefined, undefined],
  ])('%s', (_, spec, expected) => {
    expect(parseClientMockCpus(spec)).toEqual(expected);
  });

  it.each([['0'], ['0/'], ['/1'], ['0/1/2'], ['']])('rejects "%s", naming the form it takes', (spec) => {
    expect(() => parseClientMockCpus(spec)).toThrow('--cpus takes <client>/<mock>, e.g. 0/1');
  });
});
