import { createRequire } from 'node:module';
import { repoPath } from '../lib/paths.js';

/** One timed function: its name as listed and the duration of each call, ns. */
interface Timed {
  name: string;
  durations: number[];
}

/**
 * Times functions of the library's build in place, for `call-stages.js --time`. Each entry of `names` is
 * `<module>:<path>`: the module's path under libs/deepseek-pool/dist without `.js`, the path an export
 * (`launchFlight`) or a method (`Hedging.prototype.timer`). The build is CommonJS and calls between its modules go
 * through their export objects, so a wrapper set here is what the library calls. A call's duration is its synchronous
 * part (an async function's until its first `await`) and includes the wrappers of the timed functions it calls.
 */
export class FunctionTimer {
  private readonly timed: Timed[] = [];

  constructor(names: readonly string[]) {
    const load = createRequire(repoPath('libs/deepseek-pool/dist/index.js'));
    for (const name of names) {
      const colon = name.indexOf(':');
      if (colon < 1) throw new Error(`--time: ${name} is not <module>:<function>`);
      const file = name.slice(0, colon);
      const steps = name.slice(colon + 1).split('.');
      const method = steps.pop();
      let owner = load(repoPath(`libs/deepseek-pool/dist/${file}.js`)) as Record<string, unknown>;
      for (const step of steps) owner = (owner[step] ?? {}) as Record<string, unknown>;
      const original = method === undefined ? undefined : owner[method];
      if (method === undefined || typeof original !== 'function') throw new Error(`--time: no function ${name}`);
      const durations: number[] = [];
      this.timed.push({ name, durations });
      owner[method] = function timed(this: unknown, ...args: unknown[]): unknown {
        const start = process.hrtime.bigint();
        try {
          return (original as (...args: unknown[]) => unknown).apply(this, args);
        } finally {
          durations.push(Number(process.hrtime.bigint() - start));
        }
      };
    }
  }

  /** Forgets the calls so far (the warm-up rounds'). */
  reset(): void {
    for (const { durations } of this.timed) durations.length = 0;
  }

  /** One row per function: its name, its calls and the quartiles and p90 of their durations, µs. */
  rows(): string[][] {
    return this.timed.map(({ name, durations }) => {
      const sorted = [...durations].sort((a, b) => a - b);
      const at = (q: number) =>
        sorted.length === 0 ? '-' : (sorted[Math.floor(q * (sorted.length - 1))] / 1e3).toFixed(2);
      return [name, String(sorted.length), at(0.25), at(0.5), at(0.75), at(0.9)];
    });
  }
}
