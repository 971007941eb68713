import type { ChatCompletionRequest } from '../chat.types.js';
import { sha256 } from './cache-key.js';
import { defaultTenant } from './tenant.js';

const request = (user?: string): ChatCompletionRequest => ({
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  ...(user === undefined ? {} : { user }),
});
const http = (headers: Record<string, string | string[]>) => ({ headers });

describe('defaultTenant', () => {
  it.each([
    ['no identity at all', request(), http({}), undefined],
    ['no HTTP request and no user', request(), undefined, undefined],
    ['empty values', request(''), http({ authorization: '', 'x-tenant-id': '' }), undefined],
    ['the body user', request('u1'), undefined, '["user:u1"]'],
    ['x-tenant-id', request(), http({ 'x-tenant-id': 'acme' }), '["tenant:acme"]'],
    [
      'authorization, hashed',
      request(),
      http({ authorization: 'Bearer sk-secret' }),
      `["authorization:${sha256('Bearer sk-secret')}"]`,
    ],
    [
      'all three combined',
      request('u1'),
      http({ authorization: 'Bearer t', 'x-tenant-id': 'acme' }),
      `["authorization:${sha256('Bearer t')}","tenant:acme","user:u1"]`,
    ],
    ['a repeated header', request(), http({ 'x-tenant-id': ['a', 'b'] }), '["tenant:a,b"]'],
  ])('%s', (_why, chat, httpRequest, expected) => {
    expect(defaultTenant(chat, httpRequest)).toBe(expected);
  });

  it('never keeps the raw authorization header', () => {
    expect(defaultTenant(request(), http({ authorization: 'Bearer sk-very-secret-key' }))).not.toContain(
      'sk-very-secret-key',
    );
  });

  it('lets a client narrow its scope with user, never reach another credential', () => {
    const alice = http({ authorization: 'Bearer alice' });
    const bob = http({ authorization: 'Bearer bob' });
    expect(defaultTenant(request('shared'), alice)).not.toBe(defaultTenant(request('shared'), bob));
    expect(defaultTenant(request('x'), alice)).not.toBe(defaultTenant(request('y'), alice));
  });
});
