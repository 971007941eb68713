import { lighterModels } from './model-fallback.js';

describe('lighterModels', () => {
  it.each<[string, Record<string, string[]>, string, string[]]>([
    ['nothing configured', {}, 'deepseek-v4-pro', []],
    ['another model configured', { 'deepseek-v4-pro': ['deepseek-v4-flash'] }, 'deepseek-v4-flash', []],
    ['the configured list', { pro: ['flash', 'chat'] }, 'pro', ['flash', 'chat']],
    ['a chain followed through', { pro: ['flash'], flash: ['lite'] }, 'pro', ['flash', 'lite']],
    ['depth first, in order', { pro: ['flash', 'chat'], flash: ['lite'] }, 'pro', ['flash', 'lite', 'chat']],
    ['no model twice', { pro: ['flash', 'lite'], flash: ['lite'] }, 'pro', ['flash', 'lite']],
    ['a cycle back to the requested model', { pro: ['flash'], flash: ['pro'] }, 'pro', ['flash']],
    ['not inherited names', {}, 'constructor', []],
  ])('%s', (_why, fallbacks, model, expected) => {
    expect(lighterModels(model, fallbacks)).toEqual(expected);
  });
});
