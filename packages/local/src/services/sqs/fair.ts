/**
 * A standard queue's visible messages in delivery order, as Amazon SQS fair queues order them ("How
 * Amazon SQS fair queues work", SQS Developer Guide). Tenants are named by MessageGroupId; a message
 * without one is a tenant of its own. A tenant turns noisy when
 *
 * - concurrency share: it holds more than 10 % of the queue's in-flight messages and at least 30 of
 *   its own are in flight (counted exactly, when a receive starts, whenever a message goes in flight,
 *   and when the state is read); or
 * - processing-time share: more than 10 % of the queue's recent consumer processing time is its. Here
 *   processing time is time in flight (receive until delete, visibility expiry or release), weighted
 *   exponentially with a time constant of 60 simulated seconds, and the rule applies only while the
 *   queue's consumers have averaged at least 30 messages in flight over that time: the guide gives it no
 *   floor, and without one, one of any nine or fewer tenants would always be over 10 %.
 *
 * A noisy tenant stays noisy until its backlog (visible and delayed messages) is drained or it has sent
 * nothing for 5 minutes (simulated); a tenant that sent nothing for 5 minutes is not detected again
 * until it sends. While any quiet message is visible, receives take quiet messages (in the order they
 * became visible, as without fair queues); noisy messages come after, first from the noisy tenant with
 * the fewest messages in flight. A message without a MessageGroupId is never noisy, so it is not
 * tracked: one message is never 30 in flight, and its time in flight is at most 1/30 of a queue's that
 * averages 30 in flight.
 *
 * Cost: with no noisy tenant (every queue without MessageGroupIds) a receive takes the head of one FIFO
 * as before. A noisy tenant's messages leave that FIFO once, for the tenant's own FIFO, when they reach
 * its head; picking a message then looks at the few tenants that were noisy.
 */
import type { MessageState, SqsMessage } from './queue';

/** The thresholds of the developer guide, and this model's choices where it gives none. */
export const FAIR_QUEUES = {
  /** Concurrency share over which a tenant with `minInFlight` in flight is noisy. */
  concurrencyShare: 0.1,
  minInFlight: 30,
  /** Processing-time share over which a tenant is noisy. */
  processingTimeShare: 0.1,
  /** Time constant of the exponential weighting of processing time (simulated ms). */
  processingTimeWindowMs: 60_000,
  /** Messages the queue must have averaged in flight for the processing-time rule to apply. */
  processingTimeMinInFlight: 30,
  /** A noisy tenant that sent nothing for this long (simulated ms) is quiet. */
  quietAfterMs: 5 * 60_000,
  /** How often (simulated ms) tenants with no messages left and no recent processing time are forgotten. */
  sweepEveryMs: 1_000,
} as const;

const TAU = FAIR_QUEUES.processingTimeWindowMs;

/** A visible message's place in a FIFO: `at` is its order of becoming visible (lower is older). */
export interface ReadyEntry {
  readonly at: number;
  readonly msg: SqsMessage;
  readonly gen: number;
}

/** Entries in order; stale ones (the message changed since) are dropped when they reach the head. */
class EntryFifo {
  #items: ReadyEntry[] = [];
  #head = 0;

  push(entry: ReadyEntry): void {
    this.#items.push(entry);
  }

  /** The oldest entry whose message is still visible with the entry's generation. */
  peek(): ReadyEntry | undefined {
    const items = this.#items;
    while (this.#head < items.length) {
      const entry = items[this.#head] as ReadyEntry;
      if (entry.msg.alive && entry.msg.gen === entry.gen && entry.msg.state === 'visible') return entry;
      this.#head++;
    }
    this.clear();
    return undefined;
  }

  /** Drops the head (after `peek` returned it). */
  shift(): void {
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  /** False only if no entry is left (some left may be stale). */
  get maybeNonEmpty(): boolean {
    return this.#head < this.#items.length;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

/** One MessageGroupId's messages in a queue. */
class Tenant {
  inFlight = 0;
  /** Visible and delayed messages: the backlog. */
  waiting = 0;
  noisy = false;
  /** Exponentially weighted time in flight (message-ms) as of `busyAt`; divided by TAU, messages. */
  busy = 0;
  busyAt: number;
  lastSentAt: number;
  /** Visible messages skipped while the tenant was noisy, in order. */
  readonly deferred = new EntryFifo();

  constructor(
    readonly id: string,
    now: number,
  ) {
    this.busyAt = now;
    this.lastSentAt = now;
  }
}

/** Weighted time in flight at `now`, of something with `inFlight` messages in flight since `at`. */
function decayed(busy: number, at: number, inFlight: number, now: number): number {
  if (now <= at) return busy;
  const d = Math.exp((at - now) / TAU);
  return busy * d + inFlight * TAU * (1 - d);
}

/** What a tenant looks like to the fair-queue rules, for tests and the read API. */
export interface TenantView {
  readonly tenant: string;
  readonly inFlight: number;
  readonly waiting: number;
  readonly noisy: boolean;
}

export class FairReady {
  /** Every visible message, in order of becoming visible, until it is taken or a noisy tenant's. */
  readonly #ready = new EntryFifo();
  #order = 0;
  readonly #tenants = new Map<string, Tenant>();
  /** Tenants flagged noisy (some may have gone quiet by time, not yet noticed). */
  readonly #flagged = new Set<Tenant>();
  /** Tenants whose deferred FIFO holds entries. */
  readonly #parked = new Set<Tenant>();
  /** Tenants with at least `minInFlight` messages in flight: the only ones the concurrency rule can flag. */
  readonly #heavy = new Set<Tenant>();
  #inFlight = 0;
  #busy = 0;
  #busyAt = 0;
  #sweptAt = 0;

  /** A message became visible: it is delivered after every message that became visible before it. */
  push(msg: SqsMessage): void {
    this.#ready.push({ at: ++this.#order, msg, gen: msg.gen });
  }

  /** False only if no message is visible; true may still find only stale entries. */
  get maybeNonEmpty(): boolean {
    return this.#ready.maybeNonEmpty || this.#parked.size > 0;
  }

  /** The next visible message to deliver, removed from the order; undefined if none is visible. */
  next(now: number): SqsMessage | undefined {
    if (this.#flagged.size === 0 && this.#parked.size === 0) {
      const entry = this.#ready.peek();
      if (entry !== undefined) this.#ready.shift();
      return entry?.msg;
    }
    // The oldest quiet message: the head of the FIFO once noisy tenants' messages are set aside, or
    // a message set aside earlier by a tenant that is quiet again (older than anything in the FIFO).
    let best = this.#ready.peek();
    while (best !== undefined) {
      const tenant = this.#tenantOf(best.msg);
      if (tenant === undefined || !this.#isNoisy(tenant, now)) break;
      this.#ready.shift();
      tenant.deferred.push(best);
      this.#parked.add(tenant);
      best = this.#ready.peek();
    }
    let from: EntryFifo = this.#ready;
    let noisiest: Tenant | undefined;
    let noisiestHead: ReadyEntry | undefined;
    for (const tenant of this.#parked) {
      const head = tenant.deferred.peek();
      if (head === undefined) {
        this.#parked.delete(tenant);
      } else if (!this.#isNoisy(tenant, now)) {
        if (best === undefined || head.at < best.at) {
          best = head;
          from = tenant.deferred;
        }
      } else if (
        noisiest === undefined ||
        noisiestHead === undefined ||
        tenant.inFlight < noisiest.inFlight ||
        (tenant.inFlight === noisiest.inFlight && head.at < noisiestHead.at)
      ) {
        noisiest = tenant;
        noisiestHead = head;
      }
    }
    if (best === undefined && noisiest !== undefined) {
      best = noisiestHead;
      from = noisiest.deferred;
    }
    if (best !== undefined) from.shift();
    return best?.msg;
  }

  /**
   * Records that `msg` goes from state `from` to `to` at `now` (undefined: not in the queue), before
   * its state changes. A message arriving (`from` undefined) is its tenant sending.
   */
  transition(
    msg: SqsMessage,
    from: MessageState | undefined,
    to: MessageState | undefined,
    now: number,
  ): void {
    const wasInFlight = from === 'inflight';
    const inFlight = to === 'inflight';
    if (wasInFlight !== inFlight) {
      this.#busy = decayed(this.#busy, this.#busyAt, this.#inFlight, now);
      this.#busyAt = Math.max(this.#busyAt, now);
      this.#inFlight += inFlight ? 1 : -1;
    }
    const id = msg.groupId;
    if (id === undefined) return;
    let tenant = this.#tenants.get(id);
    if (tenant === undefined) {
      tenant = new Tenant(id, now);
      this.#tenants.set(id, tenant);
    }
    if (from === undefined) {
      if (now - tenant.lastSentAt >= FAIR_QUEUES.quietAfterMs) this.#unflag(tenant);
      tenant.lastSentAt = Math.max(tenant.lastSentAt, now);
    }
    const wasWaiting = from === 'visible' || from === 'delayed';
    const waiting = to === 'visible' || to === 'delayed';
    if (wasWaiting !== waiting) {
      tenant.waiting += waiting ? 1 : -1;
      if (tenant.waiting === 0) {
        // The backlog is drained: the tenant is quiet, and what it set aside is all stale.
        this.#unflag(tenant);
        tenant.deferred.clear();
        this.#parked.delete(tenant);
      }
    }
    if (wasInFlight !== inFlight) {
      tenant.busy = decayed(tenant.busy, tenant.busyAt, tenant.inFlight, now);
      tenant.busyAt = Math.max(tenant.busyAt, now);
      if (inFlight) {
        if (++tenant.inFlight === FAIR_QUEUES.minInFlight) this.#heavy.add(tenant);
        this.#detect(tenant, now, false);
      } else if (tenant.inFlight-- === FAIR_QUEUES.minInFlight) {
        this.#heavy.delete(tenant);
      }
    }
  }

  /** Runs detection at `now` (a receive is about to pick messages), and forgets idle tenants now and then. */
  refresh(now: number): void {
    for (const tenant of this.#heavy) this.#detect(tenant, now, false);
    if (this.#tenants.size === 0) return;
    const total = decayed(this.#busy, this.#busyAt, this.#inFlight, now);
    const processingTimeApplies = total >= FAIR_QUEUES.processingTimeMinInFlight * TAU;
    const sweep = now - this.#sweptAt >= FAIR_QUEUES.sweepEveryMs;
    if (!processingTimeApplies && !sweep) return;
    if (sweep) this.#sweptAt = now;
    for (const tenant of this.#tenants.values()) {
      if (processingTimeApplies) this.#detect(tenant, now, true, total);
      if (
        sweep &&
        tenant.inFlight === 0 &&
        tenant.waiting === 0 &&
        decayed(tenant.busy, tenant.busyAt, 0, now) < 1
      ) {
        this.#unflag(tenant);
        this.#tenants.delete(tenant.id);
      }
    }
  }

  /** Tenants with messages or recent processing time, after detection at `now`. */
  tenants(now: number): TenantView[] {
    this.refresh(now);
    return [...this.#tenants.values()].map((t) => ({
      tenant: t.id,
      inFlight: t.inFlight,
      waiting: t.waiting,
      noisy: this.#isNoisy(t, now),
    }));
  }

  clear(): void {
    this.#ready.clear();
    this.#tenants.clear();
    this.#flagged.clear();
    this.#parked.clear();
    this.#heavy.clear();
    this.#inFlight = 0;
    this.#busy = 0;
  }

  #tenantOf(msg: SqsMessage): Tenant | undefined {
    return msg.groupId === undefined ? undefined : this.#tenants.get(msg.groupId);
  }

  #isNoisy(tenant: Tenant, now: number): boolean {
    if (!tenant.noisy) return false;
    if (now - tenant.lastSentAt < FAIR_QUEUES.quietAfterMs) return true;
    this.#unflag(tenant);
    return false;
  }

  /**
   * Flags `tenant` if it has a backlog, sent within 5 minutes, and breaks the concurrency rule (or, with
   * `processingTime`, the processing-time rule; `total` is the queue's weighted time in flight at `now`).
   */
  #detect(tenant: Tenant, now: number, processingTime: boolean, total = 0): void {
    if (tenant.noisy || tenant.waiting === 0 || now - tenant.lastSentAt >= FAIR_QUEUES.quietAfterMs) return;
    const concurrency =
      tenant.inFlight >= FAIR_QUEUES.minInFlight &&
      tenant.inFlight > FAIR_QUEUES.concurrencyShare * this.#inFlight;
    const processing =
      processingTime &&
      decayed(tenant.busy, tenant.busyAt, tenant.inFlight, now) > FAIR_QUEUES.processingTimeShare * total;
    if (concurrency || processing) {
      tenant.noisy = true;
      this.#flagged.add(tenant);
    }
  }

  #unflag(tenant: Tenant): void {
    tenant.noisy = false;
    this.#flagged.delete(tenant);
  }
}
