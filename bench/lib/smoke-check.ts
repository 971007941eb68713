import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RESULTS_JSON, RESULTS_MD } from './output.js';
import { repoPath } from './paths.js';
import { summaryMarkdown, withSummary } from './readme-summary.js';
import type { BenchResults } from './results.js';
import type { BenchSuite } from './suite.js';

/**
 * Problems with the files a run wrote: unreadable JSON, a failed suite, a malformed result, a section missing, or a
 * README whose summary block the run could not fill.
 */
export async function checkOutputs(dir: string, suites: readonly BenchSuite[]): Promise<string[]> {
  const problems: string[] = [];
  const results = JSON.parse(await readFile(join(dir, RESULTS_JSON), 'utf8')) as BenchResults;
  const markdown = await readFile(join(dir, RESULTS_MD), 'utf8');
  const machine = results.machine as Partial<BenchResults['machine']> | undefined; // unchecked JSON: may be missing
  if (!machine?.cpuModel || !machine.node || !results.commit || !results.startedAt)
    problems.push('results.json lacks machine, node, commit or date');
  for (const suite of suites) {
    const record = results.suites.find((r) => r.id === suite.id);
    if (!record) {
      problems.push(`suite ${suite.id}: not in results.json`);
      continue;
    }
    if (record.status !== 'ok')
      problems.push(`suite ${suite.id}: ${record.status}: ${record.error?.split('\n')[0] ?? ''}`);
    else problems.push(...(suite.check?.(record.result) ?? []).map((p) => `suite ${suite.id}: ${p}`));
    if (!markdown.includes(`## ${suite.title}`)) problems.push(`RESULTS.md has no section "${suite.title}"`);
  }
  for (const skipped of results.skippedModules) problems.push(`${skipped.module}: ${skipped.reason}`);
  try {
    withSummary(await readFile(repoPath('README.md'), 'utf8'), summaryMarkdown(results, suites));
  } catch (error) {
    problems.push(`README summary: ${(error as Error).message}`);
  }
  return problems;
}
