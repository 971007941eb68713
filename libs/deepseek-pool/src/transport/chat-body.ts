import type { ChatCompletionRequest } from '../chat.types.js';
import { InvalidRequestError, errorMessage } from '../deepseek-pool.errors.js';

/** A chat request serialized once, before any key is picked: each key gets it with its own model name. */
export interface ChatBody {
  /** The JSON body for an upstream that serves the request's model as `model` (a key's `modelMap` name). */
  forModel(model: string): string;
}

/**
 * Serializes `request` for the upstream once, with `stream` set. A body that cannot be serialized (nested too deep
 * for the stack, a BigInt, a cycle) is the caller's: InvalidRequestError, before any key is touched.
 */
export function serializeChatBody(request: ChatCompletionRequest, stream: boolean): ChatBody {
  let rest: string;
  try {
    rest = JSON.stringify({ ...request, model: undefined, stream: undefined });
  } catch (error) {
    throw new InvalidRequestError('body', `cannot be serialized (${errorMessage(error)})`);
  }
  const tail = rest === '{}' ? '}' : `,${rest.slice(1)}`;
  return { forModel: (model) => `{"model":${JSON.stringify(model)},"stream":${stream}${tail}` };
}
