import { loadGatewayConfig } from '../config/gateway-config.js';
import { redisUrlPassword, redisUrlProblem } from './redis-url.js';

describe('redisUrlProblem', () => {
  it.each([
    ['redis://redis:6379', undefined],
    ['redis://:s3cret@10.0.0.5:6380/2', undefined],
    ['rediss://user:pw@cache.example.com:6380', undefined],
    ['redis:6379', 'must name a host (e.g. redis://redis:6379)'],
    ['http://redis:6379', 'must use redis:// or rediss:// (got http://)'],
    ['not a url', 'must be a redis:// or rediss:// URL (e.g. redis://redis:6379)'],
    ['redis://', 'must name a host (e.g. redis://redis:6379)'],
  ])('%s -> %s', (url, problem) => {
    expect(redisUrlProblem(url)).toBe(problem);
  });

  it('never echoes the password of a bad URL', () => {
    expect(redisUrlProblem('http://:s3cret@redis:6379')).not.toContain('s3cret');
  });
});

describe('redisUrlPassword (redacted from every text that leaves the gateway)', () => {
  it.each([
    ['redis://:s3cret-pass@redis:6379', 's3cret-pass'],
    ['rediss://user:p%40ss%2Fword@cache:6380', 'p@ss/word'],
    ['redis://redis:6379', undefined],
    [undefined, undefined],
  ])('%s -> %s', (url, password) => {
    expect(redisUrlPassword(url)).toBe(password);
  });
});

describe('REDIS_URL in the gateway configuration', () => {
  it('is read from the environment (unset: state in memory)', () => {
    expect(loadGatewayConfig({ REDIS_URL: 'redis://redis:6379' }).redisUrl).toBe('redis://redis:6379');
    expect(loadGatewayConfig({}).redisUrl).toBeUndefined();
  });

  it('fails at start naming the variable, without the password', () => {
    expect(() => loadGatewayConfig({ REDIS_URL: 'http://:s3cret@redis:6379' })).toThrow(
      'Invalid gateway configuration "REDIS_URL": must use redis:// or rediss:// (got http://)',
    );
  });
});
