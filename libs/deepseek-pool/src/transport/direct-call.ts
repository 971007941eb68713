import type { Clock } from '../clock.js';
import { UpstreamError } from '../deepseek-pool.errors.js';
import type { Redactor } from '../redaction/redactor.js';
import { AttemptControl } from '../resilience/attempt-control.js';
import type { Outcome } from '../resilience/outcome.js';
import { readJsonBody } from './json-body.js';
import type { Transport } from './transport.js';
import { openExchange } from './upstream-exchange.js';
import type { KeySlot } from '../keys/key-slot.js';

/** One direct call to one key, outside the attempt loop: a probe, a synthetic call, a start-up check. */
export interface DirectCallResult {
  /** Id of the key called. */
  keyId: string;
  /** True when the key answered 2xx. */
  ok: boolean;
  /** `success`, or what went wrong. */
  outcome: 'success' | Outcome['kind'];
  /** HTTP status the upstream sent, when it sent one. */
  status?: number;
  /** Time from sending to the outcome, ms. */
  latencyMs: number;
  /** The parsed JSON body on success (e.g. the balance); the upstream error envelope otherwise. */
  body?: unknown;
}

/** Calls one key directly (no routing, retry or breaker): health probes, synthetic completions, start-up validation. */
export async function callKeyDirectly(
  transport: Transport,
  slot: KeySlot,
  request: { method: 'GET' | 'POST'; path: string; body?: unknown },
  timeoutMs: number,
  clock: Clock,
  redactor: Redactor,
  signal?: AbortSignal,
  maxResponseBytes?: number,
): Promise<DirectCallResult> {
  const startedMs = clock.now();
  const deadlineMs = startedMs + timeoutMs;
  const control = new AttemptControl(clock, signal, deadlineMs, Infinity, redactor);
  try {
    const sent = { ...request, body: request.body === undefined ? undefined : JSON.stringify(request.body) };
    const response = await openExchange(transport, slot, control, timeoutMs, sent, clock);
    control.arm('total');
    const body = await readJsonBody(response.body, undefined, maxResponseBytes);
    return {
      keyId: slot.id,
      ok: true,
      outcome: 'success',
      status: response.status,
      latencyMs: clock.now() - startedMs,
      body,
    };
  } catch (error) {
    const failure = control.failure(error, slot.id);
    const { outcome, body } =
      failure instanceof UpstreamError ? failure : { outcome: control.outcomeOf(error), body: undefined };
    return {
      keyId: slot.id,
      ok: false,
      outcome: outcome.kind,
      status: outcome.kind === 'http' ? outcome.status : undefined,
      latencyMs: clock.now() - startedMs,
      body,
    };
  } finally {
    control.dispose();
  }
}
