/**
 * The account's queues (each one's messages are in queue.ts): found by name, URL or ARN, with the
 * counters that make message ids, sequence numbers and receipt tokens unique across the service, and
 * what moves messages between queues (dead-lettering, deliveries from SNS).
 */
import type { SimClock } from '../../common/clock';
import type { ServiceContext } from '../../protocol/service';
import type { RedrivePolicy } from './attributes';
import { sqsErrors } from './errors';
import { type MessageAttributeValue, md5Hex, md5OfAttributes } from './md5';
import type { MessageContent, ReceiveHooks, SqsMessage, SqsQueue } from './queue';

const NO_ATTRIBUTES: Readonly<Record<string, MessageAttributeValue>> = Object.freeze({});
/** SenderId of messages that SNS delivers: a fixed IAM-style id standing for the SNS service. */
const SNS_SENDER_ID = 'AIDAIT2UOQQY3AUEKVGXU';

/** `arn:aws:sqs:<region>:<account>:<name>` of the queue at `queueUrl` (`<scheme>://<host>/<account>/<name>`). */
export function queueArnFromUrl(queueUrl: string, region: string): string {
  const { account, name } = splitQueueUrl(queueUrl);
  return `arn:aws:sqs:${region}:${account ?? ''}:${name}`;
}

/** The URL this server gives the queue with ARN `queueArn` (`baseUrl` as in ServiceContext). */
export function queueUrlFromArn(queueArn: string, baseUrl: string): string {
  const parts = queueArn.split(':');
  return `${baseUrl}/${parts[4] ?? ''}/${parts[5] ?? ''}`;
}

function splitQueueUrl(queueUrl: string): { account: string | undefined; name: string } {
  const parts = queueUrl.split(/[?#]/, 1)[0]?.split('/') ?? [];
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const name = parts.pop() ?? '';
  const account =
    parts.length > 3 || (parts.length > 0 && !queueUrl.includes('://')) ? parts.pop() : undefined;
  return { account, name };
}

/** The account's queues by name. */
export class SqsModel {
  /** Seeded per server, so message and task ids differ between servers but repeat with the seed. */
  readonly idPrefix: string;
  readonly #queues = new Map<string, SqsQueue>();
  #seq = 0;
  #messages = 0;
  #token = 0;
  #closed = false;

  constructor(
    readonly clock: SimClock,
    random: () => number,
  ) {
    this.idPrefix = Math.floor(random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  }

  /** True once the server stops: long polls end at once and no timer starts. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Simulated epoch ms, whole milliseconds. */
  now(): number {
    return Math.floor(this.clock.now());
  }

  /** A number no message or task has had: receipt handles and task ids name it. */
  nextSeq(): number {
    return ++this.#seq;
  }

  /** The queue at `queueUrl` (its path names it; the host may be any), or QueueDoesNotExist. */
  queue(queueUrl: string, ctx: ServiceContext): SqsQueue {
    const { account, name } = splitQueueUrl(queueUrl);
    const queue = account === undefined || account === ctx.accountId ? this.#queues.get(name) : undefined;
    if (queue === undefined) throw sqsErrors.queueDoesNotExist(queueUrl);
    return queue;
  }

  queueByArn(arn: string): SqsQueue | undefined {
    const queue = this.#queues.get(arn.slice(arn.lastIndexOf(':') + 1));
    return queue?.arn === arn ? queue : undefined;
  }

  queueByName(name: string): SqsQueue | undefined {
    return this.#queues.get(name);
  }

  /** The URL of the queue of that name on this server. */
  url(name: string, ctx: ServiceContext): string {
    return `${ctx.baseUrl}/${ctx.accountId}/${name}`;
  }

  /** Queue names in creation order. */
  names(): string[] {
    return [...this.#queues.keys()];
  }

  queues(): IterableIterator<SqsQueue> {
    return this.#queues.values();
  }

  add(queue: SqsQueue): void {
    if (this.#closed) queue.close();
    this.#queues.set(queue.name, queue);
  }

  /** Deletes a queue: its long polls end empty and its messages go. */
  remove(queue: SqsQueue): void {
    queue.close();
    queue.purge();
    this.#queues.delete(queue.name);
  }

  /** Names of the queues whose RedrivePolicy sends dead letters to the queue with ARN `arn`, sorted. */
  deadLetterSources(arn: string): string[] {
    return [...this.#queues.values()]
      .filter((q) => q.redrivePolicy?.deadLetterTargetArn === arn)
      .map((q) => q.name)
      .sort();
  }

  /** A new message's content, with its digests and a fresh id. */
  content(
    body: string,
    attributes: Record<string, MessageAttributeValue>,
    systemAttributes: Record<string, MessageAttributeValue>,
    groupId: string | undefined,
    senderId: string,
    now: number,
  ): MessageContent {
    const md5OfMessageAttributes = md5OfAttributes(attributes);
    const md5OfMessageSystemAttributes = md5OfAttributes(systemAttributes);
    return {
      id: this.#messageId(),
      body,
      md5OfBody: md5Hex(body),
      // Most messages have no attributes: they share one empty object.
      attributes: md5OfMessageAttributes === undefined ? NO_ATTRIBUTES : attributes,
      md5OfAttributes: md5OfMessageAttributes,
      systemAttributes: md5OfMessageSystemAttributes === undefined ? NO_ATTRIBUTES : systemAttributes,
      md5OfSystemAttributes: md5OfMessageSystemAttributes,
      groupId,
      senderId,
      sentAt: now,
      receiveCount: 0,
      firstReceiveAt: undefined,
    };
  }

  /**
   * Delivers a message from another service (SNS) to the queue with ARN `queueArn`, with the queue's
   * delay; throws QueueDoesNotExist if there is none.
   */
  deliver(
    queueArn: string,
    body: string,
    messageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>,
  ): void {
    const queue = this.queueByArn(queueArn);
    if (queue === undefined) throw sqsErrors.queueDoesNotExist(queueArn);
    const attributes: Record<string, MessageAttributeValue> = {};
    for (const [name, value] of Object.entries(messageAttributes ?? {})) {
      attributes[name] = value.DataType.startsWith('Binary')
        ? { DataType: value.DataType, BinaryValue: value.BinaryValue ?? '' }
        : { DataType: value.DataType, StringValue: value.StringValue ?? '' };
    }
    const now = this.now();
    queue.enqueue(
      this.content(body, attributes, {}, undefined, SNS_SENDER_ID, now),
      this.nextSeq(),
      queue.int('DelaySeconds') * 1000,
      now,
    );
  }

  /** What a receive on `queue` needs from the service: tokens, the duplicate-delivery fault, the DLQ. */
  receiveHooks(queue: SqsQueue, ctx: ServiceContext): ReceiveHooks {
    return {
      nextToken: () => ++this.#token,
      duplicate: () =>
        ctx.faults.fire('duplicate-delivery', { service: 'sqs', operation: 'ReceiveMessage' }) !== undefined,
      deadLetter: (msg, policy) => this.#deadLetter(queue, msg, policy),
    };
  }

  /** Ends every long poll with an empty answer and stops the queues' timers. */
  close(): void {
    this.#closed = true;
    for (const queue of this.#queues.values()) queue.close();
  }

  /** Long polls parked on a queue (or on every queue). */
  waiting(queueName?: string): number {
    if (queueName !== undefined) return this.#queues.get(queueName)?.waiting ?? 0;
    let total = 0;
    for (const queue of this.#queues.values()) total += queue.waiting;
    return total;
  }

  /** A UUID-shaped id: a seeded prefix per server and a counter, so ids never repeat. */
  #messageId(): string {
    const n = (++this.#messages).toString(16).padStart(12, '0');
    return `${this.idPrefix}-0000-4000-8000-${n}`;
  }

  /** Moves a message to its queue's DLQ, keeping its id, send time and receive count, as AWS does. */
  #deadLetter(source: SqsQueue, msg: SqsMessage, policy: RedrivePolicy): boolean {
    const dlq = this.queueByArn(policy.deadLetterTargetArn);
    if (dlq === undefined) return false;
    dlq.enqueue({ ...msg, deadLetterSourceArn: source.arn }, this.nextSeq(), 0, this.now(), false);
    queueMicrotask(() => dlq.notify());
    return true;
  }
}
