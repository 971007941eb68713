import type { INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Agent, request } from 'undici';
import {
  DeepSeekPoolModule,
  type DeepSeekPoolOptions,
  DeepSeekPoolProber,
  DeepSeekPoolAdmin,
  DeepSeekPoolService,
} from 'nestjs-deepseek-pool';
import { DeepSeekPoolHealthController, DeepSeekPoolHealthModule } from 'nestjs-deepseek-pool/health';

/** A logger that keeps every line (Nest's, terminus's and the pool's), to assert that none holds a secret. */
export class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push(
      [message, ...rest].map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' '),
    );
  }
}

export interface HealthApp {
  app: INestApplication;
  pool: DeepSeekPoolService;
  admin: DeepSeekPoolAdmin;
  prober: DeepSeekPoolProber;
  logger: RecordingLogger;
  /** Every health body received so far, as text. */
  bodies: string[];
  get(path: string): Promise<{ status: number; body: HealthBody }>;
  close(): Promise<void>;
}

/** terminus's response shape. */
export interface HealthBody {
  status: 'ok' | 'degraded' | 'error' | 'shutting_down';
  info?: Record<string, { status: string; [field: string]: unknown }>;
  error?: Record<string, { status: string; [field: string]: unknown }>;
  details: Record<string, { status: string; servingKeys?: number; keys?: Record<string, Record<string, unknown>> }>;
}

/** A real Nest app on 127.0.0.1 with the pool, the health module and the controller above; real HTTP to it. */
export async function startHealthApp(pool: DeepSeekPoolOptions): Promise<HealthApp> {
  const logger = new RecordingLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [DeepSeekPoolModule.forRoot({ logger, ...pool }), DeepSeekPoolHealthModule],
    controllers: [DeepSeekPoolHealthController],
  })
    .setLogger(logger)
    .compile();
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest takes option literals
  const app = moduleRef.createNestApplication({ logger });
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  const agent = new Agent();
  const bodies: string[] = [];
  return {
    app,
    pool: app.get(DeepSeekPoolService),
    admin: app.get(DeepSeekPoolAdmin),
    prober: app.get(DeepSeekPoolProber),
    logger,
    bodies,
    async get(path) {
      const response = await request(`${base}${path}`, { dispatcher: agent });
      const text = await response.body.text();
      bodies.push(text);
      return { status: response.statusCode, body: JSON.parse(text) as HealthBody };
    },
    async close() {
      await app.close();
      await agent.close();
    },
  };
}

/** Polls `probe` until it holds (a condition, not a duration: the deadline only guards against a hang). */
export async function until(probe: () => Promise<boolean>, deadlineMs = 10_000): Promise<void> {
  const giveUp = Date.now() + deadlineMs;
  while (!(await probe())) {
    if (Date.now() > giveUp) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
