import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST_DIR } from './paths.js';
import { type BenchSuite, isBenchSuite } from './suite.js';

/** A `*.bench.js` module that does not default-export a BenchSuite (listed in the results, never run). */
export interface SkippedModule {
  module: string;
  reason: string;
}

async function benchModules(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const found = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return benchModules(path);
      return entry.name.endsWith('.bench.js') ? [path] : [];
    }),
  );
  return found.flat().sort();
}

/** Every suite under bench/dist, in `order`; `only` keeps the suites with those ids. */
export async function discoverSuites(
  only?: readonly string[],
): Promise<{ suites: BenchSuite[]; skipped: SkippedModule[] }> {
  const suites: BenchSuite[] = [];
  const skipped: SkippedModule[] = [];
  for (const path of await benchModules(DIST_DIR)) {
    const module = relative(DIST_DIR, path);
    const exported: unknown = ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
    if (isBenchSuite(exported)) suites.push(exported);
    else skipped.push({ module, reason: 'no default export of a BenchSuite (see bench/lib/suite.ts)' });
  }
  const selected = only ? suites.filter((suite) => only.includes(suite.id)) : suites;
  return { suites: selected.sort((a, b) => a.order - b.order), skipped };
}
