import type {
  Attributes,
  Histogram,
  Meter,
  ObservableCallback,
  ObservableGauge,
  ObservableResult,
} from '@opentelemetry/api';
import type { Usage } from '../chat.types.js';
import type { PoolSnapshot } from '../pool-snapshot.js';
import { ATTR } from './gen-ai-attributes.js';

/** Bucket boundaries the GenAI conventions give for durations (s) and token counts. */
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/**
 * The pool's OpenTelemetry instruments: the GenAI client histograms, recorded once per call, and the pool's gauges,
 * read from `snapshot()` at collection time only (nothing in the request path).
 */
export class PoolInstruments {
  private readonly duration: Histogram;
  private readonly tokens: Histogram;
  private readonly firstChunk: Histogram;
  private readonly gauges: Array<[ObservableGauge, ObservableCallback]>;

  constructor(
    meter: Meter,
    private readonly snapshot: () => PoolSnapshot,
  ) {
    this.duration = meter.createHistogram('gen_ai.client.operation.duration', {
      unit: 's',
      description: 'GenAI operation duration.',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.tokens = meter.createHistogram('gen_ai.client.token.usage', {
      unit: '{token}',
      description: 'Number of input and output tokens used.',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    });
    this.firstChunk = meter.createHistogram('gen_ai.client.operation.time_to_first_chunk', {
      unit: 's',
      description: 'Time to receive the first content chunk of a streamed call.',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.gauges = [
      [
        meter.createObservableGauge('deepseek_pool.keys', {
          unit: '{key}',
          description: 'Keys of the pool by routing state.',
        }),
        (result) => this.observeKeys(result),
      ],
      [
        meter.createObservableGauge('deepseek_pool.account.in_flight', {
          unit: '{request}',
          description: 'Requests in flight on the keys of each account.',
        }),
        (result) => this.observeAccounts(result),
      ],
    ];
    for (const [gauge, callback] of this.gauges) gauge.addCallback(callback);
  }

  /** One finished call: its duration, time to first chunk (streams) and token usage. */
  call(attributes: Attributes, durationS: number, firstChunkS: number | undefined, usage: Usage | undefined): void {
    this.duration.record(durationS, attributes);
    if (firstChunkS !== undefined) this.firstChunk.record(firstChunkS, attributes);
    if (usage === undefined || attributes[ATTR.errorType] !== undefined) return;
    this.tokens.record(usage.prompt_tokens, { ...attributes, [ATTR.tokenType]: 'input' });
    this.tokens.record(usage.completion_tokens, { ...attributes, [ATTR.tokenType]: 'output' });
  }

  /** Stops the gauges' callbacks (the pool is shutting down). */
  close(): void {
    for (const [gauge, callback] of this.gauges) gauge.removeCallback(callback);
  }

  private observeKeys(result: ObservableResult): void {
    const counts = new Map<string, number>();
    for (const key of this.snapshot().keys) counts.set(key.state, (counts.get(key.state) ?? 0) + 1);
    for (const [state, count] of counts) result.observe(count, { [ATTR.keyState]: state });
  }

  private observeAccounts(result: ObservableResult): void {
    const inFlight = new Map<string, number>();
    for (const key of this.snapshot().keys) inFlight.set(key.account, (inFlight.get(key.account) ?? 0) + key.inFlight);
    for (const [account, count] of inFlight) result.observe(count, { [ATTR.account]: account });
  }
}
