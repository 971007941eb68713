import { parseProcStatCpuUs, processCpuUs } from '../../bench/lib/process-cpu.js';

const stat = (comm: string, utime: string, stime: string): string =>
  `4242 (${comm}) S 1 4242 4242 0 -1 4194560 1536 0 0 0 ${utime} ${stime} 0 0 20 0 11 0 1000 1000000 5000 184467440 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0`;

describe('parseProcStatCpuUs (the throughput suite CPU per answer)', () => {
  it.each([
    ['a plain name', stat('node', '150', '50'), 2_000_000],
    ['a name with spaces and parentheses', stat('node (x) y', '7', '3'), 100_000],
    ['no CPU yet', stat('node', '0', '0'), 0],
    ['a truncated line', '4242 (node) S 1 4242', undefined],
    ['fields that are not numbers', stat('node', 'x', '3'), undefined],
  ])('%s', (_, text, expected) => {
    expect(parseProcStatCpuUs(text)).toBe(expected);
  });
});

describe('processCpuUs', () => {
  it('reads this process (Linux) and is undefined for a process that does not exist', async () => {
    const own = await processCpuUs(process.pid);
    expect(own).toBeGreaterThan(0);
    await expect(processCpuUs(2 ** 30)).resolves.toBeUndefined();
    await expect(processCpuUs(undefined)).resolves.toBeUndefined();
  });
});
