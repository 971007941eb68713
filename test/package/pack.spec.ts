import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const library = join(root, 'libs/deepseek-pool');
const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const versionOf = (name: string) => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** A minimal Nest app that imports the pool module and prints the pool snapshot, after `load` imported its modules. */
const consumer = (load: string) => `${load}
class AppModule {}
nest.Module({ imports: [DeepSeekPoolModule.forRoot({ keys: 'sk-packtest-aaaaaaaaaaaa1111,sk-packtest-bbbbbbbbbbbb2222', logger: false })] })(AppModule);
(async () => {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const pool = app.get(DeepSeekPoolService);
  console.log(JSON.stringify(pool.snapshot().keys.map((k) => [k.id, k.maskedKey, k.state])));
  await app.close();
})();
`;

describe('the published library package', () => {
  let dir: string;

  beforeAll(() => {
    run('npx', ['tsc', '-b', library], root);
    dir = mkdtempSync(join(tmpdir(), 'deepseek-pool-consumer-'));
    run('npm', ['pack', '--silent', '--pack-destination', dir], library);
    const tarball = readdirSync(dir).find((file) => file.endsWith('.tgz'))!;
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'consumer',
        private: true,
        dependencies: {
          'nestjs-deepseek-pool': `file:./${tarball}`,
          ...Object.fromEntries(['@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs'].map((name) => [name, versionOf(name)])),
        },
      }),
    );
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], dir);
  }, 180_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ships only built JavaScript and types, with exports and peer dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'node_modules/nestjs-deepseek-pool/package.json'), 'utf8'));
    expect(manifest).toMatchObject({ type: 'module', exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } });
    expect(manifest.peerDependencies['@nestjs/common']).toBe('^11.0.0 || ^12.0.0');
    const files = readdirSync(join(dir, 'node_modules/nestjs-deepseek-pool/dist'), { recursive: true }).map(String);
    expect(files).toContain('index.d.ts');
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((file) => /spec|fixture/.test(file))).toEqual([]);
  });

  it.each([
    ['an ES module app', 'app.mjs', `import 'reflect-metadata';\nimport * as nest from '@nestjs/common';\nimport { NestFactory } from '@nestjs/core';\nimport { DeepSeekPoolModule, DeepSeekPoolService } from 'nestjs-deepseek-pool';`],
    ['a CommonJS app (require of ESM, Node 20.19+)', 'app.cjs', `require('reflect-metadata');\nconst nest = require('@nestjs/common');\nconst { NestFactory } = require('@nestjs/core');\nconst { DeepSeekPoolModule, DeepSeekPoolService } = require('nestjs-deepseek-pool');`],
  ])('resolves DeepSeekPoolService through DI in %s', (_kind, file, imports) => {
    writeFileSync(join(dir, file), consumer(imports));
    expect(JSON.parse(run('node', [file], dir))).toEqual([
      ['key-1', 'sk-...1111', 'ready'],
      ['key-2', 'sk-...2222', 'ready'],
    ]);
  });
});
