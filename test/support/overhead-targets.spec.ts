import type { OverheadRun } from '../../bench/overhead/overhead.bench.js';
import type { RoundPercentiles, VariantSummary } from '../../bench/overhead/rounds.js';
import { acrossRuns, judge, overheadTargets, pairedAdded, runMedians } from '../../bench/overhead/targets.js';
import { median, medianInterval } from '../../bench/lib/median.js';

/** A client's summary: its pooled percentiles, and its rounds as [p50, p99] pairs (none: a result without rounds). */
function client(p50: number, p99: number, rounds?: Array<[number, number]>): VariantSummary {
  return {
    count: 1_000,
    mean: p50,
    p50,
    p90: p99,
    p99,
    p999: p99,
    max: p99,
    ...(rounds ? { rounds: rounds.map(([r50, r99]): RoundPercentiles => ({ p50: r50, p99: r99 })) } : {}),
  };
}

function run(concurrency: number, latencyUs: Record<string, VariantSummary>): OverheadRun {
  const { undici, pool } = latencyUs;
  return {
    concurrency,
    rounds: 3,
    warmupRounds: 1,
    perRound: 1_000,
    latencyUs,
    added: { p50: pool.p50 - undici.p50, p99: pool.p99 - undici.p99, p999: pool.p999 - undici.p999 },
  };
}

describe('pairedAdded (the overhead targets: rounds compared with the direct call of the same round)', () => {
  const rounds = run(1, {
    undici: client(200, 400, [
      [200, 400],
      [300, 900],
      [210, 420],
    ]),
    pool: client(230, 1_000, [
      [215, 430],
      [330, 1_000],
      [220, 450],
    ]),
  });

  it.each([
    ['p50', 'p50', false, [15, 30, 10]],
    ['p99', 'p99', false, [30, 100, 30]],
    ['a share of the direct call', 'p50', true, [0.075, 0.1, 10 / 210]],
  ] as const)('%s: round by round', (_, percentile, share, expected) => {
    const added = pairedAdded(rounds, 'pool', percentile, share);
    expect(added).toHaveLength(3);
    expected.forEach((value, r) => expect(added?.[r]).toBeCloseTo(value, 9));
  });

  it('is undefined for a result recorded without rounds, a missing client, or rounds that do not pair', () => {
    expect(pairedAdded(run(1, { undici: client(200, 400), pool: client(210, 420) }), 'pool', 'p50')).toBeUndefined();
    expect(pairedAdded(rounds, 'undici-aa', 'p50')).toBeUndefined();
    const unpaired = run(1, {
      undici: client(200, 400, [[200, 400]]),
      pool: client(210, 420, [
        [210, 420],
        [1, 1],
      ]),
    });
    expect(pairedAdded(unpaired, 'pool', 'p50')).toBeUndefined();
  });
});

describe('medianInterval (about 95 %, from ranks)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, unsorted
  it.each([
    ['none', [], undefined],
    ['one value', [7], [7, 7]],
    ['fewer values than the interval spans: their range', [3, 1, 2], [1, 3]],
    ['20 values: ranks 6 and 15', Array.from({ length: 20 }, (_, i) => i + 1), [6, 15]],
    ['100 values: ranks 40 and 61', hundred, [40, 61]],
  ])('%s', (_, values, expected) => {
    expect(medianInterval(values)).toEqual(expected);
  });

  it('holds the median', () => {
    const [low, high] = medianInterval(hundred) ?? [NaN, NaN];
    expect(low).toBeLessThanOrEqual(median(hundred));
    expect(high).toBeGreaterThanOrEqual(median(hundred));
  });
});

describe('judge', () => {
  it.each([
    ['the interval below the limit', 5, 19, 'met'],
    ['its top at the limit', 5, 20, 'met'],
    ['the limit inside it', 15, 25, 'undecided'],
    ['its bottom at the limit', 20, 30, 'undecided'],
    ['the interval above the limit', 21, 30, 'missed'],
  ] as const)('%s', (_, low, high, verdict) => {
    expect(judge(low, high, 20)).toBe(verdict);
  });
});

describe('overheadTargets', () => {
  const steady = (p50: number, p99: number): Array<[number, number]> => [
    [p50, p99],
    [p50, p99],
    [p50, p99],
  ];

  it('judges on the paired figure, next to the A/A control and the difference over all calls', () => {
    const single = run(1, {
      undici: client(200, 400, steady(200, 400)),
      'undici-aa': client(201, 410, [
        [202, 390],
        [199, 400],
        [201, 420],
      ]),
      // Over all calls its p99 is 150 µs above the direct call's, in each round only 90 µs.
      pool: client(215, 550, steady(215, 490)),
    });
    const [p50, p99] = overheadTargets([single]);
    expect(p50).toEqual({
      name: 'added p50, concurrency 1',
      limit: '<= 20 µs',
      measured: '+15.0 µs',
      interval: '+15.0 µs to +15.0 µs',
      control: '+1.0 µs',
      pooled: '+15.0 µs',
      perRun: [],
      verdict: 'met',
    });
    expect(p99).toMatchObject({ measured: '+90.0 µs', control: '+0.0 µs', pooled: '+150.0 µs', verdict: 'met' });
  });

  it('is undecided when the rounds straddle the limit', () => {
    const single = run(1, {
      undici: client(200, 400, steady(200, 400)),
      pool: client(220, 450, [
        [210, 450],
        [220, 450],
        [240, 450],
      ]),
    });
    expect(overheadTargets([single])[0]).toMatchObject({
      measured: '+20.0 µs',
      interval: '+10.0 µs to +40.0 µs',
      verdict: 'undecided',
    });
  });

  it.each([
    ['a share at the limit is met', 3_300, 'met'],
    ['a share above it is missed', 3_303, 'missed'],
  ])('concurrency 64: %s', (_, poolP50, verdict) => {
    const busy = run(64, {
      undici: client(3_000, 9_000, [[3_000, 9_000]]),
      pool: client(poolP50, 9_000, [[poolP50, 9_000]]),
    });
    expect(overheadTargets([busy])).toEqual([expect.objectContaining({ name: 'added p50, concurrency 64', verdict })]);
  });

  it('judges runs in fresh processes on the median of their medians: a spread between runs widens the interval', () => {
    // Six runs of three rounds at concurrency 64: steady within each run, +2 % to +16 % from run to run.
    const shares = [2, 3, 4, 5, 12, 16];
    const direct = shares.flatMap((): Array<[number, number]> => steady(2_000, 6_000));
    const pool = shares.flatMap((share) => steady(2_000 * (1 + share / 100), 6_000));
    const aa = shares.flatMap((): Array<[number, number]> => steady(2_000, 6_000));
    const latencyUs = {
      undici: client(2_000, 6_000, direct),
      'undici-aa': client(2_000, 6_000, aa),
      pool: client(2_090, 6_000, pool),
    };
    const acrossSix = { ...run(64, latencyUs), rounds: 18, runs: 6 };
    expect(overheadTargets([acrossSix])).toEqual([
      expect.objectContaining({
        measured: '+4.5 %',
        interval: '+2.0 % to +16.0 %',
        control: '+0.0 %',
        perRun: ['+2.0 %', '+3.0 %', '+4.0 %', '+5.0 %', '+12.0 %', '+16.0 %'],
        verdict: 'undecided',
      }),
    ]);
    // The same rounds read as one process's: the interval of their ranks, narrower than the runs' spread.
    expect(overheadTargets([{ ...acrossSix, runs: undefined }])).toEqual([
      expect.objectContaining({ measured: '+4.5 %', interval: '+3.0 % to +12.0 %', verdict: 'undecided' }),
    ]);
  });

  it('falls back to the difference over all calls for results without rounds (an older run)', () => {
    const busy = run(64, { undici: client(3_000, 9_000), pool: client(3_600, 9_000) });
    expect(overheadTargets([busy])).toEqual([
      expect.objectContaining({
        measured: '+20.0 %',
        interval: '',
        control: '',
        pooled: '+600.0 µs on 3,000.0 (+20.0 %)',
        verdict: 'missed',
      }),
    ]);
  });
});

describe('runMedians (the values a target is judged on)', () => {
  it.each([
    ['one run: the rounds themselves', [5, 1, 3], 1, [5, 1, 3]],
    ['each run its median, in run order', [5, 1, 3, 10, 30, 20], 2, [3, 20]],
    ['runs of an even count of rounds: the mean of the middle two', [1, 2, 3, 7], 2, [1.5, 5]],
  ] as const)('%s', (_, differences, runs, expected) => {
    expect(runMedians(differences, runs)).toEqual(expected);
  });

  it('rejects rounds that do not split evenly into the runs', () => {
    expect(() => runMedians([1, 2, 3], 2)).toThrow('3 rounds do not split into 2 runs');
  });
});

describe('acrossRuns (a figure judged on the medians of runs in fresh processes)', () => {
  it.each([
    ['every run under the limit', [1, 2, 3, 4, 5, 6], 3.5, [1, 6], 'met'],
    ['the limit among the runs', [0.5, 2, 4, 9, 14, 19.5], 6.5, [0.5, 19.5], 'undecided'],
    ['every run over the limit', [11, 12, 13, 14, 15, 16], 13.5, [11, 16], 'missed'],
    ['one run: its median alone', [7], 7, [7, 7], 'met'],
    ['the interval narrows inside the extremes with more runs', [-9, 1, 2, 3, 4, 5, 6, 7, 8, 30], 4.5, [1, 8], 'met'],
  ] as const)('%s', (_, medians, expectedMedian, expectedInterval, verdict) => {
    expect(acrossRuns(medians, 10)).toEqual({ median: expectedMedian, interval: expectedInterval, verdict });
  });

  it('has no figure without a run', () => {
    expect(acrossRuns([], 10)).toBeUndefined();
  });
});
