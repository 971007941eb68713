import { readFile, writeFile } from 'node:fs/promises';
import { ranAloneNote } from './render-results.js';
import type { BenchResults } from './results.js';
import type { BenchSuite } from './suite.js';

export const SUMMARY_START =
  '<!-- bench-summary:start (generated from bench/results.json by the bench runner: do not edit) -->';
export const SUMMARY_END = '<!-- bench-summary:end -->';

/** The README's benchmark summary: the headline tables of every suite that has one, from results.json only. */
export function summaryMarkdown(results: BenchResults, suites: readonly BenchSuite[]): string {
  const byId = new Map(suites.map((suite) => [suite.id, suite]));
  const { machine } = results;
  const sections = [...results.suites]
    .sort((a, b) => a.order - b.order)
    .flatMap((record) => {
      const suite = byId.get(record.id);
      if (record.status !== 'ok' || !suite?.summary) return [];
      return [`#### ${record.title}\n\n${ranAloneNote(record, 7)}${suite.summary(record.result)}`];
    });
  return [
    `From \`bench/results.json\` (profile ${results.profile}, ${results.startedAt.slice(0, 10)}, commit ${results.commit.slice(0, 7)}, ` +
      `${machine.cores}-core ${machine.cpuModel}, Node ${machine.node}); every table and the findings are in [bench/RESULTS.md](bench/RESULTS.md).`,
    ...sections,
  ].join('\n\n');
}

/** Replaces the text between the summary markers of `readme` (which must have them) with `summary`. */
export function withSummary(readme: string, summary: string): string {
  const start = readme.indexOf(SUMMARY_START);
  const end = readme.indexOf(SUMMARY_END);
  if (start === -1 || end < start) throw new Error(`the README has no "${SUMMARY_START}" ... "${SUMMARY_END}" block`);
  return `${readme.slice(0, start + SUMMARY_START.length)}\n\n${summary}\n\n${readme.slice(end)}`;
}

/** Rewrites the summary block of the README at `path`. */
export async function updateReadme(path: string, summary: string): Promise<void> {
  await writeFile(path, withSummary(await readFile(path, 'utf8'), summary));
}
