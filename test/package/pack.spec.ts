import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const libraries = {
  'nestjs-deepseek-pool': 'libs/deepseek-pool',
  'nestjs-deepseek-pool-mock': 'libs/deepseek-mock',
} as const;
type Library = keyof typeof libraries;
const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const versionOf = (name: string) =>
  (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

interface Manifest {
  type?: string;
  engines: { node: string };
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions?: Record<string, Record<string, string[]>>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

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

describe('the published packages', () => {
  let dir: string;
  const installed = (name: Library, ...path: string[]) => join(dir, 'node_modules', name, ...path);
  const manifest = (name: Library) => JSON.parse(readFileSync(installed(name, 'package.json'), 'utf8')) as Manifest;
  const shipped = (name: Library) => readdirSync(installed(name), { recursive: true }).map(String);
  /** `nestjs-deepseek-pool/health` and the like, from the manifest's exports. */
  /** tsc's output for a project in the consumer: empty when it type-checks. */
  const typeErrors = (project: string) => {
    try {
      return run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], dir);
    } catch (error) {
      return (error as { stdout: string }).stdout; // execFileSync with an encoding: a string
    }
  };
  const entryPoints = (name: Library) =>
    Object.keys(manifest(name).exports)
      .filter((path) => path !== './package.json' && !path.includes('*'))
      .map((path) => join(name, path));

  beforeAll(() => {
    // as `npm run build` does: outputs of moved or deleted sources out first (npm pack would ship what tsc -b leaves)
    run(process.execPath, [join(root, 'scripts/prune-stale-dist.mjs')], root);
    run('npx', ['tsc', '-b', ...Object.values(libraries)], root);
    dir = mkdtempSync(join(tmpdir(), 'deepseek-pool-consumer-'));
    for (const [name, path] of Object.entries(libraries))
      renameSync(
        join(dir, run('npm', ['pack', '--silent', '--pack-destination', dir], join(root, path)).trim()),
        join(dir, `${name}.tgz`),
      );
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'consumer',
        private: true,
        // the required peers only: no optional peer (terminus, ioredis, @nestjs/axios, cache-manager) is installed
        dependencies: {
          ...Object.fromEntries(Object.keys(libraries).map((name) => [name, `file:./${name}.tgz`])),
          ...Object.fromEntries(
            ['@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs'].map((name) => [name, versionOf(name)]),
          ),
        },
      }),
    );
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], dir);
  }, 180_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(Object.keys(libraries) as Library[])(
    '%s: CommonJS with types for every entry point, also under moduleResolution "node"',
    (name) => {
      const { type, engines, exports, typesVersions } = manifest(name);
      expect(type).toBeUndefined();
      expect(engines.node).toBe('^20.19.0 || ^22.12.0 || >=24');
      for (const [path, target] of Object.entries(exports)) {
        if (typeof target === 'string') continue;
        expect(existsSync(installed(name, target.types))).toBe(true);
        expect(existsSync(installed(name, target.default))).toBe(true);
        if (path !== '.') expect(typesVersions?.['*']?.[path.slice(2)]).toEqual([target.types]);
      }
    },
  );

  it.each(Object.keys(libraries) as Library[])(
    '%s: ships README, LICENSE, no test files, and every source map with its sources',
    (name) => {
      const files = shipped(name);
      expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE']));
      expect(files.filter((file) => /spec|fixture/.test(file))).toEqual([]);
      const compiled = files.filter((file) => /\.(js|d\.ts)$/.test(file));
      expect(compiled.length).toBeGreaterThan(10);
      for (const file of compiled) {
        const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(installed(name, file), 'utf8'))?.[1];
        expect([file, url]).toEqual([file, `${file.split('/').at(-1)}.map`]);
        const map = JSON.parse(readFileSync(installed(name, `${file}.map`), 'utf8')) as { sources: string[] };
        for (const source of map.sources)
          expect([file, existsSync(join(installed(name), dirname(file), source))]).toEqual([file, true]);
      }
    },
  );

  it.each([
    [
      'an ES module app',
      'app.mjs',
      `import 'reflect-metadata';\nimport * as nest from '@nestjs/common';\nimport { NestFactory } from '@nestjs/core';\nimport { DeepSeekPoolModule, DeepSeekPoolService } from 'nestjs-deepseek-pool';`,
    ],
    [
      'a CommonJS app',
      'app.cjs',
      `require('reflect-metadata');\nconst nest = require('@nestjs/common');\nconst { NestFactory } = require('@nestjs/core');\nconst { DeepSeekPoolModule, DeepSeekPoolService } = require('nestjs-deepseek-pool');`,
    ],
  ])(
    'resolves DeepSeekPoolService through DI in %s (without @opentelemetry/api, an optional peer)',
    (_kind, file, imports) => {
      expect(manifest('nestjs-deepseek-pool').peerDependenciesMeta?.['@opentelemetry/api']).toEqual({ optional: true });
      expect(existsSync(join(dir, 'node_modules/@opentelemetry/api'))).toBe(false);
      writeFileSync(join(dir, file), consumer(imports));
      expect(JSON.parse(run('node', [file], dir))).toEqual([
        ['key-1', 'sk-...1111', 'ready'],
        ['key-2', 'sk-...2222', 'ready'],
      ]);
    },
  );

  it('gives import and require the same module: one DeepSeekPoolService token, the same names (no dual-package hazard)', () => {
    // every entry point but /health, which loads @nestjs/terminus (not installed here)
    const specifiers = [...entryPoints('nestjs-deepseek-pool'), ...entryPoints('nestjs-deepseek-pool-mock')].filter(
      (entry) => !entry.endsWith('/health'),
    );
    writeFileSync(
      join(dir, 'same.mjs'),
      `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const out = {};
for (const specifier of ${JSON.stringify(specifiers)}) {
  const esm = await import(specifier);
  const cjs = require(specifier);
  // beside the CommonJS exports, import adds default and (Node 23+) 'module.exports'
  const names = (m) => Object.keys(m).filter((k) => !['default', 'module.exports', '__esModule'].includes(k)).sort();
  out[specifier] = { sameNames: JSON.stringify(names(esm)) === JSON.stringify(names(cjs)), sameValues: names(cjs).every((k) => esm[k] === cjs[k]), count: names(cjs).length };
}
console.log(JSON.stringify(out));`,
    );
    const result = JSON.parse(run('node', ['same.mjs'], dir)) as Record<
      string,
      { sameNames: boolean; sameValues: boolean; count: number }
    >;
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['nestjs-deepseek-pool', 'nestjs-deepseek-pool-mock']));
    for (const [specifier, { sameNames, sameValues, count }] of Object.entries(result))
      expect([specifier, sameNames, sameValues, count > 0]).toEqual([specifier, true, true, true]);
  });

  it('exports the curated API: internals stay inside, test helpers are in /testing (etc/*.api.md lists it all)', () => {
    writeFileSync(
      join(dir, 'names.cjs'),
      `const names = (specifier) => Object.keys(require(specifier)).filter((k) => k !== '__esModule').sort();
console.log(JSON.stringify({ main: names('nestjs-deepseek-pool'), testing: names('nestjs-deepseek-pool/testing') }));`,
    );
    const { main, testing } = JSON.parse(run('node', ['names.cjs'], dir)) as { main: string[]; testing: string[] };
    expect(main).toEqual(expect.arrayContaining(['DeepSeekPoolModule', 'DeepSeekPoolService', 'PoolEvents']));
    for (const internal of [
      'resolveOptions',
      'DEEPSEEK_POOL_OPTIONS',
      'classify',
      'cacheKey',
      'completionToChunks',
      'seededRng',
      'systemClock',
    ])
      expect([internal, main.includes(internal)]).toEqual([internal, false]);
    expect(testing).toEqual(['ScriptedTransport', 'completion', 'deepseekError']);
  });

  it.each(['node', 'nodenext'])(
    'main entry types need no optional peer (skipLibCheck false, moduleResolution %s)',
    (resolution) => {
      writeFileSync(
        join(dir, 'main.ts'),
        `import { DeepSeekPoolModule, DeepSeekDegradationModule } from 'nestjs-deepseek-pool';\nimport { DeepSeekMock } from 'nestjs-deepseek-pool-mock';\nexport const used = [DeepSeekPoolModule, DeepSeekDegradationModule, DeepSeekMock];\n`,
      );
      const options = {
        module: resolution === 'node' ? 'commonjs' : 'nodenext',
        moduleResolution: resolution,
        ...(resolution === 'node' ? { ignoreDeprecations: '6.0' } : {}),
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        experimentalDecorators: true,
        typeRoots: [join(root, 'node_modules/@types')],
        types: ['node'],
      };
      writeFileSync(
        join(dir, `tsconfig.${resolution}.json`),
        JSON.stringify({ compilerOptions: options, files: ['main.ts'] }),
      );
      expect(typeErrors(`tsconfig.${resolution}.json`)).toBe('');
    },
    120_000,
  );
});
