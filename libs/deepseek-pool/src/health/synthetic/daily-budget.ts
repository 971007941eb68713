import type { Clock } from '../../clock.js';

const DAY_MS = 86_400_000;

/** Per-key allowance of requests and tokens per UTC day; both reset at 00:00 UTC. */
export class DailyBudget {
  private day = -1;
  private readonly used = new Map<string, { requests: number; tokens: number }>();

  constructor(
    private readonly limits: { requests: number; tokens: number },
    private readonly clock: Clock,
  ) {}

  /** Whether `id` may send one more request today (the last one may overshoot the token budget by its own size). */
  allows(id: string): boolean {
    const used = this.usage(id);
    return used.requests < this.limits.requests && used.tokens < this.limits.tokens;
  }

  /** Counts one request of `id` and the tokens it used. */
  spend(id: string, tokens: number): void {
    const used = this.usage(id);
    used.requests += 1;
    used.tokens += tokens;
  }

  forget(id: string): void {
    this.used.delete(id);
  }

  private usage(id: string): { requests: number; tokens: number } {
    const day = Math.floor(this.clock.now() / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.used.clear();
    }
    let used = this.used.get(id);
    if (!used) {
      used = { requests: 0, tokens: 0 };
      this.used.set(id, used);
    }
    return used;
  }
}
