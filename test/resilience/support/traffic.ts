import type {
  AttemptMeta,
  ChatCompletionChunk,
  ChatCompletionRequest,
  DeepSeekPoolService,
} from 'nestjs-deepseek-pool';

export const MODEL = 'deepseek-v4-flash';

/** A small chat request; `n` makes each prompt distinct. */
export function chatRequest(n = 0): ChatCompletionRequest {
  return { model: MODEL, messages: [{ role: 'user', content: `Question number ${n}` }] };
}

/** What a batch of calls produced. */
export interface TrafficResult {
  offered: number;
  /** Attempt metadata of every successful call. */
  metas: AttemptMeta[];
  /** What every failed call threw. */
  failures: unknown[];
}

/** Success ratio of a batch (0..1). */
export function successRate(result: TrafficResult): number {
  return result.metas.length / result.offered;
}

/** Upstream attempts per successful call, on average. */
export function attemptsPerRequest(result: TrafficResult): number {
  return result.metas.reduce((sum, m) => sum + m.attempts, 0) / Math.max(1, result.metas.length);
}

/** How many successful calls each key served. */
export function servedBy(result: TrafficResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const meta of result.metas) counts[meta.keyId] = (counts[meta.keyId] ?? 0) + 1;
  return counts;
}

/** One key's share of a set of counts (0..1). */
export function shareOf(counts: Record<string, number>, key: string): number {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return total === 0 ? 0 : (counts[key] ?? 0) / total;
}

/**
 * Sends `requests` calls through `call`, at most `concurrency` at a time, and collects what each produced.
 * Never throws: failures are part of the result.
 */
export async function drive(
  requests: number,
  concurrency: number,
  call: (n: number) => Promise<AttemptMeta>,
): Promise<TrafficResult> {
  const result: TrafficResult = { offered: requests, metas: [], failures: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests) {
      const n = next++;
      try {
        result.metas.push(await call(n));
      } catch (error) {
        result.failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  return result;
}

/** `drive` with non-streaming chat calls. */
export function driveChat(pool: DeepSeekPoolService, requests: number, concurrency: number): Promise<TrafficResult> {
  return drive(requests, concurrency, async (n) => (await pool.chat(chatRequest(n))).meta);
}

/** A stream read to its end: the content text, the chunks, and the attempt metadata. */
export interface StreamRead {
  text: string;
  chunks: ChatCompletionChunk[];
  meta: AttemptMeta;
}

/** Streams one completion through the pool and reads it to the end (rejects like the stream does). */
export async function readStream(pool: DeepSeekPoolService, n = 0): Promise<StreamRead> {
  const stream = pool.stream(chatRequest(n));
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  return { text, chunks, meta: await stream.meta };
}

/**
 * Polls `predicate` until it holds; rejects with `what` after `timeoutMs`. State changes (cooldowns ending,
 * breakers half-opening, sockets closing) land asynchronously: specs wait for them, never sleep a fixed time.
 */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Sends one call at a time until `predicate` holds (e.g. "the breaker closed"), with a pause of `pauseMs`
 * between calls so timers can fire; rejects with `what` after `timeoutMs`. Returns what the calls produced.
 */
export async function driveUntil(
  call: (n: number) => Promise<AttemptMeta>,
  predicate: () => boolean,
  what: string,
  { timeoutMs = 5_000, pauseMs = 10 }: { timeoutMs?: number; pauseMs?: number } = {},
): Promise<TrafficResult> {
  const result: TrafficResult = { offered: 0, metas: [], failures: [] };
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms driving traffic until: ${what}`);
    try {
      result.metas.push(await call(result.offered++));
    } catch (error) {
      result.failures.push(error);
    }
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return result;
}
