import autocannon from 'autocannon';
import { CHAT_REQUEST } from '../lib/chat-request.js';

/** One autocannon step at a fixed number of connections. Latencies in ms (autocannon's resolution: 1 ms). */
export interface StepResult {
  connections: number;
  durationS: number;
  /** Successful (2xx) responses in the step. */
  answered: number;
  /** Successful (2xx) responses per second. */
  reqPerS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** p99 minus the mock's latency. */
  addedP99Ms: number;
  errors: { connection: number; timeouts: number; non2xx: number };
  /**
   * CPU time (all threads, /proc/<pid>/task/<tid>/schedstat) the system's own process spent per answer in the step,
   * in µs; absent for the direct reference (no process of its own) and without /proc.
   */
  cpuUsPerAnswer?: number;
}

const REQUEST_TIMEOUT_S = 10;

/** Closed-loop load: `connections` clients each sending the chat request as soon as the previous answer arrives. */
export async function loadStep(
  url: string,
  headers: Record<string, string>,
  connections: number,
  durationS: number,
  mockLatencyMs: number,
): Promise<StepResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers,
    body: JSON.stringify(CHAT_REQUEST),
    connections,
    duration: durationS,
    timeout: REQUEST_TIMEOUT_S,
  });
  const { latency } = result;
  return {
    connections,
    durationS: result.duration,
    answered: result['2xx'],
    reqPerS: Math.round(result['2xx'] / result.duration),
    latencyMs: { p50: latency.p50, p90: latency.p90, p99: latency.p99, max: latency.max },
    addedP99Ms: latency.p99 - mockLatencyMs,
    errors: { connection: result.errors, timeouts: result.timeouts, non2xx: result.non2xx },
  };
}
