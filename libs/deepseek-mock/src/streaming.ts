import type { Answer } from './completion.js';
import type { Exchange } from './http-io.js';
import type { Rng } from './rng.js';
import type { StreamCut } from './types.js';
import type { ErrorBody } from './mock-errors.js';
import { SYSTEM_FINGERPRINT } from './responses.js';

const SSE_DONE = 'data: [DONE]\n\n';
export const SSE_KEEP_ALIVE = ': keep-alive\n\n';

/** One SSE event carrying `data` as JSON. */
/** One SSE event; a string is sent as already serialized JSON. */
function sse(data: unknown): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

/** Splits `text` into at most `pieces` parts at word boundaries (each word keeps its trailing whitespace). */
export function splitText(text: string, pieces: number): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
  const count = Math.min(pieces, words.length);
  return Array.from({ length: count }, (_, i) =>
    words.slice(Math.floor((i * words.length) / count), Math.floor(((i + 1) * words.length) / count)).join(''),
  );
}

/**
 * The chunks of one streamed answer: the role chunk, the text chunks (reasoning first), and the final chunk with usage.
 */
export interface StreamPlan {
  role: object;
  texts: object[];
  final: object;
}

/**
 * DeepSeek's chunk sequence: first delta `{role, content: ""}`; reasoning deltas, then content deltas; a final
 * chunk with an empty delta, `finish_reason: "stop"` and the usage. With `include_usage`, other chunks carry `usage:
 * null`.
 */
export function planStream(answer: Answer, opts: { pieces: number; includeUsage: boolean }): StreamPlan {
  const chunk = (delta: object, finishReason: string | null, usage?: object) => ({
    id: answer.id,
    object: 'chat.completion.chunk',
    created: answer.created,
    model: answer.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(usage ? { usage } : opts.includeUsage ? { usage: null } : {}),
  });
  const reasoning = splitText(answer.reasoning ?? '', opts.pieces).map((r) =>
    chunk({ content: null, reasoning_content: r }, null),
  );
  const content = splitText(answer.content, opts.pieces).map((c) => chunk({ content: c }, null));
  return {
    role: chunk({ role: 'assistant', content: '' }, null),
    texts: [...reasoning, ...content],
    final: chunk({ content: '' }, 'stop', answer.usage),
  };
}

/**
 * Stream faults: where to cut (after N text chunks, or at a byte of the body), or where to send an error event instead
 * of the rest.
 */
export interface StreamFaults {
  chunkDelayMs?: number;
  cutAfterChunks?: number;
  cutAtByte?: number;
  errorEventAfterChunks?: number;
}

/**
 * The byte of the body where a stream is cut, if it is: `atByte`, or one drawn uniformly before `[DONE]` with
 * `probability`.
 */
export function drawCut(cut: StreamCut | undefined, plan: StreamPlan, rng: Rng): number | undefined {
  if (!cut || rng() >= (cut.probability ?? 1)) return undefined;
  if (cut.atByte !== undefined) return cut.atByte;
  const bytes = [plan.role, ...plan.texts, plan.final].reduce<number>(
    (sum, chunk) => sum + Buffer.byteLength(sse(chunk)),
    0,
  );
  return Math.floor(rng() * bytes);
}

export type StreamEnd = 'completed' | 'cut' | 'error-event';

/**
 * Writes a planned stream (headers already sent). A cut or error event after N text chunks happens at the
 * latest before the final chunk. Rejects if the connection closes meanwhile.
 */
export async function writeStream(
  ex: Exchange,
  plan: StreamPlan,
  faults: StreamFaults,
  errorEvent: ErrorBody | string,
): Promise<StreamEnd> {
  const stopAt = (n: number | undefined) => (n === undefined ? -1 : Math.min(n, plan.texts.length));
  const cutAt = stopAt(faults.cutAfterChunks);
  const errorAt = stopAt(faults.errorEventAfterChunks);
  let budget = faults.cutAtByte ?? Infinity;
  /** Writes an event, or the part of it the byte cut leaves (then false: the socket is gone). */
  const send = async (event: string): Promise<boolean> => {
    const bytes = Buffer.from(event);
    if (bytes.length <= budget) {
      budget -= bytes.length;
      await ex.write(bytes);
      return true;
    }
    if (budget > 0) await ex.write(bytes.subarray(0, budget));
    ex.destroy();
    return false;
  };
  if (!(await send(sse(plan.role)))) return 'cut';
  for (let i = 0; ; i++) {
    if (i === cutAt) {
      ex.destroy();
      return 'cut';
    }
    if (i === errorAt) {
      await ex.write(sse(errorEvent));
      ex.end();
      return 'error-event';
    }
    if (i === plan.texts.length) break;
    await ex.wait(faults.chunkDelayMs ?? 0);
    if (!(await send(sse(plan.texts[i])))) return 'cut';
  }
  await ex.wait(faults.chunkDelayMs ?? 0);
  if (!(await send(sse(plan.final)))) return 'cut';
  await ex.write(SSE_DONE);
  ex.end();
  return 'completed';
}
