import type { PoolMetricsRecorder } from './metrics-recorder.js';

/** The label of every model the pool does not know: a client cannot mint label values. */
export const OTHER_MODEL = 'other';
/**
 * Models remembered at most (configured ones first): a label set stays bounded even if an upstream accepts any name.
 */
export const MAX_KNOWN_MODELS = 256;

/** Models the pool knows: configured on keys, listed by `/models`, or served successfully. */
export class ModelLabels {
  private readonly known = new Set<string>();

  learn(models: Iterable<string>): void {
    for (const model of models) if (this.known.size < MAX_KNOWN_MODELS) this.known.add(model);
  }

  /** `model` when known, else `other`. */
  label(model: string): string {
    return this.known.has(model) ? model : OTHER_MODEL;
  }
}

type RecorderMethod = keyof PoolMetricsRecorder;
type ArgumentsOf<M extends RecorderMethod> = Parameters<Required<PoolMetricsRecorder>[M]>;
/** The positions of the string arguments of a method's argument list. */
type StringPositions<A extends unknown[], Before extends unknown[] = []> = A extends [infer First, ...infer Rest]
  ? (First extends string ? Before['length'] : never) | StringPositions<Rest, [...Before, First]>
  : never;
/**
 * Where a recorder method carries its model: `metric`, the `model` field of its one metric object (the only choice
 * for a method that takes one); a position, that string argument; `none`, nowhere.
 */
type ModelPlace<M extends RecorderMethod> =
  ArgumentsOf<M> extends [{ model: string }] ? 'metric' : StringPositions<ArgumentsOf<M>> | 'none';

/**
 * Every recorder method and where its model is. A method added to PoolMetricsRecorder does not compile until it is
 * listed here; one whose metric object has a `model` can only be `metric`. Nothing else is needed to label it.
 */
const MODEL_PLACES: { [M in RecorderMethod]-?: ModelPlace<M> } = {
  attempt: 'metric',
  request: 'metric',
  retry: 'none',
  usage: 1,
  degraded: 1,
  continuation: 'metric',
  hedge: 'metric',
  hedgeWin: 'metric',
  hedgeSkip: 'metric',
};

function relabel(place: 'metric' | 'none' | number, args: unknown[], models: ModelLabels): unknown[] {
  if (place === 'none') return args;
  if (place === 'metric') {
    const [metric] = args as [{ model: string }];
    return [{ ...metric, model: models.label(metric.model) }];
  }
  return args.map((arg, position) => (position === place ? models.label(arg as string) : arg));
}

/**
 * A recorder in front of the user's: model labels are only models the pool knows, everything else `other`
 * (see MODEL_PLACES); a successful attempt teaches the pool its model. A method the user's recorder lacks is skipped.
 */
export function modelLabelledMetrics(inner: PoolMetricsRecorder, models: ModelLabels): Required<PoolMetricsRecorder> {
  // called only with the arguments of the method's own signature (the returned recorder is typed by it)
  const methods = inner as Partial<Record<RecorderMethod, (...args: unknown[]) => void>>;
  const forward =
    (method: RecorderMethod) =>
    (...args: unknown[]): void => {
      methods[method]?.(...relabel(MODEL_PLACES[method], args, models));
    };
  const labelled = Object.fromEntries(
    Object.keys(MODEL_PLACES).map((method) => [method, forward(method as RecorderMethod)]),
  ) as Record<RecorderMethod, (...args: unknown[]) => void>;
  return {
    ...labelled,
    attempt: (metric) => {
      if (metric.outcome === 'success' && metric.model !== '') models.learn([metric.model]);
      labelled.attempt(metric);
    },
  };
}
