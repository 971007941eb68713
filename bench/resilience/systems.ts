import type { ProfileName } from '../lib/suite.js';
import { STRATEGIES } from './settings.js';

/** A client under test: the naive rotator, the pool with one strategy, or Portkey's gateway. */
export type SystemSpec =
  { kind: 'naive' } | { kind: 'pool'; strategy: (typeof STRATEGIES)[number] } | { kind: 'portkey' };

export function systemId(system: SystemSpec): string {
  return system.kind === 'pool' ? `pool:${system.strategy}` : system.kind;
}

export function systemLabel(system: SystemSpec): string {
  if (system.kind === 'naive') return 'naive rotator';
  if (system.kind === 'portkey') return 'Portkey';
  return `pool ${system.strategy}`;
}

const ALL: readonly SystemSpec[] = [
  { kind: 'naive' },
  ...STRATEGIES.map((strategy) => ({ kind: 'pool' as const, strategy })),
  { kind: 'portkey' },
];
const QUICK: readonly SystemSpec[] = [{ kind: 'naive' }, { kind: 'pool', strategy: 'p2c-ewma' }, { kind: 'portkey' }];

/**
 * Which systems run a scenario: every one in the full run; in the quick run the naive rotator, the default
 * strategy and Portkey; in the smoke run one per scenario, in turn, so every client and every scenario runs
 * at least once.
 */
export function systemsFor(profile: ProfileName, scenarioIndex: number): SystemSpec[] {
  if (profile === 'full') return [...ALL];
  if (profile === 'quick') return [...QUICK];
  return [ALL[scenarioIndex % ALL.length]];
}
