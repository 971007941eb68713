/**
 * Import rules, checked by `npm run deps` (and `npm run lint`): no import cycle anywhere in libs/ and apps/, and the
 * library's layers import one way only, down. See docs/architecture.md for what each layer owns.
 *
 * Layers of libs/deepseek-pool/src, lowest first (a file may import its own layer and any layer below):
 *
 *    1 contracts   chat.types, call.types, clock, deepseek-pool.constants, deepseek-pool.errors,
 *                  resilience/outcome (Outcome, Action), routing/strategy (Candidate, Strategy)
 *    2 outcomes    resilience/classify (what an outcome means: retry, cooldown, disable, a key's fault; pure)
 *    3 foundation  options/ (shared validators, probe options, moved options), redaction/, metrics/,
 *                  request-validation
 *    4 limits      limits/ (usage windows, quotas, token estimates; UsageStore: what limits need of the store)
 *    5 state       state/ (PoolStateStore, memory and Redis stores)
 *    6 keys        keys/ (key config, KeySlot, RoutableKey, its breaker and latency, continuation mode, headers)
 *    7 events      deepseek-pool.events (observer payloads)
 *    8 routing     routing/, pool-snapshot
 *    9 resilience  resilience/ (attempt loop and its steps, cooldowns, hedging, retry budget, call-trace hooks)
 *   10 transport   transport/ (Transport, undici, exchanges, SSE parser, body limits, direct calls to one key)
 *   11 streaming   streaming/ (PoolStream, continuation)
 *   12 telemetry   telemetry/ (OpenTelemetry implementation of the call-trace hooks)
 *   13 service     core/ (the pool's core, calls, keys, event log), deepseek-pool.service, deepseek-pool.admin,
 *                  deepseek-pool.options, create-deepseek-pool
 *   14 edge        Nest module, health/, degradation/, entry points (index, axios, redis, http-service.transport)
 *
 * Tests (*.spec.ts, *.fixture.ts) may reach across layers, but library code never imports them, and nothing may form
 * a cycle. Nest stays at the edge: routing, resilience, keys, limits, state, streaming and transport never import
 * @nestjs/*.
 */
const SRC = '^libs/deepseek-pool/src/';
const TEST = '[.](spec|fixture)[.]ts$';

/** Each layer's files, relative to libs/deepseek-pool/src; the patterns of different layers never overlap. */
const LAYERS = [
  {
    name: 'contracts',
    paths: [
      '(chat[.]types|call[.]types|clock|deepseek-pool[.]constants|deepseek-pool[.]errors)[.]ts$',
      'resilience/outcome[.]ts$',
      'routing/strategy[.]ts$',
    ],
  },
  { name: 'outcomes', paths: ['resilience/classify[.]ts$'] },
  { name: 'foundation', paths: ['options/', 'redaction/', 'metrics/', 'request-validation[.]ts$'] },
  { name: 'limits', paths: ['limits/'] },
  { name: 'state', paths: ['state/'] },
  { name: 'keys', paths: ['keys/'] },
  { name: 'events', paths: ['deepseek-pool[.]events[.]ts$'] },
  { name: 'routing', paths: ['routing/(?!strategy[.]ts$)', 'pool-snapshot[.]ts$'] },
  { name: 'resilience', paths: ['resilience/(?!(outcome|classify)[.]ts$)'] },
  { name: 'transport', paths: ['transport/'] },
  { name: 'streaming', paths: ['streaming/'] },
  { name: 'telemetry', paths: ['telemetry/'] },
  { name: 'service', paths: ['core/', 'deepseek-pool[.](service|admin|options)[.]ts$', 'create-deepseek-pool[.]ts$'] },
  {
    name: 'edge',
    paths: [
      'deepseek-pool[.]module(-definition)?[.]ts$',
      'health/',
      'degradation/',
      '(index|axios|redis|http-service[.]transport)[.]ts$',
    ],
  },
];

const NEST_FREE = ['routing', 'resilience', 'keys', 'limits', 'state', 'streaming', 'transport'];

const inSrc = (paths) => paths.map((path) => SRC + path);

/** One rule per layer: its files import nothing of a layer above it. */
const layerRules = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `layer-${layer.name}`,
  severity: 'error',
  comment: `${layer.name} is layer ${index + 1}: it imports only ${LAYERS.slice(0, index + 1)
    .map((below) => below.name)
    .join(', ')} (see .dependency-cruiser.cjs, docs/architecture.md)`,
  from: { path: inSrc(layer.paths), pathNot: TEST },
  to: { path: inSrc(LAYERS.slice(index + 1).flatMap((above) => above.paths)) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: split the shared part into a file both sides import (see docs/architecture.md).',
      from: { path: '^(libs|apps)/[^/]+/src/' },
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'not-to-test-code',
      severity: 'error',
      comment: 'Library and app code never imports a spec or a fixture.',
      from: { path: '^(libs|apps)/[^/]+/src/', pathNot: TEST },
      to: { path: TEST },
    },
    {
      name: 'nest-at-the-edge',
      severity: 'error',
      comment: `The core (${NEST_FREE.join(', ')}) does not depend on Nest: Nest modules, health and degradation wrap it.`,
      from: { path: inSrc(NEST_FREE.map((folder) => `${folder}/`)) },
      to: { path: '(^|/)node_modules/@nestjs/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    // type-only imports count: a cycle through types is still a cycle, and a layer's types belong to that layer
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
  },
};
