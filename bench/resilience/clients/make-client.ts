import { ATTEMPT_TIMEOUT_MS, MAX_ATTEMPTS, NAIVE_SKIP_MS } from '../settings.js';
import type { SystemSpec } from '../systems.js';
import type { ChatClient, RunKey } from './chat-client.js';
import { NaiveRotator } from './naive-rotator.js';
import { poolClient } from './pool-client.js';
import { portkeyClient } from './portkey-client.js';

export function makeClient(system: SystemSpec, keys: readonly RunKey[], portkeyUrl: string | undefined): ChatClient {
  switch (system.kind) {
    case 'naive':
      return new NaiveRotator(keys, {
        maxAttempts: MAX_ATTEMPTS,
        timeoutMs: ATTEMPT_TIMEOUT_MS,
        skipMs: NAIVE_SKIP_MS,
      });
    case 'pool':
      return poolClient(keys, system.strategy);
    case 'portkey':
      if (!portkeyUrl) throw new Error('no Portkey gateway is running');
      return portkeyClient(portkeyUrl, keys);
  }
}
