/**
 * One standard queue's messages. Receive is O(batch) amortized: visible messages wait in order of
 * becoming visible, served fairly between tenants as fair queues serve them (fair.ts), delayed and
 * in-flight ones in a min-heap by the simulated time they become visible, and a second heap by send time
 * expires them after the retention period. Nothing runs on a timer except the wake-up of long polls:
 * state is brought up to date from the clock whenever the queue is used (`#tick`). Entries in the FIFOs
 * and heaps are invalidated lazily: each carries the message's generation, which changes whenever the
 * message changes state.
 */
import type { SimClock } from '../../common/clock';
import { defaultQueueAttributes, INTEGER_ATTRIBUTES, type RedrivePolicy } from './attributes';
import { sqsErrors } from './errors';
import { FairReady, type TenantView } from './fair';
import { MinHeap } from './heap';
import type { MessageAttributeValue } from './md5';

export type MessageState = 'delayed' | 'visible' | 'inflight';

/** What a message carries from send to delete, whichever queue it is in. */
export interface MessageContent {
  readonly id: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly md5OfAttributes: string | undefined;
  readonly systemAttributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly md5OfSystemAttributes: string | undefined;
  readonly groupId: string | undefined;
  readonly senderId: string;
  /** Simulated epoch ms of the original send; retention counts from it, in a dead-letter queue too. */
  readonly sentAt: number;
  /** The queue the message was dead-lettered from, for redrive to its source. */
  readonly deadLetterSourceArn?: string;
  readonly receiveCount: number;
  readonly firstReceiveAt: number | undefined;
}

/** A message in a queue. A class with every field set in the constructor: one shape, cheap to create. */
export class SqsMessage implements MessageContent {
  readonly id: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly md5OfAttributes: string | undefined;
  readonly systemAttributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly md5OfSystemAttributes: string | undefined;
  readonly groupId: string | undefined;
  readonly senderId: string;
  readonly sentAt: number;
  readonly deadLetterSourceArn: string | undefined;
  receiveCount: number;
  firstReceiveAt: number | undefined;
  state: MessageState;
  /** Changes with every change of state: FIFO and heap entries of an older generation are stale. */
  gen = 0;
  alive = true;
  /** Token of the latest receive (0: never received); only the latest receipt handle acts on the message. */
  token = 0;
  /** When the latest receive happened: a message stays in flight 12 hours at most. */
  receivedAt = 0;

  constructor(
    content: MessageContent,
    /** Unique across the service: receipt handles name it, so a handle never outlives its message. */
    readonly seq: number,
    state: MessageState,
  ) {
    this.id = content.id;
    this.body = content.body;
    this.md5OfBody = content.md5OfBody;
    this.attributes = content.attributes;
    this.md5OfAttributes = content.md5OfAttributes;
    this.systemAttributes = content.systemAttributes;
    this.md5OfSystemAttributes = content.md5OfSystemAttributes;
    this.groupId = content.groupId;
    this.senderId = content.senderId;
    this.sentAt = content.sentAt;
    this.deadLetterSourceArn = content.deadLetterSourceArn;
    this.receiveCount = content.receiveCount;
    this.firstReceiveAt = content.firstReceiveAt;
    this.state = state;
  }
}

interface Entry {
  readonly at: number;
  readonly msg: SqsMessage;
  readonly gen: number;
}

interface Waiter {
  readonly attempt: () => boolean;
  readonly onTimeout: () => void;
  timer: NodeJS.Timeout | undefined;
}

export interface ReceiveHooks {
  /** Moves a message that has been received maxReceiveCount times to the dead-letter queue; false if none. */
  readonly deadLetter: (msg: SqsMessage, policy: RedrivePolicy) => boolean;
  /** True when this delivery is duplicated (the message stays visible for another consumer). */
  readonly duplicate: () => boolean;
  readonly nextToken: () => number;
}

const MAX_IN_FLIGHT_MS = 12 * 3600 * 1000;

export class SqsQueue {
  readonly #attributes: Map<string, string> = defaultQueueAttributes();
  /** Integer attributes parsed once per change: receive and send read them on every call. */
  readonly #integers = new Map<string, number>();
  readonly tags = new Map<string, string>();
  lastModifiedAt: number;
  lastPurgeAt: number | undefined;
  /** Parsed RedrivePolicy, kept beside its string form. */
  redrivePolicy: RedrivePolicy | undefined;

  readonly #messages = new Map<number, SqsMessage>();
  /** Visible messages in delivery order (fair between tenants). */
  readonly #ready = new FairReady();
  readonly #pending = new MinHeap<Entry>();
  readonly #byAge = new MinHeap<Entry>();
  readonly #counts: Record<MessageState, number> = { delayed: 0, visible: 0, inflight: 0 };
  #waiters: Waiter[] = [];
  #wakeTimer: NodeJS.Timeout | undefined;
  #wakeAt = Number.POSITIVE_INFINITY;
  #closed = false;
  /** True while long polls are being served: their receives must not serve (re-enter) again. */
  #serving = false;

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly createdAt: number,
    private readonly clock: SimClock,
  ) {
    this.lastModifiedAt = createdAt;
  }

  /** Attribute values in their normal form (attributes.ts), as GetQueueAttributes returns them. */
  get attributes(): ReadonlyMap<string, string> {
    return this.#attributes;
  }

  /** Sets a normalized attribute value; '' removes the attribute. */
  setAttribute(name: string, value: string): void {
    if (value === '') this.#attributes.delete(name);
    else this.#attributes.set(name, value);
    this.#integers.delete(name);
  }

  /** The current value of an integer attribute. */
  int(name: keyof typeof INTEGER_ATTRIBUTES): number {
    let value = this.#integers.get(name);
    if (value === undefined) {
      value = Number(this.#attributes.get(name) ?? INTEGER_ATTRIBUTES[name].default);
      this.#integers.set(name, value);
    }
    return value;
  }

  get size(): number {
    return this.#messages.size;
  }

  /** Approximate counts, as GetQueueAttributes reports them. */
  counts(now: number): Readonly<Record<MessageState, number>> {
    this.#tick(now);
    return this.#counts;
  }

  /**
   * Adds a message, visible after `delayMs`. With `notify` false, parked long polls are not served now:
   * a message moved in from another queue's receive must not re-enter that receive.
   */
  enqueue(content: MessageContent, seq: number, delayMs: number, now: number, notify = true): SqsMessage {
    this.#tick(now);
    const msg = new SqsMessage(content, seq, delayMs > 0 ? 'delayed' : 'visible');
    this.#messages.set(seq, msg);
    this.#ready.transition(msg, undefined, msg.state, now);
    this.#counts[msg.state]++;
    this.#byAge.push({ at: msg.sentAt, msg, gen: 0 });
    if (delayMs > 0) this.#pending.push({ at: now + delayMs, msg, gen: msg.gen });
    else this.#pushReady(msg);
    if (notify) this.#afterChange();
    return msg;
  }

  /**
   * Up to `max` visible messages, each made invisible for `visibilityMs` (unless its delivery is
   * duplicated) with a new receive token; messages received maxReceiveCount times go to the DLQ instead.
   */
  receive(max: number, visibilityMs: number, now: number, hooks: ReceiveHooks): SqsMessage[] {
    this.#tick(now);
    this.#ready.refresh(now);
    const out: SqsMessage[] = [];
    const duplicated: SqsMessage[] = [];
    while (out.length < max) {
      const msg = this.#ready.next(now);
      if (msg === undefined) break;
      const policy = this.redrivePolicy;
      if (
        policy !== undefined &&
        msg.receiveCount >= policy.maxReceiveCount &&
        hooks.deadLetter(msg, policy)
      ) {
        this.#remove(msg, now);
        continue;
      }
      msg.receiveCount++;
      msg.firstReceiveAt ??= now;
      msg.token = hooks.nextToken();
      msg.receivedAt = now;
      msg.gen++;
      out.push(msg);
      if (hooks.duplicate()) {
        duplicated.push(msg);
      } else {
        this.#setState(msg, 'inflight', now);
        this.#pending.push({ at: now + visibilityMs, msg, gen: msg.gen });
      }
    }
    for (const msg of duplicated) this.#pushReady(msg);
    this.#afterChange();
    return out;
  }

  /** Deletes the message if `token` is its latest receive; a stale or unknown one changes nothing, as on AWS. */
  delete(seq: number, token: number, now: number): void {
    const msg = this.#messages.get(seq);
    if (msg === undefined || msg.token !== token) return;
    this.#remove(msg, now);
    this.#afterChange();
  }

  /** Makes an in-flight message visible again after `visibilityMs` from now. */
  changeVisibility(seq: number, token: number, visibilityMs: number, now: number, handle: string): void {
    this.#tick(now);
    const msg = this.#messages.get(seq);
    if (msg === undefined || msg.token !== token) {
      throw sqsErrors.invalidValue(
        'ReceiptHandle',
        handle,
        'Message does not exist or is not available for visibility timeout change.',
      );
    }
    if (msg.state !== 'inflight') throw sqsErrors.messageNotInflight();
    if (now + visibilityMs - msg.receivedAt > MAX_IN_FLIGHT_MS) {
      throw sqsErrors.invalidValue(
        'VisibilityTimeout',
        visibilityMs / 1000,
        'Total VisibilityTimeout for the message is beyond the limit [43200 seconds].',
      );
    }
    msg.gen++;
    if (visibilityMs === 0) {
      this.#setState(msg, 'visible', now);
      this.#pushReady(msg);
    } else {
      this.#pending.push({ at: now + visibilityMs, msg, gen: msg.gen });
    }
    this.#afterChange();
  }

  /** Removes up to `max` visible messages (a message move task takes them to another queue). */
  takeVisible(max: number, now: number): SqsMessage[] {
    this.#tick(now);
    const out: SqsMessage[] = [];
    while (out.length < max) {
      const msg = this.#ready.next(now);
      if (msg === undefined) break;
      this.#remove(msg, now);
      out.push(msg);
    }
    return out;
  }

  /** The queue's tenants (MessageGroupIds with messages or recent processing time) as fair queues see them now. */
  tenants(now: number): TenantView[] {
    this.#tick(now);
    return this.#ready.tenants(now);
  }

  purge(): void {
    for (const msg of this.#messages.values()) msg.alive = false;
    this.#messages.clear();
    this.#ready.clear();
    this.#pending.clear();
    this.#byAge.clear();
    this.#counts.delayed = 0;
    this.#counts.visible = 0;
    this.#counts.inflight = 0;
    this.#afterChange();
  }

  /**
   * Parks a long poll: `attempt` is called whenever messages may be visible and returns true once it has
   * received some; `onTimeout` is called after `realWaitMs` if it never did, or when the queue closes.
   * Returns a function that withdraws the poll (its client went away): neither is called after it.
   */
  wait(realWaitMs: number, attempt: () => boolean, onTimeout: () => void): () => void {
    if (this.#closed) {
      onTimeout();
      return () => {};
    }
    const waiter: Waiter = { attempt, onTimeout, timer: undefined };
    const withdraw = () => {
      clearTimeout(waiter.timer);
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
      this.#scheduleWake();
    };
    waiter.timer = setTimeout(() => {
      withdraw();
      onTimeout();
    }, realWaitMs);
    waiter.timer.unref();
    this.#waiters.push(waiter);
    this.#scheduleWake();
    return withdraw;
  }

  /**
   * Makes messages of a receive whose answer was lost visible again at once, unless they were received
   * again since or deleted. Their receive count stays: the receive happened, as on AWS.
   */
  release(messages: readonly SqsMessage[], tokens: readonly number[], now: number): void {
    this.#tick(now);
    messages.forEach((msg, i) => {
      if (!msg.alive || msg.token !== tokens[i] || msg.state !== 'inflight') return;
      msg.gen++;
      this.#setState(msg, 'visible', now);
      this.#pushReady(msg);
    });
    this.#afterChange();
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Ends every long poll (empty answers) and stops the wake-up timer: the queue is deleted or the server stops. */
  close(): void {
    this.#closed = true;
    if (this.#wakeTimer !== undefined) clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.onTimeout();
    }
  }

  /** Serves parked long polls if messages are visible; the service calls it after moving messages in. */
  notify(): void {
    this.#afterChange();
  }

  #tick(now: number): void {
    const retentionMs = this.int('MessageRetentionPeriod') * 1000;
    for (
      let top = this.#byAge.peek();
      top !== undefined && top.at <= now - retentionMs;
      top = this.#byAge.peek()
    ) {
      this.#byAge.pop();
      if (top.msg.alive && this.#messages.get(top.msg.seq) === top.msg)
        this.#remove(top.msg, top.at + retentionMs);
    }
    for (let top = this.#pending.peek(); top !== undefined && top.at <= now; top = this.#pending.peek()) {
      this.#pending.pop();
      const msg = top.msg;
      if (!msg.alive || msg.gen !== top.gen) continue;
      this.#setState(msg, 'visible', top.at);
      this.#pushReady(msg);
    }
  }

  #pushReady(msg: SqsMessage): void {
    this.#ready.push(msg);
  }

  #hasReady(): boolean {
    return this.#ready.maybeNonEmpty;
  }

  /** `now` is when the change happened (a visibility timeout's end may be earlier than the tick noticing it). */
  #setState(msg: SqsMessage, state: MessageState, now: number): void {
    this.#ready.transition(msg, msg.state, state, now);
    this.#counts[msg.state]--;
    msg.state = state;
    this.#counts[state]++;
  }

  #remove(msg: SqsMessage, now: number): void {
    this.#ready.transition(msg, msg.state, undefined, now);
    msg.alive = false;
    msg.gen++;
    this.#counts[msg.state]--;
    this.#messages.delete(msg.seq);
  }

  /** Serves long polls while visible messages last, then re-arms the wake-up for the next message due. */
  #afterChange(): void {
    if (this.#waiters.length === 0 || this.#serving) return;
    if (this.#hasReady()) {
      this.#serving = true;
      try {
        while (this.#waiters.length > 0 && this.#hasReady()) {
          const waiter = this.#waiters[0] as Waiter;
          if (!waiter.attempt()) break;
          clearTimeout(waiter.timer);
          this.#waiters.shift();
        }
      } finally {
        this.#serving = false;
      }
    }
    this.#scheduleWake();
  }

  #scheduleWake(): void {
    let top = this.#pending.peek();
    while (top !== undefined && (!top.msg.alive || top.msg.gen !== top.gen)) {
      this.#pending.pop();
      top = this.#pending.peek();
    }
    const at = this.#waiters.length > 0 && top !== undefined ? top.at : Number.POSITIVE_INFINITY;
    if (at === this.#wakeAt) return;
    if (this.#wakeTimer !== undefined) clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    this.#wakeAt = at;
    if (at === Number.POSITIVE_INFINITY) return;
    // One real millisecond late, so the simulated clock has surely passed `at` when it fires.
    const delay = Math.max(0, Math.ceil(this.clock.toRealMs(at - this.clock.now()))) + 1;
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = undefined;
      this.#wakeAt = Number.POSITIVE_INFINITY;
      this.#tick(this.clock.now());
      this.#afterChange();
      this.#scheduleWake();
    }, delay);
    this.#wakeTimer.unref();
  }
}

/** `<queue name>:<message seq>:<receive token>` in base64url: unique per receive, bound to its queue. */
export function encodeReceiptHandle(queueName: string, seq: number, token: number): string {
  return Buffer.from(`${queueName}:${seq}:${token}`, 'utf8').toString('base64url');
}

/** The message and receive a receipt handle of `queueName` names; ReceiptHandleIsInvalid otherwise. */
export function decodeReceiptHandle(handle: string, queueName: string): { seq: number; token: number } {
  if (/^[A-Za-z0-9_-]{1,1024}$/.test(handle)) {
    const parts = Buffer.from(handle, 'base64url').toString('utf8').split(':');
    const [name, seq, token] = parts;
    if (parts.length === 3 && name === queueName && /^\d+$/.test(seq ?? '') && /^\d+$/.test(token ?? '')) {
      return { seq: Number(seq), token: Number(token) };
    }
  }
  throw sqsErrors.receiptHandleIsInvalid(handle);
}
