import { type IncomingMessage, type Server, createServer } from 'node:http';
import protobuf from 'protobufjs';

/** The part of OTLP's ExportTraceServiceRequest the tests read (field numbers from opentelemetry-proto). */
const TRACE_PROTO = `
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { Scope scope = 1; repeated Span spans = 2; }
message Scope { string name = 1; }
message Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6; repeated KeyValue attributes = 9; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; } }
message ArrayValue { repeated AnyValue values = 1; }
`;
const ExportTraceServiceRequest = protobuf.parse(TRACE_PROTO).root.lookupType('ExportTraceServiceRequest');

/** One received span, whatever the encoding: ids in hex, attributes as plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  scope: string;
  service: unknown;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string | { toNumber(): number };
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}
type OtlpAttributes = Array<{ key: string; value?: OtlpValue }> | undefined;
interface OtlpTraces {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttributes };
    scopeSpans?: Array<{
      scope?: { name?: string };
      spans?: Array<{
        traceId: string | Uint8Array;
        spanId: string | Uint8Array;
        parentSpanId?: string | Uint8Array;
        name: string;
        kind: number;
        attributes?: OtlpAttributes;
      }>;
    }>;
  }>;
}

/**
 * A real OTLP/HTTP receiver on 127.0.0.1 for the e2e tests: accepts `/v1/traces`, `/v1/metrics` and `/v1/logs` in
 * `application/x-protobuf` or `application/json`, and decodes the traces it gets.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Content types seen per path, e.g. `/v1/traces application/json`. */
  readonly posts: string[] = [];
  /** Raw metric exports, as text (metric names are plain ASCII in both encodings). */
  readonly metricBodies: string[] = [];
  private readonly server: Server = createServer((request, response) => {
    this.receive(request).then(
      () =>
        response
          .writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/json' })
          .end(request.headers['content-type']?.includes('json') ? '{}' : ''),
      // an export the receiver cannot read fails the export (and the test that waits for it)
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Waits until `predicate` holds over the spans received (polls; the SDK exports in batches). */
  async waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = 10_000): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.spans)) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out; received: ${JSON.stringify(this.spans.map((span) => span.name))} (${this.posts.join(', ')})`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.spans;
  }

  /** Waits until a metric export mentions `name`. */
  async waitForMetric(name: string, timeoutMs = 10_000): Promise<void> {
    await this.waitFor(() => this.metricBodies.some((body) => body.includes(name)), timeoutMs);
  }

  private async receive(request: IncomingMessage): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const type = request.headers['content-type'] ?? '';
    this.posts.push(`${request.url} ${type}`);
    const json = type.includes('json');
    if (request.url === '/v1/metrics') this.metricBodies.push(body.toString('latin1'));
    if (request.url !== '/v1/traces') return;
    const traces = (
      json
        ? JSON.parse(body.toString('utf8'))
        : ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body))
    ) as OtlpTraces;
    for (const resourceSpans of traces.resourceSpans ?? []) {
      const service = attributesOf(resourceSpans.resource?.attributes)['service.name'];
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          this.spans.push({
            traceId: hex(span.traceId),
            spanId: hex(span.spanId),
            parentSpanId: hex(span.parentSpanId ?? ''),
            name: span.name,
            kind: span.kind,
            scope: scopeSpans.scope?.name ?? '',
            service,
            attributes: attributesOf(span.attributes),
          });
        }
      }
    }
  }
}

function hex(id: string | Uint8Array): string {
  return typeof id === 'string' ? id : Buffer.from(id).toString('hex');
}

function attributesOf(attributes: OtlpAttributes): Record<string, unknown> {
  return Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, valueOf(value)]));
}

function valueOf(value: OtlpValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined)
    return Number(typeof value.intValue === 'object' ? value.intValue.toNumber() : value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return (value.arrayValue?.values ?? []).map(valueOf);
}
