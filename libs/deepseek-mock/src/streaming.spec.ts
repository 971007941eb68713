import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { composeAnswer } from './completion.js';
import { planStream, splitText } from './streaming.js';

describe('splitText', () => {
  it('splits at word boundaries into at most n pieces that join back to the text', () => {
    expect(splitText('one two three four five', 2)).toEqual(['one two ', 'three four five']);
    expect(splitText('one', 4)).toEqual(['one']);
    expect(splitText('', 4)).toEqual([]);
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 10 }), (text, n) => {
        const pieces = splitText(text, n);
        expect(pieces.join('')).toBe(text);
        expect(pieces.length).toBeLessThanOrEqual(n);
        expect(pieces.every((p) => p.length > 0)).toBe(true);
      }),
    );
  });
});

describe('planStream', () => {
  const request = {
    model: 'deepseek-reasoner',
    messages: [{ role: 'user', text: 'Why?' }],
    stream: true,
    includeUsage: false,
    jsonMode: false,
  };
  const answer = composeAnswer({ request, created: 1, sequence: 1, keyName: 'k', thinking: true, cachedMessages: 0 });

  it('puts the role first, reasoning before content, and usage on the final chunk only', () => {
    const plan = planStream(answer, { pieces: 3, includeUsage: true });
    const deltas = plan.texts.map(
      (c) => (c as { choices: { delta: { content?: string | null; reasoning_content?: string } }[] }).choices[0].delta,
    );
    expect(deltas.map((d) => d.reasoning_content ?? '').join('')).toBe(answer.reasoning);
    expect(deltas.map((d) => d.content ?? '').join('')).toBe(answer.content);
    expect(deltas.findIndex((d) => d.content)).toBe(3);
    expect(plan.role).toMatchObject({
      usage: null,
      choices: [{ delta: { role: 'assistant', content: '' }, finish_reason: null }],
    });
    expect(plan.final).toMatchObject({
      usage: answer.usage,
      choices: [{ delta: { content: '' }, finish_reason: 'stop', logprobs: null }],
    });
  });
});
