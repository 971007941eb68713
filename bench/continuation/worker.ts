import { serveWorker } from '../lib/worker.js';
import type { RunKey } from '../resilience/clients/chat-client.js';
import { REQUEST_DEADLINE_MS } from '../resilience/settings.js';
import { type StreamSystem, streamClient } from './stream-clients.js';

/** One system through rounds of concurrent streams, in its own process (the mock and Portkey are others). */
export interface ContinuationJob {
  system: StreamSystem;
  keys: RunKey[];
  portkeyUrl?: string;
  /** Concurrent streams per round, and rounds. */
  concurrency: number;
  rounds: number;
  /** The text every key answers: what a whole answer must be, byte for byte. */
  reference: string;
}

/** One stream: its time to the end, how it ended, and (pool) attempts and continuations. */
export interface StreamRecord {
  ms: number;
  /**
   * `exact`: ended normally with the reference text; `wrong-text`: ended normally with another text; else the error
   * kind.
   */
  outcome: string;
  attempts: number;
  continuations: number;
}

/**
 * The error's code or name; a StreamInterruptedError with why it was not continued (`STREAM_INTERRUPTED
 * max-continuations`).
 */
function errorKind(error: unknown): string {
  const { code, name, notContinued } = error as { code?: unknown; name?: unknown; notContinued?: unknown };
  if (typeof code === 'string' && code) return typeof notContinued === 'string' ? `${code} ${notContinued}` : code;
  return typeof name === 'string' && name ? name : 'Error';
}

serveWorker<ContinuationJob, StreamRecord[]>(async (job) => {
  const client = streamClient(job.system, job.keys, job.portkeyUrl);
  const records: StreamRecord[] = [];
  const one = async (): Promise<void> => {
    const started = performance.now();
    const signal = AbortSignal.timeout(REQUEST_DEADLINE_MS);
    try {
      const answer = await client.stream(signal);
      records.push({
        ms: performance.now() - started,
        outcome: answer.content === job.reference ? 'exact' : 'wrong-text',
        attempts: answer.attempts,
        continuations: answer.continuations,
      });
    } catch (error) {
      records.push({ ms: performance.now() - started, outcome: errorKind(error), attempts: 0, continuations: 0 });
    }
  };
  try {
    for (let round = 0; round < job.rounds; round++) await Promise.all(Array.from({ length: job.concurrency }, one));
    return records;
  } finally {
    await client.close();
  }
});
