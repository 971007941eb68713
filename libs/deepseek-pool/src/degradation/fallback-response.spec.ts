import {
  DEFAULT_FALLBACK_MESSAGE,
  FALLBACK_FINGERPRINT,
  fallbackCompletion,
  fallbackErrorBody,
} from './fallback-response.js';
import { isCompleteAnswer } from './response-cache.js';

describe('fallback bodies', () => {
  it('as a message: a well-formed completion of the requested model, marked by its fingerprint, no tokens', () => {
    const body = fallbackCompletion(
      { model: 'deepseek-v4-pro', messages: [{ role: 'user', content: 'hi' }] },
      DEFAULT_FALLBACK_MESSAGE,
      1_700_000_000_500,
    );
    expect(body).toMatchObject({
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'deepseek-v4-pro',
      system_fingerprint: FALLBACK_FINGERPRINT,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'System busy, please retry shortly' },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
    expect(body.id).toMatch(/^fallback-/);
    expect(isCompleteAnswer(body)).toBe(true);
  });

  it('as an error: the OpenAI error envelope', () => {
    expect(fallbackErrorBody('Busy')).toEqual({
      error: { message: 'Busy', type: 'service_unavailable', param: null, code: 'service_unavailable' },
    });
  });
});
