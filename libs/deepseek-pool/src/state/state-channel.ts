import type { Redis } from 'ioredis';
import type { ViewChange } from './pool-state-store.js';
import { decodeChange } from './state-messages.js';

export interface ChannelHandlers {
  /** A change another replica published (malformed messages and this replica's own are dropped). */
  onChange: (change: ViewChange) => void;
  /** The subscriber (re)connected: messages may have been missed meanwhile. */
  onReady: () => void;
}

/** Subscribes to the store's channel; the subscriber reconnects and resubscribes by itself, errors are its own. */
export function listenForChanges(
  subscriber: Redis,
  channel: string,
  replicaId: string,
  handlers: ChannelHandlers,
): void {
  subscriber.on('error', () => undefined);
  subscriber.on('message', (_channel: string, message: string) => {
    const change = decodeChange(message, replicaId);
    if (change) handlers.onChange(change);
  });
  subscriber.on('ready', handlers.onReady);
  subscriber.subscribe(channel).catch(() => undefined);
}
