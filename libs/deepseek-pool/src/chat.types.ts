/**
 * The OpenAI-compatible shapes the pool reads. Only the fields the pool looks at are typed;
 * everything else passes through untouched (index signatures), so new upstream fields survive.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | (string & {});
  content?: string | null | unknown[];
  [field: string]: unknown;
}

export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  temperature?: number;
  [field: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_cache_hit_tokens?: number;
  prompt_cache_miss_tokens?: number;
  completion_tokens_details?: { reasoning_tokens?: number };
  [field: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion' | (string & {});
  model: string;
  choices: Array<{ index: number; message: ChatMessage; finish_reason: string | null; [field: string]: unknown }>;
  usage?: Usage;
  [field: string]: unknown;
}

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

export interface ModelList {
  object: 'list';
  data: Array<{ id: string; object: 'model'; owned_by: string; [field: string]: unknown }>;
}
