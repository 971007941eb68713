import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const SKIP = /(^|\/)(node_modules|dist|\.git|\.runs|coverage)(\/|$)/;
/** The repository's own text files (what a clone holds, without installs and builds). */
const files = readdirSync(root, { recursive: true })
  .map(String)
  .filter((file) => !SKIP.test(file) && /\.(md|ts|js|json)$/.test(file) && file !== 'package-lock.json');

describe('references inside the repository', () => {
  it('never point outside it (no briefing folder beside the repo, no /work paths)', () => {
    const outside = files.filter((file) =>
      /\.\.\/shared\/|\/work\/shared/.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(outside).toEqual([]);
  });

  it('resolve: relative Markdown links, and every docs/*.md a file names', () => {
    const broken: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      const links = file.endsWith('.md')
        ? [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((target) => !/^[a-z]+:/.test(target))
        : [];
      for (const target of links)
        if (!existsSync(resolve(root, dirname(file), target))) broken.push(`${file} -> ${target}`);
      for (const [cited] of text.matchAll(/\bdocs\/[\w-]+\.md\b/g))
        if (!existsSync(join(root, cited))) broken.push(`${file} -> ${cited}`);
    }
    expect(broken).toEqual([]);
    expect(files).toContain('docs/deepseek-api.md'); // the walk did see the docs
  });
});
