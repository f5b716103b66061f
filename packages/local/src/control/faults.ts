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
  /**
   * For `throttle`: a rate limit in requests per real second, as a service quota works (SSM's
   * GetParametersByPath allows 40). Calls within it pass; calls beyond it are throttled (at `rate`).
   */
  tps: z.number().positive().max(100_000).optional(),
});
export type FaultRuleInput = z.input<typeof FaultRuleSchema>;
export type FaultRule = z.infer<typeof FaultRuleSchema> & { readonly id: string; hits: number };

/** A token bucket per rate-limited rule: `tps` tokens a second, a second's worth of burst. */
interface Bucket {
  tokens: number;
  at: number;
}

export interface FaultQuery {
  readonly service: string;
  readonly operation?: string;
  readonly application?: string;
}

/** The fault rules in force; `random` comes from the server's seed so runs are reproducible. */
export class Faults {
  readonly #rules = new Map<string, FaultRule>();
  readonly #buckets = new Map<string, Bucket>();
  #nextId = 1;

  constructor(private readonly random: () => number) {}

  add(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = { ...FaultRuleSchema.parse(input), id: `f${this.#nextId++}`, hits: 0 };
    this.#rules.set(rule.id, rule);
    return rule;
  }

  remove(id: string): boolean {
    this.#buckets.delete(id);
    return this.#rules.delete(id);
  }

  clear(): void {
    this.#rules.clear();
    this.#buckets.clear();
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
      if (rule.tps !== undefined && this.#withinRate(rule, rule.tps)) continue;
      if (rule.rate < 1 && this.random() >= rule.rate) continue;
      rule.hits++;
      return rule;
    }
    return undefined;
  }

  /** Takes a token of the rule's bucket: true while the calls stay within `tps`. */
  #withinRate(rule: FaultRule, tps: number): boolean {
    const now = performance.now();
    const bucket = this.#buckets.get(rule.id) ?? { tokens: tps, at: now };
    bucket.tokens = Math.min(tps, bucket.tokens + ((now - bucket.at) / 1000) * tps);
    bucket.at = now;
    this.#buckets.set(rule.id, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
