import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppModule } from '../../docs/examples/app.module.js';
import { smoke } from './consumer/smoke.js';

const root = resolve(import.meta.dirname, '../..');
const examples = join(root, 'docs/examples');

/** The READMEs' ts blocks that start with `// docs/examples/<file>`, by file. */
function readmeExamples(): Map<string, string> {
  const readmes = ['README.md', 'libs/deepseek-pool/README.md']
    .map((readme) => readFileSync(join(root, readme), 'utf8'))
    .join('\n');
  const blocks = readmes.matchAll(/```ts\n(\/\/ (docs\/examples\/[\w.-]+\.ts)\n[\s\S]*?)```/g);
  return new Map([...blocks].map((match) => [match[2], match[1]]));
}

describe('the README examples (docs/examples, compiled by the typecheck and by the consumer apps)', () => {
  it('are in the READMEs verbatim, every one of them', () => {
    const files = readdirSync(examples).filter((file) => file.endsWith('.ts'));
    expect([...readmeExamples().keys()].sort()).toEqual(files.map((file) => `docs/examples/${file}`).sort());
    for (const [path, block] of readmeExamples()) expect(block).toBe(readFileSync(join(root, path), 'utf8'));
  });

  it('serve chat, a real SSE stream and readiness 200 with one revoked key of three', async () => {
    await expect(smoke(AppModule)).resolves.toBe('degraded');
  });
});
