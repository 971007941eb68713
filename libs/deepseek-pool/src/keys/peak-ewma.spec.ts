import { describe, expect, it } from '@jest/globals';
import { PeakEwma, failureLatencyMs } from './peak-ewma.js';

const DECAY_MS = 10_000;

function setup() {
  const clock = { t: 0, now: () => clock.t };
  return { clock, ewma: new PeakEwma(DECAY_MS, clock) };
}

describe('PeakEwma', () => {
  it('reads 0 with no samples before the first observation', () => {
    // Arrange
    const { ewma } = setup();

    // Act
    const seen = [ewma.value, ewma.samples];

    // Assert
    expect(seen).toEqual([0, 0]);
  });

  it('takes the first sample as the estimate, even a low one', () => {
    // Arrange
    const { ewma } = setup();

    // Act
    ewma.observe(40);

    // Assert
    expect(ewma.value).toBe(40);
    expect(ewma.samples).toBe(1);
  });

  it('jumps to a sample above the estimate at once (the peak)', () => {
    // Arrange
    const { clock, ewma } = setup();
    ewma.observe(100);
    clock.t += 10;

    // Act
    ewma.observe(2_000);

    // Assert
    expect(ewma.value).toBe(2_000);
  });

  it.each<[string, number, number]>([
    ['ignores a lower sample arriving at the same instant', 0, 500],
    ['moves halfway to a lower sample after decay * ln 2', DECAY_MS * Math.LN2, 300],
    ['weights a lower sample by 1 - 1/e after one decay period', DECAY_MS, 500 / Math.E + 100 * (1 - 1 / Math.E)],
    ['all but forgets the old estimate after many decay periods', DECAY_MS * 50, 100],
  ])('%s', (_name, elapsedMs, expected) => {
    // Arrange
    const { clock, ewma } = setup();
    ewma.observe(500);
    clock.t += elapsedMs;

    // Act
    ewma.observe(100);

    // Assert
    expect(ewma.value).toBeCloseTo(expected, 6);
  });

  it.each<[string, number, number]>([
    ['holds the estimate right after a sample', 0, 1_000],
    ['decays toward 0 while no samples arrive, so an idle slow key is tried again', DECAY_MS, 1_000 / Math.E],
    ['decays almost to 0 after a long silence', DECAY_MS * 50, 0],
  ])('%s', (_name, elapsedMs, expected) => {
    // Arrange
    const { clock, ewma } = setup();
    ewma.observe(1_000);

    // Act
    clock.t += elapsedMs;

    // Assert
    expect(ewma.value).toBeCloseTo(expected, 6);
  });

  it('counts every sample', () => {
    // Arrange
    const { ewma } = setup();

    // Act
    [10, 20, 5].forEach((ms) => ewma.observe(ms));

    // Assert
    expect(ewma.samples).toBe(3);
  });
});

describe('failureLatencyMs', () => {
  it.each([
    ['a fast failure is raised to the floor', 0.2, 0, 1_000],
    ['a fast failure on a known key doubles its estimate', 0.2, 800, 1_600],
    ['a slow failure (a timeout) counts as observed', 30_000, 800, 30_000],
  ])('%s', (_case, observed, current, expected) => {
    expect(failureLatencyMs(observed, current)).toBe(expected);
  });
});
