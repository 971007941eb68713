import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { stopOtel } from './otel-sdk.js';

/** Flushes the spans and metrics still buffered when the gateway shuts down. */
@Injectable()
export class OtelShutdown implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return stopOtel();
  }
}
