import { type AttemptRecord, UpstreamError } from '../deepseek-pool.errors.js';
import type { Outcome } from '../resilience/outcome.js';
import type { Redactor } from './redactor.js';

/** Longest upstream text (message, detail) an error carries, cut after redaction. */
export const MAX_UPSTREAM_TEXT_CHARS = 500;

/** What an UpstreamError is made of: an UpstreamError itself, or the parts of one not built yet. */
export type FailureParts = Pick<UpstreamError, 'message' | 'outcome' | 'keyId' | 'body'> & {
  attempts?: readonly AttemptRecord[];
};

/**
 * The failure of an attempt as it may leave the pool: its message, outcome text and upstream body redacted of every
 * known secret, then cut to MAX_UPSTREAM_TEXT_CHARS. Upstream text reaches callers, streams and logs only this way.
 * Given the parts, it builds the one error (an Error captures its stack when built: a few µs, bench/FINDINGS.md,
 * finding 1); given an UpstreamError, a redacted copy.
 */
export function redactFailure(error: FailureParts, redactor: Redactor): UpstreamError {
  const clip = (text: string): string => redactor.clip(text, MAX_UPSTREAM_TEXT_CHARS);
  return new UpstreamError(
    clip(error.message),
    redactOutcome(error.outcome, clip),
    error.keyId,
    redactBody(error.body, redactor, clip),
    error.attempts,
  );
}

function redactOutcome(outcome: Outcome, clip: (text: string) => string): Outcome {
  if (outcome.kind === 'http' && outcome.message !== undefined) return { ...outcome, message: clip(outcome.message) };
  if (outcome.kind === 'protocol') return { ...outcome, detail: clip(outcome.detail) };
  return outcome;
}

/** The upstream's error envelope, redacted throughout, its `error.message` also cut. */
function redactBody(body: unknown, redactor: Redactor, clip: (text: string) => string): unknown {
  const redacted = redactor.redactValue(body);
  const error = (redacted as { error?: { message?: unknown } | null } | null)?.error;
  if (typeof error !== 'object' || error === null || typeof error.message !== 'string') return redacted;
  return { ...(redacted as object), error: { ...error, message: clip(error.message) } };
}
