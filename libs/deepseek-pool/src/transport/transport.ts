/**
 * The only seam between the pool and the network. One call = one HTTP exchange with one upstream,
 * no retries (the pool does the retrying). Implementations: UndiciTransport (default), HttpServiceTransport.
 */
export interface TransportRequest {
  /** Origin plus base path, e.g. https://api.deepseek.com or http://127.0.0.1:8080/v1 (no trailing slash). */
  baseUrl: string;
  /** Path below baseUrl, starting with '/', e.g. '/chat/completions'. */
  path: string;
  /** HTTP method. */
  method: 'GET' | 'POST';
  /** Shared between calls of a key (built once): read it, never change it. */
  headers: Readonly<Record<string, string>>;
  /** JSON body, for POST. */
  body?: string;
  /** Aborting it must end the exchange at once and release the socket. */
  signal: AbortSignal;
}

/** An upstream answer: status, headers, and the body as bytes. */
export interface TransportResponse {
  /** HTTP status. */
  status: number;
  /** Response headers by lower-case name. */
  headers: Record<string, string | undefined>;
  /** The raw body bytes; consumers must either read it to the end or abort the signal. */
  body: AsyncIterable<Uint8Array>;
}

/** How the pool sends HTTP: UndiciTransport by default, HttpServiceTransport (`/axios`), or your own. */
export interface Transport {
  /**
   * Every status resolves as a response. A network failure rejects (here or while the body is read) with an error
   * carrying a string `code` (ECONNRESET, ...): an error without a code is taken for a failure of this process,
   * handed back to the caller and never held against the key.
   */
  request(request: TransportRequest): Promise<TransportResponse>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}
