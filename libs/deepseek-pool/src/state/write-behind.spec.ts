import { jest } from '@jest/globals';
import { type PendingOp, WriteBehind } from './write-behind.js';

type Send = (id: string, op: PendingOp) => Promise<void>;

describe('WriteBehind', () => {
  let sent: Array<[string, PendingOp]>;
  let failing: Set<string>;
  let failures: unknown[];
  let queue: WriteBehind;

  beforeEach(() => {
    sent = [];
    failing = new Set();
    failures = [];
    const send: Send = (id, op) => {
      if (failing.has(id)) return Promise.reject(new Error(`${id} failed`));
      sent.push([id, op]);
      return Promise.resolve();
    };
    queue = new WriteBehind(send, (error) => failures.push(error));
  });

  it('sends a write at once while online', async () => {
    queue.push('c:key:a', 'cooldown', true);
    await queue.flush();
    expect(sent).toEqual([['c:key:a', 'cooldown']]);
  });

  it('keeps writes made offline, the latest op per id, and replays them at flush', async () => {
    queue.push('c:key:a', 'cooldown', false);
    queue.push('d:k1', 'state', false);
    queue.push('c:key:a', 'clear-cooldown', false);
    expect(sent).toEqual([]);
    await queue.flush();
    expect(sent).toEqual([
      ['c:key:a', 'clear-cooldown'],
      ['d:k1', 'state'],
    ]);
  });

  it('keeps a write whose send failed, reports the failure, and replays it', async () => {
    failing.add('d:k1');
    queue.push('d:k1', 'state', true);
    await Promise.resolve();
    await Promise.resolve();
    expect(failures).toEqual([new Error('d:k1 failed')]);
    failing.clear();
    await queue.flush();
    expect(sent).toEqual([['d:k1', 'state']]);
  });

  it('a failed flush rejects and keeps what failed for the next one', async () => {
    queue.push('c:key:a', 'cooldown', false);
    queue.push('d:k1', 'state', false);
    failing.add('d:k1');
    await expect(queue.flush()).rejects.toThrow('d:k1 failed');
    failing.clear();
    sent.length = 0;
    await queue.flush();
    expect(sent).toContainEqual(['d:k1', 'state']);
  });

  it('numbers writes: an id written after a sequence is touched, others are not', () => {
    queue.push('c:key:a', 'cooldown', false);
    const before = queue.sequence;
    queue.push('d:k1', 'state', false);
    queue.keep('c:key:b', 'cooldown');
    const untouched = queue.untouchedSince(before);
    expect([untouched('c:key:a'), untouched('d:k1'), untouched('c:key:b')]).toEqual([true, false, true]);
  });

  it('keep() replays without numbering a write', async () => {
    const send = jest.fn<Send>(() => Promise.resolve());
    const kept = new WriteBehind(send, () => undefined);
    kept.keep('d:k1', 'state');
    expect(kept.sequence).toBe(0);
    await kept.flush();
    expect(send).toHaveBeenCalledWith('d:k1', 'state');
  });
});
