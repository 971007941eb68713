/**
 * How a key's upstream continues a partial answer: DeepSeek's chat prefix completion (`/beta` base URL, a last
 * assistant message with `prefix: true`), or vLLM / SGLang's `continue_final_message: true` with
 * `add_generation_prompt: false`.
 */
export type ContinuationMode = 'deepseek-prefix' | 'continue-final-message';
export const CONTINUATION_MODES: readonly ContinuationMode[] = ['deepseek-prefix', 'continue-final-message'];

/**
 * The default continuation of a base URL: prefix completion on DeepSeek's own API, none elsewhere (a server that
 * ignores the flag would repeat text).
 */
export function defaultContinuation(baseUrl: string): ContinuationMode | false {
  return new URL(baseUrl).hostname === 'api.deepseek.com' ? 'deepseek-prefix' : false;
}
