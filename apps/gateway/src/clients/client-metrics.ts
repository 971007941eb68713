import { Gauge, type Registry } from 'prom-client';
import { FoldedCounter } from '../metrics/folded-counter.js';
import type { ClientRecord } from './client-spec.js';
import type { ClientTotals } from './spend-window.js';

/** What happened to a client's request at the gateway's door. */
export type AdmissionOutcome = 'admitted' | 'rate_limited' | 'over_budget' | 'model_not_allowed';

/**
 * Per-client metrics, labelled by client name (never a token): requests by admission outcome, tokens, cost, and at
 * scrape time the remaining budget and the share used of each limit.
 */
export class ClientMetrics {
  private readonly requests: FoldedCounter<'client' | 'outcome'>;
  private readonly tokens: FoldedCounter<'client'>;
  private readonly costUsd: FoldedCounter<'client'>;

  constructor(registry: Registry, clients: () => ClientRecord[], totals: (client: string) => ClientTotals) {
    const registers = [registry];
    this.requests = new FoldedCounter(['client', 'outcome'], {
      name: 'gateway_client_requests_total',
      help: 'Chat requests by client and admission outcome (admitted, rate_limited, over_budget, model_not_allowed)',
      registers,
    });
    this.tokens = new FoldedCounter(['client'], {
      name: 'gateway_client_tokens_total',
      help: 'Tokens used by client (upstream usage; the estimate where none was reported)',
      registers,
    });
    this.costUsd = new FoldedCounter(['client'], {
      name: 'gateway_client_cost_usd_total',
      help: 'Estimated cost in USD by client (price table, cache hits at the cache-hit rate)',
      registers,
    });
    new Gauge({
      name: 'gateway_client_budget_remaining_usd',
      help: 'USD left of a client budget (period: day, month), as this replica last saw the shared counts',
      labelNames: ['client', 'period'],
      registers,
      collect() {
        this.reset();
        for (const client of clients()) {
          const used = totals(client.name);
          if (client.limits.usdPerDay !== undefined)
            this.set({ client: client.name, period: 'day' }, Math.max(0, client.limits.usdPerDay - used.usdPerDay));
          if (client.limits.usdPerMonth !== undefined)
            this.set(
              { client: client.name, period: 'month' },
              Math.max(0, client.limits.usdPerMonth - used.usdPerMonth),
            );
        }
      },
    });
    new Gauge({
      name: 'gateway_client_limit_used_ratio',
      help: 'Share used of each client limit (1: reached), as this replica last saw the shared counts',
      labelNames: ['client', 'limit'],
      registers,
      collect() {
        this.reset();
        for (const client of clients()) {
          const used = totals(client.name);
          for (const [limit, max] of Object.entries(client.limits) as Array<[keyof ClientTotals, number]>)
            this.set({ client: client.name, limit }, used[limit] / max);
        }
      },
    });
  }

  outcome(client: string, outcome: AdmissionOutcome): void {
    this.requests.add([client, outcome]);
  }

  usage(client: string, tokens: number, usd: number): void {
    this.tokens.add([client], tokens);
    this.costUsd.add([client], usd);
  }
}
