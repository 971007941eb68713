import type { TelemetryOptions } from 'nestjs-deepseek-pool';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

/** Takes every batch and drops it: the SDK does all its work (sampling, attributes, batching), the network none. */
class DiscardingExporter implements SpanExporter {
  export(_spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    done({ code: 0 });
  }

  async shutdown(): Promise<void> {}
}

/** A reader nobody collects from: the instruments still aggregate every recording. */
class IdleReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** A recording OpenTelemetry SDK (batch span processor, metric aggregation) for the pool's `telemetry` option. */
export function recordingSdk(): { telemetry: TelemetryOptions; shutdown(): Promise<void> } {
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new DiscardingExporter())],
  });
  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  return {
    telemetry: { tracerProvider, meterProvider },
    shutdown: async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}
