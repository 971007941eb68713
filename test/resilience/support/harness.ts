import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  type DeepSeekPoolOptions,
  DeepSeekPoolModule,
  DeepSeekPoolAdmin,
  DeepSeekPoolService,
  type KeyOptions,
  type KeySnapshot,
  UndiciTransport,
} from 'nestjs-deepseek-pool';
import { DeepSeekMock, type KeyStats, type MockScenario, mulberry32 } from 'nestjs-deepseek-pool-mock';
import { RecordingTransport, Timeline } from './timeline.js';

/**
 * Pool settings scaled down so every state change happens within a scenario's few seconds. Hedging is off: these
 * scenarios count attempts and timeouts exactly, and a hedge fires by timing (a loaded machine's slow answer); the
 * scenarios that measure hedging turn it on.
 */
export const SCALED_POOL_OPTIONS = {
  logger: false,
  hedging: false,
  health: { probe: false, validateOnStart: false },
  retry: { maxAttempts: 3, maxWaitForKeyMs: 0, backoff: { baseMs: 10, maxMs: 50 } },
  timeouts: { firstByteMs: 2_000, firstContentMs: 2_000, idleMs: 2_000, attemptMs: 5_000, requestMs: 10_000 },
  cooldown: { baseMs: 200, maxMs: 2_000 },
  breaker: {
    windowMs: 10_000,
    buckets: 10,
    volumeThreshold: 5,
    errorThresholdPercentage: 50,
    resetTimeoutMs: 500,
    halfOpenMaxTrials: 2,
    halfOpenSuccessesToClose: 2,
  },
} as const satisfies Partial<DeepSeekPoolOptions>;

export interface ScenarioSpec {
  /** The mock's cast; each mock key becomes a pool key whose id is the mock key's name. */
  mock: MockScenario;
  /** Pool options over SCALED_POOL_OPTIONS (keys excluded). */
  pool?: Partial<Omit<DeepSeekPoolOptions, 'keys'>>;
  /** Per-key pool settings by key id (priority, weight, baseUrl...). */
  keys?: Record<string, Partial<KeyOptions>>;
  /** Pool keys that are not on the mock (e.g. a base URL where nothing listens). */
  extraKeys?: KeyOptions[];
  /** Seed of both the pool's rng and the mock's. Default 7. */
  seed?: number;
}

/** A running scenario: the mock, the Nest app holding the pool, and the timeline of what the pool did. */
export interface Scenario {
  mock: DeepSeekMock;
  app: INestApplication;
  pool: DeepSeekPoolService;
  admin: DeepSeekPoolAdmin;
  timeline: Timeline;
  /** The mock's counters of one key (by name). */
  keyStats(name: string): KeyStats;
  /** Chat requests the mock received per key name (unauthenticated ones excluded). */
  chatRequestsByKey(): Record<string, number>;
  /** The pool's snapshot of one key. */
  keySnapshot(id: string): KeySnapshot;
  close(): Promise<void>;
}

/** Starts the mock on 127.0.0.1, then a Nest app importing DeepSeekPoolModule.forRoot over it. */
export async function startScenario(spec: ScenarioSpec): Promise<Scenario> {
  const seed = spec.seed ?? 7;
  const mock = new DeepSeekMock(spec.mock, { seed });
  const { url } = await mock.start();
  const timeline = new Timeline();
  const keys: KeyOptions[] = [
    ...spec.mock.keys.map((k) => ({
      id: k.name ?? k.key,
      apiKey: k.key,
      baseUrl: url,
      ...(k.account === undefined ? {} : { account: k.account }),
      ...spec.keys?.[k.name ?? k.key],
    })),
    ...(spec.extraKeys ?? []),
  ];
  const idByApiKey = new Map(keys.map((k) => [k.apiKey, k.id ?? k.apiKey]));
  const transport = new RecordingTransport(
    new UndiciTransport(),
    timeline,
    (apiKey) => idByApiKey.get(apiKey) ?? 'unknown',
  );
  const options: DeepSeekPoolOptions = {
    ...SCALED_POOL_OPTIONS,
    rng: mulberry32(seed),
    ...spec.pool,
    // a spec's retry or health settings change the scaled ones, field by field
    retry: { ...SCALED_POOL_OPTIONS.retry, ...spec.pool?.retry },
    health: { ...SCALED_POOL_OPTIONS.health, ...spec.pool?.health },
    keys,
    transport,
  };
  let app: INestApplication | undefined;
  try {
    const moduleRef = await Test.createTestingModule({ imports: [DeepSeekPoolModule.forRoot(options)] }).compile();
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest takes option literals
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  } catch (error) {
    await mock.close();
    await transport.close();
    throw error;
  }
  const pool = app.get(DeepSeekPoolService);
  timeline.follow(pool);
  const nestApp = app;
  return {
    mock,
    app: nestApp,
    pool,
    admin: nestApp.get(DeepSeekPoolAdmin),
    timeline,
    keyStats: (name) => {
      const stats = mock.stats().keys[name] as KeyStats | undefined; // an index of the mock's keys: may be absent
      if (!stats) throw new Error(`the mock has no key named "${name}"`);
      return stats;
    },
    chatRequestsByKey: () =>
      Object.fromEntries(Object.entries(mock.stats().keys).map(([name, k]) => [name, k.requests.chat])),
    keySnapshot: (id) => {
      const key = pool.snapshot().keys.find((k) => k.id === id);
      if (!key) throw new Error(`the pool has no key "${id}"`);
      return key;
    },
    close: async () => {
      // The mock first: it destroys hung connections, so nothing keeps the app's transport waiting.
      await mock.close();
      await nestApp.close();
      await transport.close();
    },
  };
}

/**
 * `const start = scenarios()` inside a describe: `await start(spec)` runs a scenario that is closed after the
 * test, whatever the test's outcome.
 */
export function scenarios(): (spec: ScenarioSpec) => Promise<Scenario> {
  const running: Scenario[] = [];
  afterEach(async () => {
    const closing = running.splice(0).map((s) => s.close());
    await Promise.all(closing);
  });
  return async (spec) => {
    const scenario = await startScenario(spec);
    running.push(scenario);
    return scenario;
  };
}
