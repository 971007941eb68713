import { jest } from '@jest/globals';
import { ChunkChannel } from './chunk-channel.js';

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('ChunkChannel', () => {
  it('delivers items in order, then ends', async () => {
    const channel = new ChunkChannel<number>(4, () => undefined);
    await channel.push(1);
    await channel.push(2);
    channel.close();
    const seen: number[] = [];
    for await (const item of channel) seen.push(item);
    expect(seen).toEqual([1, 2]);
  });

  it('makes the producer wait while highWaterMark items are unread (back-pressure)', async () => {
    const channel = new ChunkChannel<number>(2, () => undefined);
    await channel.push(1);
    let secondAccepted = false;
    const second = channel.push(2).then(() => (secondAccepted = true));
    await flush();
    expect(secondAccepted).toBe(false);
    await channel.next();
    await second;
    expect(secondAccepted).toBe(true);
  });

  it('hands the queued items over before the producer failure', async () => {
    const channel = new ChunkChannel<number>(4, () => undefined);
    await channel.push(1);
    channel.fail(new Error('cut'));
    await expect(channel.next()).resolves.toEqual({ value: 1, done: false });
    await expect(channel.next()).rejects.toThrow('cut');
  });

  it('cancels the producer when the consumer stops early, and releases a waiting push with false', async () => {
    const onCancel = jest.fn();
    const channel = new ChunkChannel<number>(1, onCancel);
    const blocked = channel.push(1);
    await channel.return();
    await expect(blocked).resolves.toBe(false);
    await expect(channel.push(2)).resolves.toBe(false);
    expect(onCancel).toHaveBeenCalledTimes(1);
    channel.fail(new Error('late failure after cancel'));
    await expect(channel.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('wakes a waiting consumer when an item arrives', async () => {
    const channel = new ChunkChannel<string>(4, () => undefined);
    const next = channel.next();
    await channel.push('a');
    await expect(next).resolves.toEqual({ value: 'a', done: false });
  });

  it('tells its pacing when the producer starts and stops waiting for the reader', async () => {
    const seen: string[] = [];
    const channel = new ChunkChannel<number>(2, () => undefined, {
      blocked: () => seen.push('blocked'),
      unblocked: () => seen.push('unblocked'),
    });
    await channel.push(1);
    const second = channel.push(2);
    await flush();
    expect(seen).toEqual(['blocked']);
    await channel.next();
    await second;
    expect(seen).toEqual(['blocked', 'unblocked']);
  });

  it('abandon releases the waiting producer with false and hands the error to the next read, not the queued items', async () => {
    const onCancel = jest.fn();
    const channel = new ChunkChannel<number>(1, onCancel);
    const blocked = channel.push(1);
    channel.abandon(new Error('stalled'));
    await expect(blocked).resolves.toBe(false);
    await expect(channel.next()).rejects.toThrow('stalled');
    await expect(channel.return()).resolves.toEqual({ value: undefined, done: true });
    expect(onCancel).not.toHaveBeenCalled();
  });
});
