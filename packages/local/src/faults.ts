/**
 * Fault injection: rules matched by service, operation and application, applied by the front door
 * (throttle, 5xx, latency) or by a service (snapshot outcomes, SQS duplicate delivery).
 */
import { z } from 'zod';

export const FAULT_KINDS = [
  'throttle',
  'server-error',
  'latency',
  'snapshot-fails',
  'snapshot-hangs',
  'duplicate-delivery',
] as const;

export const FaultRuleSchema = z.strictObject({
  kind: z.enum(FAULT_KINDS),
  /** Signing name (`sqs`, `ssm`, `kinesisanalytics`, `dynamodb`, `sns`, `sts`); absent matches any. */
  service: z.string().min(1).optional(),
  /** Operation name (`CreateApplicationSnapshot`); absent matches any. */
  operation: z.string().min(1).optional(),
  /** MSF application name (`ApplicationName` of the request); absent matches any. */
  application: z.string().min(1).optional(),
  /** Probability that a matching call is hit, 0..1. */
  rate: z.number().min(0).max(1).default(1),
  /** Added latency in real milliseconds, for `latency`. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  /** Stop after this many hits; absent means no limit. */
  limit: z.number().int().positive().optional(),
});
export type FaultRuleInput = z.input<typeof FaultRuleSchema>;
export type FaultRule = z.infer<typeof FaultRuleSchema> & { readonly id: string; hits: number };

export interface FaultQuery {
  readonly service: string;
  readonly operation?: string;
  readonly application?: string;
}

/** The fault rules in force; `random` comes from the server's seed so runs are reproducible. */
export class Faults {
  readonly #rules = new Map<string, FaultRule>();
  #nextId = 1;

  constructor(private readonly random: () => number) {}

  add(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = { ...FaultRuleSchema.parse(input), id: `f${this.#nextId++}`, hits: 0 };
    this.#rules.set(rule.id, rule);
    return rule;
  }

  remove(id: string): boolean {
    return this.#rules.delete(id);
  }

  clear(): void {
    this.#rules.clear();
  }

  list(): FaultRule[] {
    return [...this.#rules.values()];
  }

  /** The first rule of `kind` that matches the call and fires this time (counting the hit), if any. */
  fire(kind: FaultRule['kind'], query: FaultQuery): FaultRule | undefined {
    for (const rule of this.#rules.values()) {
      if (rule.kind !== kind) continue;
      if (rule.service !== undefined && rule.service !== query.service) continue;
      if (rule.operation !== undefined && rule.operation !== query.operation) continue;
      if (rule.application !== undefined && rule.application !== query.application) continue;
      if (rule.limit !== undefined && rule.hits >= rule.limit) continue;
      if (rule.rate < 1 && this.random() >= rule.rate) continue;
      rule.hits++;
      return rule;
    }
    return undefined;
  }
}
