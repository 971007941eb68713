import type { ChatMessage } from '../chat.types.js';

/** One message in the GenAI conventions' shape: a role and its parts. */
interface CapturedMessage {
  role: string;
  parts: unknown[];
  finish_reason?: string;
}

/**
 * Opt-in message content for `gen_ai.input.messages` / `gen_ai.output.messages`: JSON in the conventions' shape,
 * redacted of every configured secret first, then cut to `maxChars`.
 */
export class ContentCapture {
  constructor(
    private readonly redact: (text: string) => string,
    private readonly maxChars: number,
  ) {}

  input(messages: readonly ChatMessage[]): string {
    return this.encode(messages.map((message) => ({ role: message.role, parts: partsOf(message) })));
  }

  /** Output messages by choice index, with their finish reasons (an upstream message may lack its role). */
  output(
    messages: ReadonlyArray<Partial<ChatMessage> | undefined>,
    finishReasons: ReadonlyArray<string | undefined>,
  ): string {
    const captured: CapturedMessage[] = [];
    messages.forEach((message, index) => {
      if (message === undefined) return;
      captured.push({
        role: message.role ?? 'assistant',
        parts: partsOf(message),
        ...(finishReasons[index] ? { finish_reason: finishReasons[index] } : {}),
      });
    });
    return this.encode(captured);
  }

  private encode(messages: CapturedMessage[]): string {
    return this.redact(JSON.stringify(messages)).slice(0, this.maxChars);
  }
}

function partsOf(message: Partial<ChatMessage>): unknown[] {
  const parts: unknown[] = [];
  if (typeof message.reasoning_content === 'string' && message.reasoning_content !== '')
    parts.push({ type: 'reasoning', content: message.reasoning_content });
  if (typeof message.content === 'string') parts.push({ type: 'text', content: message.content });
  else if (Array.isArray(message.content)) parts.push(...message.content);
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls as Array<{
      id?: string;
      function?: { name?: string; arguments?: unknown };
    }>) {
      parts.push({ type: 'tool_call', id: call.id, name: call.function?.name, arguments: call.function?.arguments });
    }
  }
  return parts;
}

/** Appends a stream chunk's delta to the message being assembled for its choice (bounded: stops at `maxChars`). */
export function appendDelta(
  messages: Array<ChatMessage | undefined>,
  index: number,
  delta: Partial<ChatMessage>,
  maxChars: number,
): void {
  const message = (messages[index] ??= { role: 'assistant', content: '' });
  if (typeof delta.content === 'string' && typeof message.content === 'string' && message.content.length < maxChars)
    message.content += delta.content;
  if (typeof delta.reasoning_content === 'string') {
    const reasoning = typeof message.reasoning_content === 'string' ? message.reasoning_content : '';
    if (reasoning.length < maxChars) message.reasoning_content = reasoning + delta.reasoning_content;
  }
}
