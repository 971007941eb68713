import { createDeepSeekPool } from 'nestjs-deepseek-pool';
import { CHAT_REQUEST } from '../lib/chat-request.js';
import { serveWorker } from '../lib/worker.js';
import type { RunKey } from '../resilience/clients/chat-client.js';

/** A closed loop of `requests` calls, `concurrency` at a time, through the library with its default options. */
export interface TailJob {
  keys: RunKey[];
  stream: boolean;
  hedging: boolean;
  requests: number;
  concurrency: number;
}

/** One call: ms to its answer (a stream: to its first content chunk), or its error kind. */
export interface TailRecord {
  ms: number;
  error?: string;
}

/** Hedges the pool sent, and the races decided between a call's attempts (the `hedge.won` events) by winner. */
export interface TailHedges {
  sent: number;
  wonByHedge: number;
  wonByPrimary: number;
}

export interface TailJobResult {
  records: TailRecord[];
  hedges: TailHedges;
}

serveWorker<TailJob, TailJobResult>(async (job) => {
  const { pool, close } = createDeepSeekPool({
    logger: false,
    health: { probe: false, validateOnStart: false },
    ...(job.hedging ? {} : { hedging: false as const }),
    keys: job.keys.map((key) => ({ id: key.name, apiKey: key.apiKey, baseUrl: key.baseUrl })),
  });
  const hedges: TailHedges = { sent: 0, wonByHedge: 0, wonByPrimary: 0 };
  pool.events.on('hedge', () => (hedges.sent += 1));
  pool.events.on('hedge.won', ({ winner }) => {
    if (winner === 'hedge') hedges.wonByHedge += 1;
    else hedges.wonByPrimary += 1;
  });
  const call = async (): Promise<void> => {
    if (!job.stream) {
      await pool.chat(CHAT_REQUEST);
      return;
    }
    const stream = pool.stream({ ...CHAT_REQUEST, stream: true });
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) break;
  };
  const records: TailRecord[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next++ < job.requests) {
      const started = performance.now();
      try {
        await call();
        records.push({ ms: performance.now() - started });
      } catch (error) {
        records.push({
          ms: performance.now() - started,
          error: (error as { code?: string }).code ?? (error as Error).name,
        });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: job.concurrency }, lane));
    return { records, hedges };
  } finally {
    await close();
  }
});
