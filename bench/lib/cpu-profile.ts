import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { REPO_DIR } from './paths.js';

/** One function's share of the samples of a `node --cpu-prof` profile. */
export interface HotFunction {
  name: string;
  /** `path:line` (repo-relative or package-relative). */
  location: string;
  selfPercent: number;
}

interface ProfileNode {
  id: number;
  hitCount?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

const IDLE = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function shortLocation(url: string, line: number): string {
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const nodeModules = path.lastIndexOf('node_modules/');
  const shown = nodeModules >= 0 ? path.slice(nodeModules + 'node_modules/'.length) : path.startsWith(REPO_DIR) ? relative(REPO_DIR, path) : path;
  return `${shown}:${line + 1}`;
}

/** The functions with the most self samples in the single `.cpuprofile` of `dir` (idle and program time excluded, GC kept). */
export async function hotFunctions(dir: string, top = 12): Promise<{ samples: number; gcPercent: number; functions: HotFunction[] }> {
  const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
  const byFunction = new Map<string, HotFunction & { hits: number }>();
  let busy = 0;
  let gc = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(garbage collector)') gc += hits;
    if (IDLE.has(functionName) && functionName !== '(garbage collector)') continue;
    busy += hits;
    const name = functionName || '(anonymous)';
    const location = shortLocation(url, lineNumber);
    const key = `${name} ${location}`;
    const entry = byFunction.get(key) ?? { name, location, selfPercent: 0, hits: 0 };
    entry.hits += hits;
    byFunction.set(key, entry);
  }
  const share = (hits: number) => Math.round((hits / Math.max(busy, 1)) * 1000) / 10;
  const functions = [...byFunction.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, top)
    .map(({ name, location, hits }) => ({ name, location, selfPercent: share(hits) }));
  return { samples: busy, gcPercent: share(gc), functions };
}
