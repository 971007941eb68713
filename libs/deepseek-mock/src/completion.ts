import type { ChatRequest } from './chat-request.js';
import { type PartialAnswer, continueAnswer } from './continuation.js';
import { type Usage, buildUsage, countTokens } from './usage.js';

/** Everything an answer carries, streamed or not. */
export interface Answer {
  id: string;
  created: number;
  model: string;
  content: string;
  /** Present for thinking requests. */
  reasoning?: string;
  usage: Usage;
  /**
   * A continuation: the share of the full answer's text it carries (it streams in as many fewer pieces, at the same
   * pace).
   */
  share?: number;
}

export interface AnswerInput {
  request: ChatRequest;
  /** Seconds since the epoch. */
  created: number;
  /** Sequence number, made into a UUID-shaped id like DeepSeek's. */
  sequence: number;
  keyName: string;
  /** Fixed content instead of the default echo. */
  reply?: string;
  thinking: boolean;
  /** Leading messages found in the account's context cache. */
  cachedMessages: number;
  /** Fixed reasoning instead of the default one (thinking answers). */
  reasoning?: string;
  /** Continue this partial answer instead of answering afresh (chat prefix completion, continue_final_message). */
  partial?: PartialAnswer;
}

function textLength(answer: { content: string; reasoning?: string | undefined }): number {
  return answer.content.length + (answer.reasoning?.length ?? 0);
}

function question(request: ChatRequest): string {
  const lastUser = [...request.messages].reverse().find((m) => m.role === 'user') ?? request.messages.at(-1);
  return (lastUser?.text ?? '').slice(0, 40);
}

/**
 * Deterministic answer: "Mock answer from <key> to: <first 40 chars of the last user message>" (JSON in JSON mode),
 * or the rest of it after a partial answer.
 */
export function composeAnswer(input: AnswerInput): Answer {
  const { request, keyName, thinking } = input;
  const asked = question(request);
  const echo = `Mock answer from ${keyName} to: ${asked}`;
  const full = {
    content: input.reply ?? (request.jsonMode ? JSON.stringify({ answer: echo }) : echo),
    ...(thinking
      ? { reasoning: input.reasoning ?? `Mock reasoning by ${keyName}: the user asks "${asked}", so I answer it.` }
      : {}),
  };
  const { content, reasoning } = input.partial ? continueAnswer(full, input.partial) : full;
  const usage = buildUsage(
    request.messages.map((m) => countTokens(m.text)),
    input.cachedMessages,
    countTokens(content),
    reasoning === undefined ? undefined : countTokens(reasoning),
  );
  const answer: Answer = {
    id: `00000000-0000-4000-8000-${input.sequence.toString(16).padStart(12, '0')}`,
    created: input.created,
    model: request.model,
    content,
    usage,
  };
  if (reasoning !== undefined) answer.reasoning = reasoning;
  if (input.partial) answer.share = textLength({ content, reasoning }) / Math.max(1, textLength(full));
  return answer;
}
