import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BENCH_DIR, repoPath } from './paths.js';
import { summaryMarkdown, updateReadme } from './readme-summary.js';
import { renderResults } from './render-results.js';
import type { BenchResults } from './results.js';
import type { BenchSuite } from './suite.js';

export const RESULTS_JSON = 'results.json';
export const RESULTS_MD = 'RESULTS.md';

/** Writes results.json, then renders RESULTS.md from the file just written (never from memory). */
export async function writeOutputs(dir: string, results: BenchResults, suites: readonly BenchSuite[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, RESULTS_JSON), `${JSON.stringify(results, null, 2)}\n`);
  await renderOutputs(dir, suites);
}

/**
 * Re-renders RESULTS.md from the results.json of `dir`; for bench/ itself (the committed figures), the README's
 * summary block too, so the README always quotes the latest RESULTS.md.
 */
export async function renderOutputs(dir: string, suites: readonly BenchSuite[]): Promise<void> {
  const results = JSON.parse(await readFile(join(dir, RESULTS_JSON), 'utf8')) as BenchResults;
  const markdown = await renderResults(results, suites);
  await writeFile(join(dir, RESULTS_MD), markdown);
  if (resolve(dir) === resolve(BENCH_DIR)) await updateReadme(repoPath('README.md'), summaryMarkdown(results, suites));
}
