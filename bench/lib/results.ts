import type { SkippedModule } from './discover.js';
import type { MachineInfo } from './machine.js';
import type { ProfileName } from './suite.js';

/** One suite's outcome in results.json. */
export interface SuiteRecord {
  id: string;
  title: string;
  order: number;
  status: 'ok' | 'failed';
  durationS: number;
  result?: unknown;
  /** When failed: the error message (with the child's output when a child failed). */
  error?: string;
  /** Set when the suite was run on its own and merged into a whole run's results (`--merge`). */
  ranAlone?: { profile: ProfileName; startedAt: string; commit: string };
}

/** results.json: everything RESULTS.md shows, and nothing typed by hand. */
export interface BenchResults {
  schema: 1;
  profile: ProfileName;
  startedAt: string;
  durationS: number;
  commit: string;
  machine: MachineInfo;
  suites: SuiteRecord[];
  skippedModules: SkippedModule[];
}
