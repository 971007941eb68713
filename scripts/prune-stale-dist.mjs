// Runs before `npm run build` (npm's prebuild): removes the compiled outputs in libs/*/dist and apps/*/dist whose
// source file is gone. `tsc -b` never deletes the outputs of a moved or deleted file, and a stale one stays importable
// and is packed. Only orphans go, so incremental builds stay incremental; it takes milliseconds.
//   node scripts/prune-stale-dist.mjs [root]   root: the repository (default), or another tree with the same layout
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What tsc emits for `src/x.ts`: `dist/x.js`, `dist/x.d.ts` and their maps. */
const OUTPUT = /\.(?:js|d\.ts)(?:\.map)?$/;

const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const pruned = [];
for (const group of ['libs', 'apps']) {
  if (!existsSync(join(root, group))) continue;
  for (const project of readdirSync(join(root, group))) {
    const dist = join(root, group, project, 'dist');
    if (!existsSync(dist)) continue;
    for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
      if (!OUTPUT.test(file)) continue;
      const source = join(root, group, project, 'src', file.replace(OUTPUT, '.ts'));
      if (existsSync(source)) continue;
      rmSync(join(dist, file));
      pruned.push(join(group, project, 'dist', file));
    }
  }
}
if (pruned.length > 0) console.log(`prune-stale-dist: removed ${pruned.length} outputs of deleted sources`);
