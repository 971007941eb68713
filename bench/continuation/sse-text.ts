/** What a client read of a streamed answer: the content text, and whether the stream ended with `[DONE]`. */
export interface StreamText {
  content: string;
  done: boolean;
}

/**
 * Reads an OpenAI-style SSE body to its end: the `delta.content` of every complete event, joined; an error event
 * throws. A body cut mid-way throws (undici) or ends without `[DONE]` (`done` false): the caller must not take it.
 */
export async function readSseText(body: AsyncIterable<Uint8Array>): Promise<StreamText> {
  const decoder = new TextDecoder();
  let pending = '';
  let content = '';
  let done = false;
  for await (const bytes of body) {
    pending += decoder.decode(bytes, { stream: true });
    const events = pending.split('\n\n');
    pending = events.pop() ?? '';
    for (const event of events) {
      const data = event.startsWith('data:') ? event.slice(5).trim() : undefined;
      if (data === undefined) continue;
      if (data === '[DONE]') {
        done = true;
        continue;
      }
      const chunk = JSON.parse(data) as {
        error?: { message?: string };
        choices?: Array<{ delta?: { content?: unknown } }>;
      };
      if (chunk.error) throw new Error(`error event: ${chunk.error.message ?? 'unknown'}`);
      const piece = chunk.choices?.[0]?.delta?.content;
      if (typeof piece === 'string') content += piece;
    }
  }
  return { content, done };
}
