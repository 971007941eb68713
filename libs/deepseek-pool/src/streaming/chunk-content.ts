import type { ChatMessage, Usage } from '../chat.types.js';

/**
 * A stream chunk as read off the wire: the parser checks only that `choices` is an array, so a choice may lack its
 * delta or finish reason (and a chunk from elsewhere its `choices`). Code inspecting upstream chunks reads them
 * through this shape; every ChatCompletionChunk is one.
 */
export interface UpstreamChunk {
  choices?: ReadonlyArray<{
    index: number;
    delta?: Partial<ChatMessage>;
    finish_reason?: string | null;
    [field: string]: unknown;
  }>;
  usage?: Usage | null;
  [field: string]: unknown;
}

/**
 * Whether a chunk carries content the caller would see: text, reasoning, a tool call, or the end of the answer.
 * The opening `{role: 'assistant', content: ''}` delta does not: until a chunk that does arrives, the stream
 * can still fail over to another key without the caller noticing.
 */
export function carriesContent(chunk: UpstreamChunk): boolean {
  for (const choice of chunk.choices ?? []) {
    const delta = choice.delta ?? {};
    if (typeof delta.content === 'string' && delta.content.length > 0) return true;
    if (typeof delta.reasoning_content === 'string' && delta.reasoning_content.length > 0) return true;
    if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) return true;
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) return true;
  }
  return false;
}
