/**
 * The OpenAI-compatible shapes the pool reads. Only the fields the pool looks at are typed;
 * everything else passes through untouched (index signatures), so new upstream fields survive.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | (string & {});
  content?: string | null | unknown[];
  [field: string]: unknown;
}

/** A `POST /chat/completions` body. */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  temperature?: number;
  [field: string]: unknown;
}

/** Token usage of a completion, DeepSeek's cache-hit and cache-miss prompt tokens included. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_cache_hit_tokens?: number;
  prompt_cache_miss_tokens?: number;
  completion_tokens_details?: { reasoning_tokens?: number };
  [field: string]: unknown;
}

/** A non-streaming completion, as the upstream sent it. */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion' | (string & {});
  model: string;
  choices: Array<{ index: number; message: ChatMessage; finish_reason: string | null; [field: string]: unknown }>;
  usage?: Usage;
  [field: string]: unknown;
}

/** One streamed chunk (an SSE `data:` event); the last may carry `usage`. */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk' | (string & {});
  model: string;
  choices: Array<{
    index: number;
    delta: Partial<ChatMessage>;
    finish_reason: string | null;
    [field: string]: unknown;
  }>;
  usage?: Usage | null;
  [field: string]: unknown;
}

/** A `GET /models` answer. */
export interface ModelList {
  object: 'list';
  data: Array<{ id: string; object: 'model'; owned_by: string; [field: string]: unknown }>;
}
