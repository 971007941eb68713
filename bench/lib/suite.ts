/**
 * How much a run measures: `smoke` proves the scripts work (seconds), `quick` < 3 min, `full` the committed figures.
 */
export type ProfileName = 'smoke' | 'quick' | 'full';

export const PROFILES: readonly ProfileName[] = ['smoke', 'quick', 'full'];

export interface SuiteContext {
  profile: ProfileName;
  /** Scratch folder of this run (git-ignored): generated configs, CPU profiles. */
  runDir: string;
  /** Progress line on stderr (a function property: suites destructure it). */
  log: (line: string) => void;
}

/**
 * One benchmark suite. The runner finds suites as the default export of every `*.bench.ts` module under bench/
 * (compiled to bench/dist), runs them in `order`, stores each `run` result in results.json, and renders
 * RESULTS.md from that JSON only (through `render`). Results must be plain JSON.
 */
export interface BenchSuite<R = unknown> {
  id: string;
  title: string;
  /** Position in RESULTS.md (lower first). */
  order: number;
  run(context: SuiteContext): Promise<R>;
  /** The suite's markdown section (without its `##` title), from its stored result. */
  render(result: R): string;
  /** Its headline tables for the README (a few lines), from its stored result. */
  summary?(result: R): string;
  /** Problems that make a result unusable (checked by the smoke run); none means well-formed. */
  check?(result: R): string[];
}

export function isBenchSuite(value: unknown): value is BenchSuite {
  const suite = value as Partial<BenchSuite> | null;
  return (
    typeof suite === 'object' &&
    suite !== null &&
    typeof suite.id === 'string' &&
    typeof suite.title === 'string' &&
    typeof suite.order === 'number' &&
    typeof suite.run === 'function' &&
    typeof suite.render === 'function'
  );
}
