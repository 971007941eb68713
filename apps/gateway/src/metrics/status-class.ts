import type { AttemptMetric } from 'nestjs-deepseek-pool';

/**
 * How attempts are grouped by HTTP status: 429 apart from other 4xx (it calls for a different response); `none` when no
 * status came back.
 */
export type StatusClass = '429' | 'none' | `${number}xx`;

/** The status class of one upstream attempt (a success without a recorded status is a 2xx). */
export function statusClass(attempt: Pick<AttemptMetric, 'outcome' | 'status'>): StatusClass {
  const { status } = attempt;
  if (status === undefined) return attempt.outcome === 'success' ? '2xx' : 'none';
  if (status === 429) return '429';
  return `${Math.floor(status / 100)}xx`;
}
