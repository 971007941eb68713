// The public API of nestjs-deepseek-pool, one report per entry point of package.json `exports`, in etc/*.api.md
// (api-extractor reads the built .d.ts: run `npm run build` first).
//   node scripts/api-report.mjs          check: fails when a report differs from the built API, or when a public member
//                                        has no doc comment (`npm run api:check`)
//   node scripts/api-report.mjs --local  update the reports (`npm run api`), then review and commit them
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';
import ts from 'typescript';

const lib = join(dirname(fileURLToPath(import.meta.url)), '..');
const local = process.argv.includes('--local');
const manifest = JSON.parse(readFileSync(join(lib, 'package.json'), 'utf8'));
const entryPoints = Object.entries(manifest.exports).filter(([path]) => path !== './package.json');

/**
 * Library types that public signatures mention but that stay unexported on purpose: Nest's configurable-module
 * plumbing, the resolved (defaulted) forms of options, and parameters of constructors and methods that only the
 * library calls. Any other type a public signature mentions must be exported: the check fails on it.
 */
const INTERNAL_IN_SIGNATURES = new Set([
  'DeepSeekPoolConfigurableModule',
  'DeepSeekDegradationConfigurableModule',
  'DEEPSEEK_DEGRADATION_OPTIONS_TYPE',
  'ResolvedPoolOptions',
  'ResolvedProbeOptions',
  'ResolvedSyntheticOptions',
  'ResolvedTelemetryOptions',
  'ResolvedDegradationOptions',
  'PoolCore',
  'ResolvedFallback',
  'ModelLabels',
  'PoolBreaker',
  'DegradableRoute',
  'StreamStart',
]);

/** The names `.` exports: the other entry points may mention them without exporting them again. */
const mainTypes = join(lib, manifest.exports['.'].types);
const program = ts.createProgram([mainTypes], { skipLibCheck: true, noEmit: true });
const checker = program.getTypeChecker();
const mainSource = program.getSourceFile(mainTypes);
const mainModule = mainSource && checker.getSymbolAtLocation(mainSource);
if (!mainModule) throw new Error(`${mainTypes}: not found (npm run build first)`);
const mainNames = new Set(checker.getExportsOfModule(mainModule).map((symbol) => symbol.name));

let failed = 0;
for (const [path, { types }] of entryPoints) {
  const name = path === '.' ? 'index' : path.slice(2);
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: lib,
      mainEntryPointFilePath: join(lib, types),
      compiler: { tsconfigFilePath: join(lib, 'tsconfig.json') },
      apiReport: {
        enabled: true,
        reportFileName: name,
        reportFolder: join(lib, 'etc'),
        reportTempFolder: join(lib, 'dist/api-report'),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
        extractorMessageReporting: {
          default: { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: true },
          // one package, no release stages (@public / @beta): every export is public
          'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
          // every public member (field, method, event) needs a doc comment: an undocumented one fails the check
          'ae-undocumented': { logLevel: ExtractorLogLevel.Error, addToApiReportFile: false },
          // decided in messageCallback below
          'ae-forgotten-export': { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: false },
        },
        // the comments are JSDoc read by editors, not TSDoc: TSDoc syntax (escaped braces, one-line code spans) is not
        // enforced
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
      },
    },
    configObjectFullPath: join(lib, `api-extractor.${name}.json`),
    packageJsonFullPath: join(lib, 'package.json'),
  });
  let unexported = 0;
  const result = Extractor.invoke(config, {
    localBuild: local,
    messageCallback: (message) => {
      if (message.messageId !== 'ae-forgotten-export') return;
      const symbol = /symbol "([^"]+)"/.exec(message.text)?.[1] ?? '';
      if (INTERNAL_IN_SIGNATURES.has(symbol) || (name !== 'index' && mainNames.has(symbol)))
        message.logLevel = ExtractorLogLevel.None;
      else unexported++;
    },
  });
  const report = `etc/${name}.api.md`;
  if (!result.succeeded || unexported > 0) {
    failed++;
    console.error(
      result.apiReportChanged && !local
        ? `${report}: differs from the built API (npm run build && npm run api, review, commit)`
        : `${report}: ${result.errorCount} errors, ${unexported} types in public signatures not exported`,
    );
  } else console.log(`${report}: ${result.apiReportChanged ? 'updated' : 'unchanged'}`);
}
process.exitCode = failed ? 1 : 0;
