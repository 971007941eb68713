import type { ChatCompletionChunk, Usage } from '../chat.types.js';
import { carriesContent, type UpstreamChunk } from './chunk-content.js';
import type { Received } from './continuation-plan.js';

/** The fields that name a stream: every spliced chunk carries the first call's. */
interface Identity {
  id: string;
  model: string;
  created?: unknown;
  system_fingerprint?: unknown;
}

/**
 * Splices the calls of one stream into what the caller sees as one: records what the caller received (complete
 * chunks only), gives continuation chunks the first call's `id`, `model`, `created` and `system_fingerprint`, drops
 * their opening role delta, and adds the cost of the broken calls to the usage of the final chunk.
 */
export class StreamSplice {
  readonly received: Received = { content: '', reasoning: '', toolCalls: false, finished: false };
  private identity: Identity | undefined;
  private continuing = false;
  private brokenUsage: Usage | undefined;

  /** A chunk on its way to the caller, as the caller must see it; undefined when it must not reach the caller. */
  pass(chunk: ChatCompletionChunk): ChatCompletionChunk | undefined {
    this.identity ??= identityOf(chunk);
    let out = chunk;
    if (this.continuing) {
      if (!carriesContent(chunk) && !chunk.usage) return undefined;
      out = { ...chunk, ...this.identity };
    }
    if (out.usage && this.brokenUsage) out = { ...out, usage: sumUsage(out.usage, this.brokenUsage) };
    this.observe(out);
    return out;
  }

  /** The current call broke: what follows comes from a continuation; `usage` is the broken call's cost. */
  broke(usage: Usage): void {
    this.continuing = true;
    this.brokenUsage = this.brokenUsage ? sumUsage(this.brokenUsage, usage) : usage;
  }

  private observe(chunk: UpstreamChunk): void {
    const received = this.received;
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta ?? {};
      if (typeof delta.content === 'string') received.content += delta.content;
      if (typeof delta.reasoning_content === 'string') received.reasoning += delta.reasoning_content;
      if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) received.toolCalls = true;
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) received.finished = true;
    }
  }
}

function identityOf(chunk: ChatCompletionChunk): Identity {
  const identity: Identity = { id: chunk.id, model: chunk.model };
  if (chunk.created !== undefined) identity.created = chunk.created;
  if (chunk.system_fingerprint !== undefined) identity.system_fingerprint = chunk.system_fingerprint;
  return identity;
}

/**
 * `reported` with every number of `extra` added (nested counts too); the upstream's shape wins: fields it lacks are not
 * added.
 */
export function sumUsage(reported: Usage, extra: Usage): Usage {
  return sumCounts(reported, extra) as Usage;
}

function sumCounts(reported: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const sum: Record<string, unknown> = { ...reported };
  for (const [field, value] of Object.entries(reported)) {
    const more = extra[field];
    if (typeof value === 'number' && typeof more === 'number') sum[field] = value + more;
    else if (isRecord(value) && isRecord(more)) sum[field] = sumCounts(value, more);
  }
  return sum;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
