import type { ChatRequest } from './chat-request.js';
import { type MockError, errors } from './mock-errors.js';

/** The partial answer a request asks a key to continue: content so far, and reasoning so far (thinking mode). */
export interface PartialAnswer {
  content: string;
  reasoning: string;
}

/**
 * What a request asks of a key's server: a fresh answer (undefined), the continuation of a partial answer, or an
 * error. DeepSeek honours `prefix: true` on its beta path only (elsewhere the flag is ignored and the answer starts
 * afresh); vLLM continues the last assistant message with `continue_final_message` and refuses it together with
 * `add_generation_prompt`.
 */
export function partialAnswerOf(
  request: ChatRequest,
  server: 'deepseek' | 'vllm',
  beta: boolean,
): PartialAnswer | MockError | undefined {
  if (server === 'deepseek') return beta ? request.prefix : undefined;
  if (!request.continueFinalMessage) return undefined;
  if (request.addGenerationPrompt !== false)
    return errors.invalidRequest('continue_final_message and add_generation_prompt cannot both be true.');
  const last = request.messages.at(-1);
  if (last?.role !== 'assistant')
    return errors.invalidRequest('continue_final_message is set but the last message is not an assistant message.');
  return { content: last.text, reasoning: '' };
}

/**
 * The rest of a full answer after a partial one, deterministically: reasoning goes on from the reasoning so far while
 * no content was given (then the whole content follows); once content was given, only the rest of the content comes.
 * A part that does not start with what was given comes whole (the model answers on from there).
 */
export function continueAnswer(
  full: { content: string; reasoning?: string },
  partial: PartialAnswer,
): { content: string; reasoning?: string } {
  if (partial.content === '' && full.reasoning !== undefined)
    return { reasoning: rest(full.reasoning, partial.reasoning), content: full.content };
  return { content: rest(full.content, partial.content) };
}

function rest(full: string, given: string): string {
  return full.startsWith(given) ? full.slice(given.length) : full;
}
