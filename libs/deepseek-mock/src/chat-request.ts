import { type MockError, errors } from './mock-errors.js';
import { isRecord } from './validate.js';

const ROLES = ['system', 'user', 'assistant', 'tool'];

/** A message reduced to what the mock needs: its role and its text. */
export interface ChatMessage {
  role: string;
  text: string;
}

/** A validated `POST /chat/completions` body. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  /** `stream_options.include_usage`. */
  includeUsage: boolean;
  /** `thinking.type`, when the request sets it. */
  thinking?: boolean;
  /** `response_format.type === "json_object"`. */
  jsonMode: boolean;
  /**
   * The last message, when it is an assistant message with `prefix: true` (chat prefix completion): its text and
   * `reasoning_content`.
   */
  prefix?: { content: string; reasoning: string };
  /** vLLM / SGLang: `continue_final_message` and `add_generation_prompt` (default true). */
  continueFinalMessage?: boolean;
  addGenerationPrompt?: boolean;
}

const deserialize = (detail: string) =>
  errors.invalidRequest(`Failed to deserialize the JSON body into the target type: ${detail}`);

/** Text of a message `content`: a string, or the text parts of an array of parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isRecord(part) && typeof part['text'] === 'string' ? part['text'] : '')).join('');
}

function parseMessages(value: unknown): ChatMessage[] | MockError {
  if (!Array.isArray(value)) return deserialize('messages: invalid type, expected a sequence');
  if (value.length === 0) return errors.invalidRequest('Empty input messages');
  const messages: ChatMessage[] = [];
  for (const [i, m] of value.entries()) {
    const role = isRecord(m) ? m['role'] : undefined;
    if (typeof role !== 'string' || !ROLES.includes(role)) {
      return deserialize(
        `messages[${i}]: unknown variant \`${String(role)}\`, expected one of ${ROLES.map((r) => `\`${r}\``).join(', ')}`,
      );
    }
    messages.push({ role, text: contentText((m as Record<string, unknown>)['content']) });
  }
  return messages;
}

/** A chat body after validation: the request, or DeepSeek's error for it. */
export type ParsedChat = { request: ChatRequest; error?: undefined } | { request?: undefined; error: MockError };

/**
 * Validates a chat completion body like DeepSeek: 400 for malformed input or an unknown model, 422 for `json_schema`.
 */
export function parseChatRequest(raw: string, models: readonly string[]): ParsedChat {
  const parsed = validateChat(raw, models);
  return 'status' in parsed ? { error: parsed } : { request: parsed };
}

function validateChat(raw: string, models: readonly string[]): ChatRequest | MockError {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (err) {
    return errors.invalidRequest(`Failed to parse the request body as JSON: ${(err as Error).message}`);
  }
  if (!isRecord(body)) return deserialize('invalid type, expected struct ChatCompletionRequest');
  if (body['messages'] === undefined) return deserialize('missing field `messages`');
  if (body['model'] === undefined) return deserialize('missing field `model`');
  if (typeof body['model'] !== 'string') return deserialize('model: invalid type, expected a string');
  const messages = parseMessages(body['messages']);
  if (!Array.isArray(messages)) return messages;
  if (!models.includes(body['model'])) return errors.modelNotExist();
  const format = isRecord(body['response_format']) ? body['response_format']['type'] : undefined;
  if (format === 'json_schema') {
    return errors.unprocessable(
      'Failed to deserialize the JSON body into the target type: response_format: response_format.type `json_schema` is unavailable now',
    );
  }
  const thinking = isRecord(body['thinking']) ? body['thinking']['type'] : undefined;
  const streamOptions = body['stream_options'];
  // parseMessages refused an empty list and parsed `body.messages` one to one
  const lastIndex = messages.length - 1;
  const last: unknown = (body['messages'] as unknown[])[lastIndex];
  const prefix =
    isRecord(last) && last['role'] === 'assistant' && last['prefix'] === true
      ? { content: messages[lastIndex].text, reasoning: contentText(last['reasoning_content']) }
      : undefined;
  return {
    model: body['model'],
    messages,
    stream: body['stream'] === true,
    includeUsage: isRecord(streamOptions) && streamOptions['include_usage'] === true,
    ...(thinking === 'enabled' || thinking === 'disabled' ? { thinking: thinking === 'enabled' } : {}),
    jsonMode: format === 'json_object',
    ...(prefix ? { prefix } : {}),
    continueFinalMessage: body['continue_final_message'] === true,
    addGenerationPrompt: body['add_generation_prompt'] !== false,
  };
}
