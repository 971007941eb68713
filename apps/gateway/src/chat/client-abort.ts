import type { IncomingMessage, ServerResponse } from 'node:http';

/** An AbortSignal that fires when the HTTP client goes away before the response finished. */
export function abortOnClientGone(request: IncomingMessage, response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const onClose = (): void => {
    if (!response.writableFinished) controller.abort();
  };
  response.once('close', onClose);
  request.once('aborted', onClose);
  return controller.signal;
}
