import { describe, expect, it } from '@jest/globals';
import { AbortHandle } from './abort-handle.js';

describe('AbortHandle', () => {
  it('calls each listener once at the abort, with the reason set', () => {
    // Arrange
    const handle = new AbortHandle();
    const reason = new Error('idle timeout');
    const seen: unknown[] = [];
    handle.addEventListener('abort', () => seen.push(['first', handle.aborted, handle.reason]));
    handle.addEventListener('abort', () => seen.push(['second', handle.aborted, handle.reason]));

    // Act
    handle.abort(reason);
    handle.abort(new Error('later'));

    // Assert
    expect(seen).toEqual([
      ['first', true, reason],
      ['second', true, reason],
    ]);
  });

  it('aborts with an AbortError, as AbortController does, the same one each time, when given no reason', () => {
    // Arrange
    const handles = [new AbortHandle(), new AbortHandle()];
    const controller = new AbortController();

    // Act
    for (const handle of handles) handle.abort();
    controller.abort();

    // Assert
    expect(handles[0].reason).toBeInstanceOf(DOMException);
    expect(handles[0].reason).toMatchObject({ name: (controller.signal.reason as DOMException).name });
    expect(handles[1].reason).toBe(handles[0].reason);
  });

  it('does not call a removed listener, nor one added after the abort', () => {
    // Arrange
    const handle = new AbortHandle();
    let calls = 0;
    const listener = (): void => {
      calls++;
    };
    handle.addEventListener('abort', listener);
    handle.removeEventListener('abort', listener);

    // Act
    handle.abort();
    handle.addEventListener('abort', listener);
    handle.abort();

    // Assert
    expect(calls).toBe(0);
  });

  it.each([
    ['before', true],
    ['after', false],
  ])('builds a signal that follows the handle when read %s the abort', (_when, readFirst) => {
    // Arrange
    const handle = new AbortHandle();
    const reason = new Error('total deadline');
    const events: string[] = [];
    const early = readFirst ? handle.signal : undefined;
    early?.addEventListener('abort', () => events.push('abort'));

    // Act
    handle.abort(reason);
    const signal = handle.signal;

    // Assert
    expect([signal.aborted, signal.reason, events]).toEqual([true, reason, readFirst ? ['abort'] : []]);
    expect(early ?? signal).toBe(signal);
  });
});
