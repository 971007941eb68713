/**
 * Reads an SSE body to its end and returns the time (from `now`) at which the first `data:` event with a
 * non-empty `choices[0].delta.content` arrived. Throws if there was none.
 */
export async function firstContentOfSse(body: AsyncIterable<Uint8Array>, now: () => bigint): Promise<bigint> {
  const decoder = new TextDecoder();
  let pending = '';
  let first: bigint | undefined;
  for await (const bytes of body) {
    if (first !== undefined) continue;
    pending += decoder.decode(bytes, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    if (lines.some(isContentLine)) first = now();
  }
  if (first === undefined) throw new Error('the stream had no content');
  return first;
}

function isContentLine(line: string): boolean {
  if (!line.startsWith('data:')) return false;
  const data = line.slice(5).trim();
  if (data === '[DONE]') return false;
  const content = (JSON.parse(data) as { choices?: Array<{ delta?: { content?: unknown } }> }).choices?.[0]?.delta
    ?.content;
  return typeof content === 'string' && content.length > 0;
}
