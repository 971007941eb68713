import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  type DeepSeekPoolOptions,
  DeepSeekPoolModule,
  DeepSeekPoolService,
  type KeyOptions,
  type StateChange,
} from 'nestjs-deepseek-pool';
import { RedisStateStore, type RedisStateStoreOptions } from 'nestjs-deepseek-pool/redis';
import { DeepSeekMock, type MockScenario, mulberry32 } from 'nestjs-deepseek-pool-mock';

/** Pool settings for replica tests: quiet, no background probing, short cooldowns. */
const REPLICA_POOL_OPTIONS = {
  logger: false,
  health: { probe: false, validateOnStart: false },
  retry: { maxAttempts: 4, maxWaitForKeyMs: 5_000, backoff: { baseMs: 5, maxMs: 50 } },
  timeouts: { firstByteMs: 5_000, firstContentMs: 5_000, idleMs: 5_000, attemptMs: 10_000, requestMs: 15_000 },
  cooldown: { baseMs: 5_000, maxMs: 10_000 },
} as const satisfies Partial<DeepSeekPoolOptions>;

/** One replica: a Nest app holding a pool whose state lives in the shared Redis. */
export interface Replica {
  app: INestApplication;
  pool: DeepSeekPoolService;
  store: RedisStateStore;
  /** Every change the replica's store reported (its own, the others', degraded / recovered). */
  changes: StateChange[];
}

export interface ReplicaSetSpec {
  mock: MockScenario;
  /** Replicas to start. Default 2. */
  replicas?: number;
  redisUrl: string;
  /** Key prefix in Redis, unique per test. */
  prefix: string;
  pool?: Partial<Omit<DeepSeekPoolOptions, 'keys'>>;
  /** Pool settings per key id (the mock key's name). */
  keys?: Record<string, Partial<KeyOptions>>;
  store?: Partial<RedisStateStoreOptions>;
}

export interface ReplicaSet {
  mock: DeepSeekMock;
  replicas: Replica[];
  close(): Promise<void>;
}

/** Starts the mock and N Nest apps over it, all sharing one Redis; resolves once every store is online. */
export async function startReplicas(spec: ReplicaSetSpec): Promise<ReplicaSet> {
  const mock = new DeepSeekMock(spec.mock, { seed: 7 });
  const { url } = await mock.start();
  const keys: KeyOptions[] = spec.mock.keys.map((k) => ({
    id: k.name ?? k.key,
    apiKey: k.key,
    baseUrl: url,
    ...(k.account === undefined ? {} : { account: k.account }),
    ...spec.keys?.[k.name ?? k.key],
  }));
  const replicas: Replica[] = [];
  const close = async (): Promise<void> => {
    await mock.close();
    for (const replica of replicas) {
      await replica.app.close();
      await replica.store.close();
    }
  };
  try {
    for (let i = 0; i < (spec.replicas ?? 2); i++) {
      const store = new RedisStateStore({ redis: spec.redisUrl, prefix: spec.prefix, ...spec.store });
      const changes: StateChange[] = [];
      store.onChange((change) => changes.push(change));
      const options: DeepSeekPoolOptions = {
        ...REPLICA_POOL_OPTIONS,
        rng: mulberry32(100 + i),
        ...spec.pool,
        keys,
        store,
      };
      const moduleRef = await Test.createTestingModule({ imports: [DeepSeekPoolModule.forRoot(options)] }).compile();
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest takes option literals
      const app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      replicas.push({ app, pool: app.get(DeepSeekPoolService), store, changes });
      await store.ready();
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { mock, replicas, close };
}

/** A chat request; `n` makes its text distinct. */
export function ask(n: number, extra: Record<string, unknown> = {}) {
  return { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: `question ${n}` }], ...extra };
}

/**
 * Runs `total` calls (or until `stop()` says so) over `concurrency` workers; resolves with the successes and the
 * errors.
 */
export async function drive(
  total: number,
  concurrency: number,
  call: (n: number) => Promise<unknown>,
  stop: () => boolean = () => false,
): Promise<{ ok: number; errors: unknown[] }> {
  let next = 0;
  let ok = 0;
  const errors: unknown[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total && !stop()) {
        const n = next++;
        try {
          await call(n);
          ok++;
        } catch (error) {
          errors.push(error);
        }
      }
    }),
  );
  return { ok, errors };
}
