import { type Attributes, SpanKind, context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** A metric reader the test collects from on demand. */
class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** Test fixture: in-memory OpenTelemetry trace and metric pipelines to hand to the pool's `telemetry` option. */
export class TelemetryHarness {
  readonly exporter = new InMemorySpanExporter();
  readonly tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(this.exporter)] });
  private readonly reader = new TestReader();
  readonly meterProvider = new MeterProvider({ readers: [this.reader] });
  private readonly contextManager = new AsyncLocalStorageContextManager();

  /** Registers an async context manager, as the SDK does, so pool calls inside a call see it as their parent. */
  constructor() {
    context.setGlobalContextManager(this.contextManager.enable());
  }

  get spans(): ReadableSpan[] {
    return this.exporter.getFinishedSpans();
  }

  /** The one finished pool call span (kind internal) named `name`; fails when there are none or several. */
  call(name: string): ReadableSpan {
    const found = this.spans.filter((span) => span.name === name && span.kind === SpanKind.INTERNAL);
    if (found.length !== 1)
      throw new Error(`${found.length} call spans named "${name}": ${this.spans.map((span) => span.name).join(', ')}`);
    return found[0];
  }

  childrenOf(parent: ReadableSpan): ReadableSpan[] {
    return this.spans.filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
  }

  async metric(name: string): Promise<MetricData | undefined> {
    const { resourceMetrics } = await this.reader.collect();
    return resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === name);
  }

  /** The data points of metric `name`, with their attributes. */
  async points(name: string): Promise<Array<DataPoint<number | Histogram>>> {
    return ((await this.metric(name))?.dataPoints ?? []) as Array<DataPoint<number | Histogram>>;
  }

  async close(): Promise<void> {
    context.disable();
    await this.tracerProvider.shutdown();
    await this.meterProvider.shutdown();
  }
}

/** Every attribute value of every span and event, as text, for "no secret, no content" scans. */
export function allAttributeText(spans: readonly ReadableSpan[]): string {
  const texts: string[] = [];
  const add = (attributes: Attributes) =>
    texts.push(...Object.entries(attributes).map(([key, value]) => `${key}=${JSON.stringify(value)}`));
  for (const span of spans) {
    texts.push(span.name, span.status.message ?? '');
    add(span.attributes);
    for (const event of span.events) add(event.attributes ?? {});
  }
  return texts.join('\n');
}
