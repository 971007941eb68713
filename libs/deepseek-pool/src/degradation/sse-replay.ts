import type { ChatCompletion, ChatCompletionChunk, ChatMessage, Usage } from '../chat.types.js';
import type { UpstreamChunk } from '../streaming/chunk-content.js';

type Choice = ChatCompletion['choices'][number];
type Delta = Partial<ChatMessage>;

/** One tool call as it appears in a message (and, with its position as `index`, in a stream delta). */
interface ToolCall {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
  [field: string]: unknown;
}

/**
 * A complete answer replayed as DeepSeek streams it: per choice a first delta with the role and empty content,
 * the reasoning, the content, the tool calls, then a final chunk with an empty delta and the finish reason;
 * the usage rides on the last chunk. Ends with no `[DONE]`: framing is the transport's.
 */
export function completionToChunks(completion: ChatCompletion): ChatCompletionChunk[] {
  const chunk = (choice: Choice, delta: Delta, finishReason: string | null): ChatCompletionChunk => ({
    id: completion.id,
    object: 'chat.completion.chunk',
    created: completion.created,
    model: completion.model,
    ...(completion.system_fingerprint === undefined ? {} : { system_fingerprint: completion.system_fingerprint }),
    choices: [{ index: choice.index, delta, logprobs: null, finish_reason: finishReason }],
  });
  const chunks = completion.choices.flatMap((choice) => {
    const { reasoning_content: reasoning, content, tool_calls: toolCalls } = choice.message;
    const deltas: Delta[] = [{ role: choice.message.role, content: '' }];
    if (typeof reasoning === 'string' && reasoning !== '') deltas.push({ content: null, reasoning_content: reasoning });
    if (typeof content === 'string' && content !== '') deltas.push({ content });
    if (Array.isArray(toolCalls) && toolCalls.length > 0)
      deltas.push({ tool_calls: toolCalls.map((call: ToolCall, index: number) => ({ index, ...call })) });
    return [
      ...deltas.map((delta) => chunk(choice, delta, null)),
      chunk(choice, { content: '' }, choice.finish_reason ?? 'stop'),
    ];
  });
  if (completion.usage !== undefined) chunks[chunks.length - 1].usage = completion.usage;
  return chunks;
}

/** What is being assembled for one choice. */
interface Assembly {
  role: string;
  content: string;
  reasoning: string | undefined;
  toolCalls: ToolCall[];
  finishReason: string | null;
}

/**
 * A streamed answer assembled into the chat completion it stands for, or undefined when the stream never
 * finished (a choice without a finish reason, or no chunk at all): partial answers are never cached.
 */
export function assembleChunks(chunks: readonly ChatCompletionChunk[]): ChatCompletion | undefined {
  const choices = new Map<number, Assembly>();
  let usage: Usage | undefined;
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    const upstream: UpstreamChunk = chunk;
    for (const { index, delta = {}, finish_reason: finishReason } of upstream.choices ?? []) {
      const choice = choices.get(index) ?? {
        role: 'assistant',
        content: '',
        reasoning: undefined,
        toolCalls: [],
        finishReason: null,
      };
      choices.set(index, choice);
      if (typeof delta.role === 'string') choice.role = delta.role;
      if (typeof delta.content === 'string') choice.content += delta.content;
      if (typeof delta.reasoning_content === 'string')
        choice.reasoning = (choice.reasoning ?? '') + delta.reasoning_content;
      if (Array.isArray(delta.tool_calls))
        for (const call of delta.tool_calls as Array<ToolCall & { index: number }>)
          mergeToolCall(choice.toolCalls, call);
      if (finishReason) choice.finishReason = finishReason;
    }
  }
  const first = chunks.at(0);
  if (first === undefined || choices.size === 0 || [...choices.values()].some((choice) => choice.finishReason === null))
    return undefined;
  return {
    id: first.id,
    object: 'chat.completion',
    created: first.created,
    model: first.model,
    ...(first.system_fingerprint === undefined ? {} : { system_fingerprint: first.system_fingerprint }),
    choices: [...choices.entries()].sort(([a], [b]) => a - b).map(([index, choice]) => toChoice(index, choice)),
    ...(usage === undefined ? {} : { usage }),
  };
}

function toChoice(index: number, choice: Assembly): Choice {
  const message: ChatMessage = { role: choice.role, content: choice.content };
  if (choice.reasoning !== undefined) message.reasoning_content = choice.reasoning;
  if (choice.toolCalls.length > 0) message.tool_calls = choice.toolCalls;
  return { index, message, logprobs: null, finish_reason: choice.finishReason };
}

/**
 * Tool call deltas arrive in pieces keyed by `index`: the first brings id, type and name, later ones more arguments.
 */
function mergeToolCall(calls: ToolCall[], { index, ...piece }: ToolCall & { index: number }): void {
  const call = (calls[index] ??= {});
  for (const [field, value] of Object.entries(piece))
    if (field !== 'function' && value !== undefined) call[field] = value;
  if (piece.function === undefined) return;
  const fn = (call.function ??= {});
  if (piece.function.name !== undefined) fn.name = piece.function.name;
  if (piece.function.arguments !== undefined) fn.arguments = (fn.arguments ?? '') + piece.function.arguments;
}
