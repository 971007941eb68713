/**
 * The OpenAI-compatible shapes the pool reads. Only the fields the pool looks at are typed;
 * everything else passes through untouched (index signatures), so new upstream fields survive.
 */
export interface ChatMessage {
  /** Author of the message: `system`, `user`, `assistant`, `tool` (other roles pass through). */
  role: 'system' | 'user' | 'assistant' | 'tool' | (string & {});
  /** Text of the message; null or parts (an array) pass through unchanged. */
  content?: string | null | unknown[];
  /** Any other field (`name`, `tool_calls`, `reasoning_content`, ...) passes through unchanged. */
  [field: string]: unknown;
}

/** A `POST /chat/completions` body. */
export interface ChatCompletionRequest {
  /** Requested model, e.g. `deepseek-chat`; routing picks only keys that serve it. */
  model: string;
  /** The conversation, at least one message. */
  messages: ChatMessage[];
  /** Ignored: the pool sends `"stream": true` from `stream()` and `false` from `chat()`. */
  stream?: boolean;
  /** Sampling temperature, passed through. */
  temperature?: number;
  /** Any other field (`max_tokens`, `tools`, `user`, ...) is sent upstream unchanged. */
  [field: string]: unknown;
}

/** Token usage of a completion, DeepSeek's cache-hit and cache-miss prompt tokens included. */
export interface Usage {
  /** Tokens of the prompt. */
  prompt_tokens: number;
  /** Tokens of the answer (reasoning included). */
  completion_tokens: number;
  /** Prompt plus completion tokens. */
  total_tokens: number;
  /** DeepSeek: prompt tokens served from its context cache. */
  prompt_cache_hit_tokens?: number;
  /** DeepSeek: prompt tokens not in its context cache. */
  prompt_cache_miss_tokens?: number;
  /** Breakdown of the completion tokens: `reasoning_tokens` of thinking models. */
  completion_tokens_details?: { reasoning_tokens?: number };
  /** Any other usage field passes through unchanged. */
  [field: string]: unknown;
}

/** A non-streaming completion, as the upstream sent it. */
export interface ChatCompletion {
  /** Upstream completion id. */
  id: string;
  /** `chat.completion`. */
  object: 'chat.completion' | (string & {});
  /** Model that answered, as the upstream names it. */
  model: string;
  /** Answers (one unless the request set `n`), each with its message and finish reason. */
  choices: Array<{ index: number; message: ChatMessage; finish_reason: string | null; [field: string]: unknown }>;
  /** Token usage, when the upstream reported it. */
  usage?: Usage;
  /** Any other field passes through unchanged. */
  [field: string]: unknown;
}

/** One streamed chunk (an SSE `data:` event); the last may carry `usage`. */
export interface ChatCompletionChunk {
  /** Upstream completion id, the same in every chunk of a stream. */
  id: string;
  /** `chat.completion.chunk`. */
  object: 'chat.completion.chunk' | (string & {});
  /** Model that answers, as the upstream names it. */
  model: string;
  /** Deltas of this chunk, by choice index; `finish_reason` set on the last. */
  choices: Array<{
    index: number;
    delta: Partial<ChatMessage>;
    finish_reason: string | null;
    [field: string]: unknown;
  }>;
  /** Token usage, on the last chunk when the upstream reports it (`stream_options.include_usage`). */
  usage?: Usage | null;
  /** Any other field passes through unchanged. */
  [field: string]: unknown;
}

/** A `GET /models` answer. */
export interface ModelList {
  /** `list`. */
  object: 'list';
  /** The models, by `id`. */
  data: Array<{ id: string; object: 'model'; owned_by: string; [field: string]: unknown }>;
}
