import { describe, expect, it } from '@jest/globals';
import { type DeepSeekPoolService, PoolEvents } from 'nestjs-deepseek-pool';
import { EVENT_LOG_CAPACITY, PoolEventLog } from './pool-event-log.js';

function eventLog(): { events: PoolEvents; log: PoolEventLog } {
  const events = new PoolEvents();
  return { events, log: new PoolEventLog({ events } as unknown as DeepSeekPoolService) };
}

describe('PoolEventLog', () => {
  it('records pool events in order with sequence numbers and payloads', () => {
    const { events, log } = eventLog();
    events.emit('key.disabled', { keyId: 'a', reason: 'revoked' });
    events.emit('key.cooldown', { scope: 'key:b', untilMs: 5_000, consecutive: 2 });
    events.emit('breaker.open', { keyId: 'c' });
    expect(log.since()).toEqual([
      { seq: 1, atMs: expect.any(Number), type: 'key.disabled', data: { keyId: 'a', reason: 'revoked' } },
      {
        seq: 2,
        atMs: expect.any(Number),
        type: 'key.cooldown',
        data: { scope: 'key:b', untilMs: 5_000, consecutive: 2 },
      },
      { seq: 3, atMs: expect.any(Number), type: 'breaker.open', data: { keyId: 'c' } },
    ]);
    expect(log.since(2).map((event) => event.seq)).toEqual([3]);
    expect(log.since(3)).toEqual([]);
  });

  it('records continued streams', () => {
    const { events, log } = eventLog();
    const record = { keyId: 'b', fromKeyId: 'a', offset: 120, reasoningOffset: 0, reason: 'network' as const };
    events.emit('stream.continued', record);
    expect(log.since()).toEqual([{ seq: 1, atMs: expect.any(Number), type: 'stream.continued', data: record }]);
  });

  it(`keeps the last ${EVENT_LOG_CAPACITY} events`, () => {
    const { events, log } = eventLog();
    for (let attempt = 1; attempt <= EVENT_LOG_CAPACITY + 5; attempt += 1)
      events.emit('retry', { fromKeyId: 'a', attempt, reason: 'http' });
    const kept = log.since();
    expect(kept).toHaveLength(EVENT_LOG_CAPACITY);
    expect(kept[0].seq).toBe(6);
  });

  it('answers everything to a reader whose last sequence number is from before a restart', () => {
    const { events, log } = eventLog();
    events.emit('key.enabled', { keyId: 'a' });
    expect(log.since(99).map((event) => event.seq)).toEqual([1]);
  });
});
