import { Buffer } from 'node:buffer';
import type { Readable } from 'node:stream';
import type { HttpService } from '@nestjs/axios';
import { joinUrl } from './transport/base-url.js';
import { StreamBody } from './transport/chunked-body.js';
import { firstHeaderValues } from './transport/response-headers.js';
import type { Transport, TransportRequest, TransportResponse } from './transport/transport.js';
import { toTransportError } from './transport/transport-errors.js';

/**
 * A transport over the app's `HttpService` (@nestjs/axios), for apps that configure agents, proxies or
 * interceptors through `HttpModule`. Every status resolves as a response; failures reject with a code.
 */
export class HttpServiceTransport implements Transport {
  constructor(private readonly http: HttpService) {}

  /**
   * One HTTP exchange through `HttpService`; rejects with a transport error (a code, no secret) when no response
   * arrives.
   */
  async request(request: TransportRequest): Promise<TransportResponse> {
    try {
      const response = await this.http.axiosRef.request<Readable>({
        url: joinUrl(request.baseUrl, request.path),
        method: request.method,
        headers: request.headers,
        // A Buffer passes axios' request transforms untouched (a JSON string would be parsed to be checked).
        data: request.body === undefined ? undefined : Buffer.from(request.body, 'utf8'),
        responseType: 'stream',
        signal: request.signal,
        // The pool enforces its own deadlines through the signal; an HttpModule `timeout` must not cut streams.
        timeout: 0,
        validateStatus: () => true,
        decompress: true,
        maxRedirects: 0,
      });
      return {
        status: response.status,
        headers: firstHeaderValues(response.headers),
        body: new StreamBody(response.data, request.signal),
      };
    } catch (error) {
      throw toTransportError(error, request.signal);
    }
  }

  /** Nothing to close: the HttpModule owns its agents. */
  async close(): Promise<void> {}
}
