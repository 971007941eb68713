import type { MockAdmin } from '../lib/mock-service.js';

/** The mock's chat request counters at one moment (ms on the run's clock). */
export interface Sample {
  atMs: number;
  /** Chat requests received, by key name. */
  byKey: Record<string, number>;
  /** Every chat request received, unauthenticated ones included. */
  total: number;
}

/** Polls `/_mock/stats` every `intervalMs` (one request at a time) to see when each key gets traffic. */
export class StatsSampler {
  readonly samples: Sample[] = [];
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly admin: MockAdmin,
    private readonly now: () => number,
  ) {}

  async sample(): Promise<Sample> {
    const stats = await this.admin.stats();
    const sample = {
      atMs: this.now(),
      byKey: Object.fromEntries(Object.entries(stats.keys).map(([name, key]) => [name, key.requests.chat])),
      total: stats.totalRequests.chat,
    };
    this.samples.push(sample);
    return sample;
  }

  start(intervalMs: number): void {
    this.running = (async () => {
      while (!this.stopping) {
        const started = this.now();
        await this.sample();
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (this.now() - started))));
      }
    })();
  }

  /** Stops polling and takes one last sample. */
  async stop(): Promise<Sample> {
    this.stopping = true;
    await this.running;
    return this.sample();
  }
}
