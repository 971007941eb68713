import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { REPO_DIR } from './paths.js';

/** One function's share of the busy samples of a `node --cpu-prof` profile. */
export interface HotFunction {
  name: string;
  /** `path:line` (repo-relative, or from node_modules). */
  location: string;
  selfPercent: number;
}

/** Self time grouped by where the code comes from (a package, node's internals, native code, GC). */
export interface AreaShare {
  area: string;
  selfPercent: number;
}

export interface ProfileSummary {
  /** Samples outside idle time. */
  samples: number;
  areas: AreaShare[];
  /** The busiest functions of the `focus` areas (of all areas with 'all'). */
  functions: HotFunction[];
}

interface ProfileNode {
  hitCount?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

const IDLE = new Set(['(idle)', '(program)', '(root)']);

function pathOf(url: string): string {
  return url.startsWith('file://') ? new URL(url).pathname : url;
}

function areaOf(frame: ProfileNode['callFrame'], packageDir: string): string {
  if (frame.functionName === '(garbage collector)') return 'garbage collector';
  if (!frame.url) return 'native (syscalls, builtins)';
  if (frame.url.startsWith('node:')) return "node's internals";
  const path = pathOf(frame.url);
  if (path.includes(packageDir)) return 'nestjs-deepseek-pool';
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) {
    const [top, name] = relative(REPO_DIR, path).split('/');
    return top === 'apps' || top === 'libs' ? `${top}/${name}` : top;
  }
  const [scope, name] = path.slice(at + 'node_modules/'.length).split('/');
  return scope.startsWith('@') ? `${scope}/${name}` : scope;
}

function locationOf(frame: ProfileNode['callFrame']): string {
  const path = pathOf(frame.url);
  const at = path.lastIndexOf('node_modules/');
  const shown =
    at >= 0 ? path.slice(at + 'node_modules/'.length) : path.startsWith(REPO_DIR) ? relative(REPO_DIR, path) : path;
  return `${shown}:${frame.lineNumber + 1}`;
}

function add<K>(map: Map<K, number>, key: K, hits: number): void {
  map.set(key, (map.get(key) ?? 0) + hits);
}

/**
 * Reads the single `.cpuprofile` of `dir`: self time by area, and the busiest functions of the `focus` areas.
 * Areas: a package (node_modules), `apps/<name>` / `libs/<name>` / `bench` for this repository, node's internals,
 * native code, GC.
 * `packageDir` marks the library's own code (its compiled folder).
 */
export async function summarizeProfile(
  dir: string,
  packageDir: string,
  focus: readonly string[] | 'all',
  top = 12,
): Promise<ProfileSummary> {
  const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const { nodes } = JSON.parse(await readFile(join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const node of nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0 || IDLE.has(node.callFrame.functionName)) continue;
    busy += hits;
    const area = areaOf(node.callFrame, packageDir);
    add(areas, area, hits);
    if (focus === 'all' || focus.includes(area))
      add(functions, `${node.callFrame.functionName || '(anonymous)'}\t${locationOf(node.callFrame)}`, hits);
  }
  const share = (hits: number) => Math.round((hits / Math.max(busy, 1)) * 1000) / 10;
  const sorted = <K>(map: Map<K, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    samples: busy,
    areas: sorted(areas).map(([area, hits]) => ({ area, selfPercent: share(hits) })),
    functions: sorted(functions)
      .slice(0, top)
      .map(([key, hits]) => {
        const [name, location] = key.split('\t') as [string, string];
        return { name, location, selfPercent: share(hits) };
      }),
  };
}
