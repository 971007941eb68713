import { parseSchedstatNs, processCpuUs } from '../../bench/lib/process-cpu.js';

describe('parseSchedstatNs (the CPU time of a thread: the overhead and throughput suites)', () => {
  it.each([
    ['a running thread', '1523456789 98396 1\n', 1_523_456_789],
    ['no CPU yet', '0 98396 1\n', 0],
    ['the first field alone', '42\n', 42],
    ['an empty text', '', undefined],
    ['a field that is not a number', 'x 98396 1\n', undefined],
    ['a negative field', '-5 1 1\n', undefined],
    ['a fraction', '1.5 1 1\n', undefined],
  ])('%s', (_, text, expected) => {
    expect(parseSchedstatNs(text)).toBe(expected);
  });
});

describe('processCpuUs', () => {
  it('reads this process (Linux), at a finer step than the 10 ms ticks of /proc/<pid>/stat', async () => {
    // The process's own account of its CPU (every thread's, as processCpuUs reads) over a window enclosing both reads:
    // an upper bound that holds however busy the process's other threads are, on any machine.
    const window = process.cpuUsage();
    const own = await processCpuUs(process.pid);
    expect(own).toBeGreaterThan(0);
    const started = process.cpuUsage();
    while (process.cpuUsage(started).user < 2_000); // 2 ms of CPU: below one tick
    const after = await processCpuUs(process.pid);
    const { user, system } = process.cpuUsage(window);
    expect((after ?? 0) - (own ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect((after ?? 0) - (own ?? 0)).toBeLessThanOrEqual(user + system + 1_000);
  });

  it('is undefined for a process that does not exist, or none', async () => {
    await expect(processCpuUs(2 ** 30)).resolves.toBeUndefined();
    await expect(processCpuUs(undefined)).resolves.toBeUndefined();
  });
});
