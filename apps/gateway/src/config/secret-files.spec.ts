import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_SECRET_FILE_BYTES, withSecretFiles } from './secret-files.js';

describe('withSecretFiles (X_FILE, as Docker and Kubernetes mount secrets)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-secrets-'));
  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('reads each X_FILE into X, dropping the trailing newline, and leaves other variables alone', () => {
    const env = withSecretFiles({
      DEEPSEEK_API_KEYS_FILE: file('keys', 'sk-a1234567890,sk-b1234567890\n'),
      GATEWAY_TOKENS_FILE: file('tokens', 't1,t2\r\n'),
      PORT: '8080',
    });
    expect(env).toMatchObject({
      DEEPSEEK_API_KEYS: 'sk-a1234567890,sk-b1234567890',
      GATEWAY_TOKENS: 't1,t2',
      PORT: '8080',
    });
  });

  it('covers the keys, every token and REDIS_URL (it may hold a password)', () => {
    const names = ['GATEWAY_ADMIN_TOKEN', 'GATEWAY_METRICS_TOKEN', 'REDIS_URL'];
    const env = withSecretFiles(Object.fromEntries(names.map((name) => [`${name}_FILE`, file(name, `${name}-value`)])));
    for (const name of names) expect(env[name]).toBe(`${name}-value`);
  });

  it.each([
    [
      'both set',
      { GATEWAY_TOKENS: 't', GATEWAY_TOKENS_FILE: '/run/secrets/t' },
      'Invalid gateway configuration "GATEWAY_TOKENS_FILE": set either GATEWAY_TOKENS or GATEWAY_TOKENS_FILE, not both',
    ],
    [
      'a missing file',
      { GATEWAY_TOKENS_FILE: '/nonexistent/tokens' },
      'Invalid gateway configuration "GATEWAY_TOKENS_FILE": cannot read /nonexistent/tokens: ENOENT',
    ],
  ])('fails at start naming the variable: %s', (_case, env, message) => {
    expect(() => withSecretFiles(env)).toThrow(message);
  });

  it('refuses a file over the size cap without printing its content', () => {
    const path = file('huge', `sk-secret${'x'.repeat(MAX_SECRET_FILE_BYTES)}`);
    expect(() => withSecretFiles({ DEEPSEEK_API_KEYS_FILE: path })).toThrow(
      `cannot read ${path}: larger than ${MAX_SECRET_FILE_BYTES} bytes`,
    );
    expect(() => withSecretFiles({ DEEPSEEK_API_KEYS_FILE: path })).not.toThrow(/sk-secret/);
  });
});
