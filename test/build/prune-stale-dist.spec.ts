import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const script = resolve(import.meta.dirname, '../../scripts/prune-stale-dist.mjs');

// `npm run build` runs scripts/prune-stale-dist.mjs first (prebuild): tsc -b leaves the outputs of moved files behind.
describe('prune-stale-dist (prebuild)', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'prune-dist-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function files(paths: string[]): void {
    for (const path of paths) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), '');
    }
  }

  /** The files left in a project's dist, sorted. */
  const dist = (project: string): string[] =>
    readdirSync(join(root, project, 'dist'), { recursive: true, encoding: 'utf8' })
      .filter((file) => statSync(join(root, project, 'dist', file)).isFile())
      .sort();

  it('removes the outputs of deleted sources (js, d.ts, maps) and keeps the rest', () => {
    // Arrange: routing/tiers.ts was renamed to routing/priority-groups.ts; the gateway lost main-old.ts
    const outputs = (base: string): string[] => ['.js', '.js.map', '.d.ts', '.d.ts.map'].map((ext) => base + ext);
    files([
      'libs/pool/src/routing/priority-groups.ts',
      ...outputs('libs/pool/dist/routing/priority-groups'),
      ...outputs('libs/pool/dist/routing/tiers'),
      'libs/pool/dist/.tsbuildinfo',
      'libs/pool/dist/api-report/index.api.md',
      'apps/gateway/src/main.ts',
      ...outputs('apps/gateway/dist/main'),
      ...outputs('apps/gateway/dist/main-old'),
    ]);

    // Act
    const log = execFileSync('node', [script, root], { encoding: 'utf8' });

    // Assert
    expect(dist('libs/pool')).toEqual(
      ['.tsbuildinfo', 'api-report/index.api.md', ...outputs('routing/priority-groups')].sort(),
    );
    expect(dist('apps/gateway')).toEqual(outputs('main').sort());
    expect(log).toContain('removed 8 outputs');
  });

  it('changes nothing when every output has its source, or when nothing was built', () => {
    // Arrange
    files(['libs/pool/src/index.ts', 'libs/pool/dist/index.js', 'libs/mock/src/index.ts']);

    // Act
    const log = execFileSync('node', [script, root], { encoding: 'utf8' });

    // Assert
    expect(dist('libs/pool')).toEqual(['index.js']);
    expect(log).toBe('');
  });
});
