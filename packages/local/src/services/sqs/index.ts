/**
 * Amazon SQS (standard queues) in AWS JSON 1.0 and the query protocol: queues and their attributes,
 * send/receive/delete with visibility timeouts, delays, retention, long polling woken by what makes a
 * message visible, dead-letter queues after maxReceiveCount, and message move tasks back from a DLQ.
 * State lives in memory; time is the simulated clock (delays and timeouts run `timeScale` times faster).
 */
import {
  AwsError,
  type JsonService,
  type QueryResult,
  type QueryService,
  type ServiceContext,
  type ServiceOptions,
} from '../../protocol/service';
import {
  COMPUTED_ATTRIBUTES,
  FIFO_ATTRIBUTES,
  INTEGER_ATTRIBUTES,
  normalizeAttribute,
  parseRedriveAllowPolicy,
  parseRedrivePolicy,
  READABLE_ATTRIBUTES,
  type RedrivePolicy,
} from './attributes';
import { sqsErrors } from './errors';
import {
  type MessageAttributeInput,
  type Protocol,
  parseInput,
  SQS_OPERATIONS,
  type SqsInput,
  type SqsOperation,
} from './inputs';
import { type MessageAttributeValue, md5Hex, md5OfAttributes } from './md5';
import { type MessageContent, type ReceiveHooks, type SqsMessage, SqsQueue } from './model';
import {
  type BatchResultErrorEntry,
  type MoveTaskEntry,
  type ReceivedMessage,
  renderXml,
  type SendMessageResult,
  type SqsOutputs,
} from './outputs';
import { queryToInput } from './query-input';

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

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MESSAGE_GROUP_ID = /^[!-~]{1,128}$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Characters SQS accepts in a body: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. */
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NO_ATTRIBUTES: Readonly<Record<string, MessageAttributeValue>> = Object.freeze({});
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_PAYLOAD_BYTES = 1_048_576;
const MAX_MESSAGE_ATTRIBUTES = 10;
const PURGE_INTERVAL_MS = 60_000;
/** SenderId of messages that SNS delivers: a fixed IAM-style id standing for the SNS service. */
const SNS_SENDER_ID = 'AIDAIT2UOQQY3AUEKVGXU';
const SYSTEM_ATTRIBUTE_NAMES = new Set([
  'All',
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
]);

type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

interface MoveTask {
  readonly id: string;
  readonly handle: string;
  readonly sourceArn: string;
  readonly destinationArn: string | undefined;
  readonly rate: number | undefined;
  readonly startedAt: number;
  readonly toMove: number;
  status: MoveTaskStatus;
  moved: number;
  processed: number;
  failureReason: string | undefined;
  timer: NodeJS.Timeout | undefined;
}

type SendFields = Omit<SqsInput<'SendMessage'>, 'QueueUrl' | 'MessageBody'> & { MessageBody?: string };

type Operations = {
  [O in SqsOperation]: (input: SqsInput<O>, ctx: ServiceContext) => SqsOutputs[O] | Promise<SqsOutputs[O]>;
};

export class SqsService implements JsonService, QueryService {
  readonly signingName = 'sqs';
  readonly targetPrefix = 'AmazonSQS';
  readonly version = '2012-11-05';
  readonly xmlns = 'http://queue.amazonaws.com/doc/2012-11-05/';

  readonly #queues = new Map<string, SqsQueue>();
  readonly #tasks = new Map<string, MoveTask>();
  readonly #tasksBySource = new Map<string, MoveTask[]>();
  readonly #idPrefix: string;
  #seq = 0;
  #messages = 0;
  #token = 0;
  #closed = false;

  constructor(private readonly options: ServiceOptions) {
    this.#idPrefix = Math.floor(options.random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  }

  handle(operation: string, input: Record<string, unknown>, ctx: ServiceContext): Promise<unknown> | unknown {
    if (!SQS_OPERATIONS.has(operation)) {
      throw new AwsError('UnknownOperationException', `Unknown SQS operation ${operation}.`, 400);
    }
    return this.#run(operation as SqsOperation, input, 'json', ctx);
  }

  async handleQuery(
    action: string,
    params: Readonly<Record<string, string>>,
    ctx: ServiceContext,
  ): Promise<QueryResult> {
    if (!SQS_OPERATIONS.has(action)) {
      throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`, 400);
    }
    const operation = action as SqsOperation;
    const output = await this.#run(operation, queryToInput(operation, params), 'query', ctx);
    return { resultXml: renderXml(operation, output) };
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
    const queue = this.#queueByArn(queueArn);
    if (queue === undefined) throw sqsErrors.queueDoesNotExist(queueArn);
    const attributes: Record<string, MessageAttributeValue> = {};
    for (const [name, value] of Object.entries(messageAttributes ?? {})) {
      attributes[name] = value.DataType.startsWith('Binary')
        ? { DataType: value.DataType, BinaryValue: value.BinaryValue ?? '' }
        : { DataType: value.DataType, StringValue: value.StringValue ?? '' };
    }
    const now = this.#now();
    queue.enqueue(
      this.#content(body, attributes, {}, undefined, SNS_SENDER_ID, now),
      ++this.#seq,
      queue.int('DelaySeconds') * 1000,
      now,
    );
  }

  /** Ends every long poll with an empty answer and stops timers, so the server can shut down at once. */
  close(): void {
    this.#closed = true;
    for (const queue of this.#queues.values()) queue.close();
    for (const task of this.#tasks.values()) {
      if (task.timer !== undefined) clearTimeout(task.timer);
      task.timer = undefined;
    }
  }

  /** Queue names, for the control plane and tests. */
  queueNames(): string[] {
    return [...this.#queues.keys()];
  }

  /** Long polls parked on a queue (or on every queue), so tests can act once a receive is waiting. */
  waitingReceives(queueName?: string): number {
    if (queueName !== undefined) return this.#queues.get(queueName)?.waiting ?? 0;
    let total = 0;
    for (const queue of this.#queues.values()) total += queue.waiting;
    return total;
  }

  async #run(operation: SqsOperation, input: unknown, protocol: Protocol, ctx: ServiceContext) {
    const parsed = parseInput(operation, input, protocol);
    const run = this.#operations[operation] as (input: unknown, ctx: ServiceContext) => unknown;
    return (await run(parsed, ctx)) as SqsOutputs[typeof operation];
  }

  readonly #operations: Operations = {
    CreateQueue: (input, ctx) => this.#createQueue(input, ctx),
    GetQueueUrl: (input, ctx) => {
      if (input.QueueOwnerAWSAccountId !== undefined && input.QueueOwnerAWSAccountId !== ctx.accountId) {
        throw sqsErrors.queueDoesNotExist(`${input.QueueOwnerAWSAccountId}/${input.QueueName}`);
      }
      if (!this.#queues.has(input.QueueName)) throw sqsErrors.queueDoesNotExist(input.QueueName);
      return { QueueUrl: this.#url(input.QueueName, ctx) };
    },
    GetQueueAttributes: (input, ctx) => this.#getQueueAttributes(input, ctx),
    SetQueueAttributes: (input, ctx) => {
      const queue = this.#queue(input.QueueUrl, ctx);
      const attributes = this.#normalizeAttributes(input.Attributes, false);
      this.#checkRedrive(queue.arn, attributes, ctx);
      this.#applyAttributes(queue, attributes);
      return {};
    },
    ListQueues: (input, ctx) => this.#listQueues(input, ctx),
    DeleteQueue: (input, ctx) => {
      const queue = this.#queue(input.QueueUrl, ctx);
      queue.close();
      queue.purge();
      this.#queues.delete(queue.name);
      return {};
    },
    PurgeQueue: (input, ctx) => {
      const queue = this.#queue(input.QueueUrl, ctx);
      const now = this.#now();
      if (queue.lastPurgeAt !== undefined && now - queue.lastPurgeAt < PURGE_INTERVAL_MS) {
        throw sqsErrors.purgeQueueInProgress(queue.name);
      }
      queue.lastPurgeAt = now;
      queue.purge();
      return {};
    },
    SendMessage: (input, ctx) => {
      const queue = this.#queue(input.QueueUrl, ctx);
      return this.#send(queue, input, ctx);
    },
    SendMessageBatch: (input, ctx) => this.#sendMessageBatch(input, ctx),
    ReceiveMessage: (input, ctx) => this.#receiveMessage(input, ctx),
    DeleteMessage: (input, ctx) => {
      const queue = this.#queue(input.QueueUrl, ctx);
      const { seq, token } = decodeReceiptHandle(input.ReceiptHandle, queue.name);
      queue.delete(seq, token);
      return {};
    },
    DeleteMessageBatch: (input, ctx) => {
      const queue = this.#queue(input.QueueUrl, ctx);
      checkBatch(input.Entries, 'DeleteMessageBatchRequestEntry');
      return batchResults(input.Entries, (entry) => {
        const { seq, token } = decodeReceiptHandle(entry.ReceiptHandle, queue.name);
        queue.delete(seq, token);
        return { Id: entry.Id };
      });
    },
    ChangeMessageVisibility: (input, ctx) => {
      const queue = this.#queue(input.QueueUrl, ctx);
      this.#changeVisibility(queue, input.ReceiptHandle, input.VisibilityTimeout);
      return {};
    },
    ChangeMessageVisibilityBatch: (input, ctx) => {
      const queue = this.#queue(input.QueueUrl, ctx);
      checkBatch(input.Entries, 'ChangeMessageVisibilityBatchRequestEntry');
      return batchResults(input.Entries, (entry) => {
        if (entry.VisibilityTimeout === undefined) throw sqsErrors.missingParameter('VisibilityTimeout');
        this.#changeVisibility(queue, entry.ReceiptHandle, entry.VisibilityTimeout);
        return { Id: entry.Id };
      });
    },
    StartMessageMoveTask: (input) => this.#startMessageMoveTask(input),
    ListMessageMoveTasks: (input) => {
      const source = this.#queueByArn(input.SourceArn);
      if (source === undefined)
        throw sqsErrors.resourceNotFound(`The source queue ${input.SourceArn} does not exist.`);
      const max = input.MaxResults ?? 1;
      if (!(max >= 1 && max <= 10))
        throw sqsErrors.invalidValue('MaxResults', max, 'Must be between 1 and 10.');
      const tasks = this.#tasksBySource.get(input.SourceArn) ?? [];
      return { Results: tasks.slice(-max).reverse().map(taskEntry) };
    },
    CancelMessageMoveTask: (input) => {
      const task = this.#taskByHandle(input.TaskHandle);
      if (task.status !== 'RUNNING') {
        throw sqsErrors.resourceNotFound(
          `The task ${input.TaskHandle} is not running: it is ${task.status}.`,
        );
      }
      if (task.timer !== undefined) clearTimeout(task.timer);
      task.timer = undefined;
      task.status = 'CANCELLED';
      return { ApproximateNumberOfMessagesMoved: task.moved };
    },
    TagQueue: (input, ctx) => {
      const queue = this.#queue(input.QueueUrl, ctx);
      for (const [key, value] of Object.entries(input.Tags)) queue.tags.set(key, value);
      return {};
    },
    UntagQueue: (input, ctx) => {
      const queue = this.#queue(input.QueueUrl, ctx);
      for (const key of input.TagKeys) queue.tags.delete(key);
      return {};
    },
    ListQueueTags: (input, ctx) => {
      const queue = this.#queue(input.QueueUrl, ctx);
      return queue.tags.size === 0 ? {} : { Tags: Object.fromEntries(queue.tags) };
    },
    ListDeadLetterSourceQueues: (input, ctx) => {
      const queue = this.#queue(input.QueueUrl, ctx);
      const names = [...this.#queues.values()]
        .filter((q) => q.redrivePolicy?.deadLetterTargetArn === queue.arn)
        .map((q) => q.name)
        .sort();
      const page = paginate(names, input.MaxResults, input.NextToken);
      return {
        queueUrls: page.items.map((name) => this.#url(name, ctx)),
        ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
      };
    },
  };

  #createQueue(input: SqsInput<'CreateQueue'>, ctx: ServiceContext): SqsOutputs['CreateQueue'] {
    const name = input.QueueName;
    if (name.endsWith('.fifo')) {
      throw sqsErrors.invalidParameterValue(
        `FIFO queues are not supported by the local AWS: queue name ${JSON.stringify(name)}; use a standard queue (a name without .fifo).`,
      );
    }
    if (!QUEUE_NAME.test(name)) {
      throw sqsErrors.invalidParameterValue(
        `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length; got ${JSON.stringify(name)}.`,
      );
    }
    const attributes = this.#normalizeAttributes(input.Attributes ?? {}, true);
    const arn = `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name}`;
    const existing = this.#queues.get(name);
    if (existing !== undefined) {
      for (const [key, value] of attributes) {
        const current = existing.attributes.get(key) ?? '';
        if (current !== value) throw sqsErrors.queueNameExists(name, key, current || undefined, value);
      }
      return { QueueUrl: this.#url(name, ctx) };
    }
    this.#checkRedrive(arn, attributes, ctx);
    const createdAt = this.#now();
    const queue = new SqsQueue(name, arn, createdAt, this.options.clock);
    this.#applyAttributes(queue, attributes, createdAt);
    for (const [key, value] of Object.entries(input.tags ?? {})) queue.tags.set(key, value);
    if (this.#closed) queue.close();
    this.#queues.set(name, queue);
    return { QueueUrl: this.#url(name, ctx) };
  }

  #normalizeAttributes(attributes: Record<string, string>, creating: boolean): Map<string, string> {
    const out = new Map<string, string>();
    for (const [name, value] of Object.entries(attributes)) {
      if (name === 'FifoQueue' && creating) {
        if (value === 'true') {
          throw sqsErrors.invalidParameterValue(
            'FIFO queues are not supported by the local AWS: attribute FifoQueue=true; create a standard queue.',
          );
        }
        continue;
      }
      out.set(name, normalizeAttribute(name, value));
    }
    return out;
  }

  /** A queue may only name an existing, different queue of this account as its DLQ, if that queue allows it. */
  #checkRedrive(sourceArn: string, attributes: Map<string, string>, ctx: ServiceContext): void {
    const policyText = attributes.get('RedrivePolicy');
    if (policyText === undefined || policyText === '') return;
    const policy = parseRedrivePolicy(policyText);
    const target = policy.deadLetterTargetArn;
    if (target === sourceArn) {
      throw sqsErrors.invalidValue(
        'RedrivePolicy',
        policyText,
        'A queue cannot be its own dead-letter queue.',
      );
    }
    const dlq = this.#queueByArn(target);
    if (dlq === undefined || !target.startsWith(`arn:aws:sqs:${ctx.region}:${ctx.accountId}:`)) {
      throw sqsErrors.invalidValue(
        'RedrivePolicy',
        policyText,
        `Dead letter target ${target} does not exist.`,
      );
    }
    const allowText = dlq.attributes.get('RedriveAllowPolicy');
    if (allowText === undefined || allowText === '') return;
    const allow = parseRedriveAllowPolicy(allowText);
    const allowed =
      allow.redrivePermission === 'allowAll' ||
      (allow.redrivePermission === 'byQueue' && (allow.sourceQueueArns ?? []).includes(sourceArn));
    if (!allowed) {
      throw sqsErrors.invalidValue(
        'RedrivePolicy',
        policyText,
        `The RedriveAllowPolicy of ${target} (${allowText}) does not allow ${sourceArn} as a source queue.`,
      );
    }
  }

  /** Sets attributes; `now` is the modification time (a new queue's is its creation time, as on AWS). */
  #applyAttributes(queue: SqsQueue, attributes: Map<string, string>, now = this.#now()): void {
    if (attributes.size === 0) return;
    for (const [name, value] of attributes) {
      queue.setAttribute(name, value);
      if (name === 'RedrivePolicy')
        queue.redrivePolicy = value === '' ? undefined : parseRedrivePolicy(value);
    }
    queue.lastModifiedAt = now;
    // A shorter delay or retention can make messages visible or expire now.
    queue.notify();
  }

  #getQueueAttributes(
    input: SqsInput<'GetQueueAttributes'>,
    ctx: ServiceContext,
  ): SqsOutputs['GetQueueAttributes'] {
    const queue = this.#queue(input.QueueUrl, ctx);
    const names = new Set<string>();
    for (const name of input.AttributeNames ?? []) {
      if (name === 'All') {
        for (const n of COMPUTED_ATTRIBUTES) names.add(n);
        for (const n of queue.attributes.keys()) names.add(n);
      } else if (READABLE_ATTRIBUTES.has(name)) {
        names.add(name);
      } else {
        throw sqsErrors.invalidAttributeName(name, `All, ${[...READABLE_ATTRIBUTES].join(', ')}`);
      }
    }
    if (names.size === 0) return {};
    const counts = queue.counts(this.#now());
    const out: Record<string, string> = {};
    for (const name of names) {
      const value = computedAttribute(queue, name, counts) ?? queue.attributes.get(name);
      if (value !== undefined && !FIFO_ATTRIBUTES.has(name)) out[name] = value;
    }
    return { Attributes: out };
  }

  #listQueues(input: SqsInput<'ListQueues'>, ctx: ServiceContext): SqsOutputs['ListQueues'] {
    const prefix = input.QueueNamePrefix ?? '';
    const names = [...this.#queues.keys()].filter((name) => name.startsWith(prefix)).sort();
    if (input.MaxResults === undefined && input.NextToken === undefined) {
      const urls = names.slice(0, 1000).map((name) => this.#url(name, ctx));
      return urls.length === 0 ? {} : { QueueUrls: urls };
    }
    const page = paginate(names, input.MaxResults, input.NextToken);
    return {
      ...(page.items.length === 0 ? {} : { QueueUrls: page.items.map((name) => this.#url(name, ctx)) }),
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
    };
  }

  #send(queue: SqsQueue, fields: SendFields, ctx: ServiceContext): SendMessageResult {
    const body = fields.MessageBody;
    if (body === undefined || body === '') throw sqsErrors.missingParameter('MessageBody');
    const invalid = INVALID_CHARACTER.exec(body);
    if (invalid !== null) {
      throw sqsErrors.invalidMessageContents(
        `Invalid binary character '#x${(invalid[0].codePointAt(0) ?? 0).toString(16).toUpperCase()}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
      );
    }
    const delay = fields.DelaySeconds ?? queue.int('DelaySeconds');
    if (!(delay >= 0 && delay <= 900)) {
      throw sqsErrors.invalidValue('DelaySeconds', delay, 'DelaySeconds must be >= 0 and <= 900.');
    }
    if (fields.MessageDeduplicationId !== undefined) {
      throw sqsErrors.invalidParameterValue(
        `The request include parameter MessageDeduplicationId that is not valid for this queue type: ${queue.name} is a standard queue.`,
      );
    }
    const groupId = fields.MessageGroupId;
    if (groupId !== undefined && !MESSAGE_GROUP_ID.test(groupId)) {
      throw sqsErrors.invalidValue(
        'MessageGroupId',
        groupId,
        'MessageGroupId can contain up to 128 alphanumeric and punctuation characters.',
      );
    }
    const attributes = checkMessageAttributes(fields.MessageAttributes ?? {});
    const systemAttributes = checkSystemAttributes(fields.MessageSystemAttributes ?? {});
    const size = Buffer.byteLength(body, 'utf8') + attributesSize(attributes);
    const limit = queue.int('MaximumMessageSize');
    if (size > limit) {
      throw sqsErrors.invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes; this one has ${size} bytes (body and message attributes).`,
      );
    }
    const now = this.#now();
    const content = this.#content(body, attributes, systemAttributes, groupId, ctx.accountId, now);
    queue.enqueue(content, ++this.#seq, delay * 1000, now);
    return sendResult(content);
  }

  #content(
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

  /** A UUID-shaped id: a seeded prefix per server and a counter, so ids never repeat. */
  #messageId(): string {
    const n = (++this.#messages).toString(16).padStart(12, '0');
    return `${this.#idPrefix}-0000-4000-8000-${n}`;
  }

  #sendMessageBatch(
    input: SqsInput<'SendMessageBatch'>,
    ctx: ServiceContext,
  ): SqsOutputs['SendMessageBatch'] {
    const queue = this.#queue(input.QueueUrl, ctx);
    checkBatch(input.Entries, 'SendMessageBatchRequestEntry');
    let total = 0;
    for (const entry of input.Entries) {
      total += Buffer.byteLength(entry.MessageBody ?? '', 'utf8');
      for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
        total += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
        total +=
          Buffer.byteLength(value.StringValue ?? '') + Math.floor(((value.BinaryValue ?? '').length * 3) / 4);
      }
    }
    if (total > MAX_BATCH_PAYLOAD_BYTES) throw sqsErrors.batchRequestTooLong(total, MAX_BATCH_PAYLOAD_BYTES);
    return batchResults(input.Entries, (entry) => {
      const result: SendMessageResult & { Id: string } = { Id: entry.Id, ...this.#send(queue, entry, ctx) };
      return result;
    });
  }

  #receiveMessage(
    input: SqsInput<'ReceiveMessage'>,
    ctx: ServiceContext,
  ): SqsOutputs['ReceiveMessage'] | Promise<SqsOutputs['ReceiveMessage']> {
    const queue = this.#queue(input.QueueUrl, ctx);
    const max = input.MaxNumberOfMessages ?? 1;
    if (!(max >= 1 && max <= 10)) {
      throw sqsErrors.invalidValue('MaxNumberOfMessages', max, 'Must be between 1 and 10, if provided.');
    }
    const visibility = input.VisibilityTimeout ?? queue.int('VisibilityTimeout');
    if (!(visibility >= 0 && visibility <= INTEGER_ATTRIBUTES.VisibilityTimeout.max)) {
      throw sqsErrors.invalidValue(
        'VisibilityTimeout',
        visibility,
        'Must be >= 0 and <= 43200, if provided.',
      );
    }
    const wait = input.WaitTimeSeconds ?? queue.int('ReceiveMessageWaitTimeSeconds');
    if (!(wait >= 0 && wait <= 20)) {
      throw sqsErrors.invalidValue('WaitTimeSeconds', wait, 'Must be >= 0 and <= 20, if provided.');
    }
    // Names of no message system attribute are ignored: ReceiveMessage has no InvalidAttributeName error.
    const systemNames = new Set(
      [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])].filter((name) =>
        SYSTEM_ATTRIBUTE_NAMES.has(name),
      ),
    );
    const selectAttribute = attributeSelector(input.MessageAttributeNames ?? []);
    const hooks = this.#receiveHooks(queue, ctx);
    const render = (messages: SqsMessage[]): SqsOutputs['ReceiveMessage'] => {
      if (messages.length === 0) return {};
      // A client that is gone never sees these: they become visible again instead of timing out.
      const tokens = messages.map((m) => m.token);
      ctx.onUndelivered?.(() => queue.release(messages, tokens, this.#now()));
      return { Messages: messages.map((m) => received(queue, m, systemNames, selectAttribute)) };
    };

    const signal = ctx.signal;
    if (signal?.aborted === true) return {};
    const messages = queue.receive(max, visibility * 1000, this.#now(), hooks);
    if (messages.length > 0 || wait === 0 || this.#closed) return render(messages);
    return new Promise((resolve) => {
      const onAbort = () => {
        withdraw();
        resolve({});
      };
      const withdraw = queue.wait(
        this.options.clock.toRealMs(wait * 1000),
        () => {
          const got = queue.receive(max, visibility * 1000, this.#now(), hooks);
          if (got.length === 0) return false;
          signal?.removeEventListener('abort', onAbort);
          resolve(render(got));
          return true;
        },
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve({});
        },
      );
      // A client that closed its connection takes nothing more: its poll leaves the queue.
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #receiveHooks(queue: SqsQueue, ctx: ServiceContext): ReceiveHooks {
    return {
      nextToken: () => ++this.#token,
      duplicate: () =>
        ctx.faults.fire('duplicate-delivery', { service: 'sqs', operation: 'ReceiveMessage' }) !== undefined,
      deadLetter: (msg, policy) => this.#deadLetter(queue, msg, policy),
    };
  }

  /** Moves a message to its queue's DLQ, keeping its id, send time and receive count, as AWS does. */
  #deadLetter(source: SqsQueue, msg: SqsMessage, policy: RedrivePolicy): boolean {
    const dlq = this.#queueByArn(policy.deadLetterTargetArn);
    if (dlq === undefined) return false;
    dlq.enqueue({ ...msg, deadLetterSourceArn: source.arn }, ++this.#seq, 0, this.#now(), false);
    queueMicrotask(() => dlq.notify());
    return true;
  }

  #changeVisibility(queue: SqsQueue, handle: string, visibilityTimeout: number): void {
    if (!(visibilityTimeout >= 0 && visibilityTimeout <= INTEGER_ATTRIBUTES.VisibilityTimeout.max)) {
      throw sqsErrors.invalidValue(
        'VisibilityTimeout',
        visibilityTimeout,
        'VisibilityTimeout must be an integer between 0 and 43200.',
      );
    }
    const { seq, token } = decodeReceiptHandle(handle, queue.name);
    queue.changeVisibility(seq, token, visibilityTimeout * 1000, this.#now(), handle);
  }

  #startMessageMoveTask(input: SqsInput<'StartMessageMoveTask'>): SqsOutputs['StartMessageMoveTask'] {
    const source = this.#queueByArn(input.SourceArn);
    if (source === undefined) {
      throw sqsErrors.resourceNotFound(
        `The resource that you specified for the SourceArn parameter doesn't exist: ${input.SourceArn}.`,
      );
    }
    const isDeadLetterQueue = [...this.#queues.values()].some(
      (q) => q.redrivePolicy?.deadLetterTargetArn === source.arn,
    );
    if (!isDeadLetterQueue) {
      throw sqsErrors.unsupportedOperation(
        `Source queue must be configured as a Dead Letter Queue: no queue has ${input.SourceArn} as the deadLetterTargetArn of its RedrivePolicy.`,
      );
    }
    if (input.DestinationArn !== undefined && this.#queueByArn(input.DestinationArn) === undefined) {
      throw sqsErrors.resourceNotFound(
        `The resource that you specified for the DestinationArn parameter doesn't exist: ${input.DestinationArn}.`,
      );
    }
    const rate = input.MaxNumberOfMessagesPerSecond;
    if (rate !== undefined && !(rate >= 1 && rate <= 500)) {
      throw sqsErrors.invalidValue('MaxNumberOfMessagesPerSecond', rate, 'Must be between 1 and 500.');
    }
    const tasks = this.#tasksBySource.get(source.arn) ?? [];
    if (tasks.some((t) => t.status === 'RUNNING')) {
      throw sqsErrors.unsupportedOperation(
        `There is already a task running for ${source.arn}. Only one active task is allowed for a source queue at a given time.`,
      );
    }
    const now = this.#now();
    const id = `${this.#idPrefix}-task-${++this.#seq}`;
    const handle = Buffer.from(JSON.stringify({ taskId: id, sourceArn: source.arn })).toString('base64');
    const task: MoveTask = {
      id,
      handle,
      sourceArn: source.arn,
      destinationArn: input.DestinationArn,
      rate,
      startedAt: now,
      toMove: source.counts(now).visible,
      status: 'RUNNING',
      moved: 0,
      processed: 0,
      failureReason: undefined,
      timer: undefined,
    };
    this.#tasks.set(id, task);
    tasks.push(task);
    this.#tasksBySource.set(source.arn, tasks);
    this.#scheduleTask(task, 0);
    return { TaskHandle: handle };
  }

  #scheduleTask(task: MoveTask, realDelayMs: number): void {
    if (this.#closed) return;
    task.timer = setTimeout(() => this.#stepTask(task), realDelayMs);
    task.timer.unref();
  }

  /** Moves the next batch (all at once, or MaxNumberOfMessagesPerSecond per simulated second). */
  #stepTask(task: MoveTask): void {
    task.timer = undefined;
    if (task.status !== 'RUNNING') return;
    const source = this.#queueByArn(task.sourceArn);
    if (source === undefined) {
      task.status = 'FAILED';
      task.failureReason = `The source queue ${task.sourceArn} was deleted.`;
      return;
    }
    const now = this.#now();
    const batch = Math.min(task.rate ?? Number.POSITIVE_INFINITY, task.toMove - task.processed);
    const messages = source.takeVisible(batch, now);
    const touched = new Set<SqsQueue>();
    for (const msg of messages) {
      const destinationArn = task.destinationArn ?? msg.deadLetterSourceArn;
      const destination = destinationArn === undefined ? undefined : this.#queueByArn(destinationArn);
      if (destination === undefined) {
        task.failureReason =
          destinationArn === undefined
            ? `Message ${msg.id} was not dead-lettered from another queue, so it has no source queue to return to; give a DestinationArn.`
            : `The destination queue ${destinationArn} of message ${msg.id} does not exist.`;
        source.enqueue(msg, ++this.#seq, 0, now, false);
        touched.add(source);
      } else {
        // Redriven messages start over: a fresh receive count, no longer dead-lettered.
        destination.enqueue(
          { ...msg, receiveCount: 0, firstReceiveAt: undefined, deadLetterSourceArn: undefined },
          ++this.#seq,
          0,
          now,
          false,
        );
        touched.add(destination);
        task.moved++;
      }
    }
    task.processed += messages.length;
    for (const queue of touched) queue.notify();
    if (messages.length === 0 || task.processed >= task.toMove) {
      task.status = task.failureReason === undefined ? 'COMPLETED' : 'FAILED';
      return;
    }
    this.#scheduleTask(task, task.rate === undefined ? 0 : this.options.clock.toRealMs(1000));
  }

  #taskByHandle(handle: string): MoveTask {
    let id: unknown;
    try {
      id = (JSON.parse(Buffer.from(handle, 'base64').toString('utf8')) as { taskId?: unknown }).taskId;
    } catch {
      id = undefined;
    }
    const task = typeof id === 'string' ? this.#tasks.get(id) : undefined;
    if (task === undefined) throw sqsErrors.resourceNotFound(`Task does not exist: TaskHandle ${handle}.`);
    return task;
  }

  #queue(queueUrl: string, ctx: ServiceContext): SqsQueue {
    const { account, name } = splitQueueUrl(queueUrl);
    const queue = account === undefined || account === ctx.accountId ? this.#queues.get(name) : undefined;
    if (queue === undefined) throw sqsErrors.queueDoesNotExist(queueUrl);
    return queue;
  }

  #queueByArn(arn: string): SqsQueue | undefined {
    const queue = this.#queues.get(arn.slice(arn.lastIndexOf(':') + 1));
    return queue?.arn === arn ? queue : undefined;
  }

  #url(name: string, ctx: ServiceContext): string {
    return `${ctx.baseUrl}/${ctx.accountId}/${name}`;
  }

  #now(): number {
    return Math.floor(this.options.clock.now());
  }
}

function computedAttribute(
  queue: SqsQueue,
  name: string,
  counts: Readonly<Record<'visible' | 'inflight' | 'delayed', number>>,
): string | undefined {
  switch (name) {
    case 'QueueArn':
      return queue.arn;
    case 'ApproximateNumberOfMessages':
      return String(counts.visible);
    case 'ApproximateNumberOfMessagesNotVisible':
      return String(counts.inflight);
    case 'ApproximateNumberOfMessagesDelayed':
      return String(counts.delayed);
    case 'CreatedTimestamp':
      return String(Math.floor(queue.createdAt / 1000));
    case 'LastModifiedTimestamp':
      return String(Math.floor(queue.lastModifiedAt / 1000));
    default:
      return undefined;
  }
}

function checkBatch(entries: readonly { Id: string }[], entryName: string): void {
  if (entries.length === 0) throw sqsErrors.emptyBatchRequest(entryName);
  if (entries.length > MAX_BATCH_ENTRIES) throw sqsErrors.tooManyEntries(entries.length);
  const ids = new Set<string>();
  for (const entry of entries) {
    if (!BATCH_ENTRY_ID.test(entry.Id)) throw sqsErrors.invalidBatchEntryId(entry.Id);
    if (ids.has(entry.Id)) throw sqsErrors.batchEntryIdsNotDistinct(entry.Id);
    ids.add(entry.Id);
  }
}

/** Runs each entry on its own: an AwsError fails that entry alone, as SQS batch calls do. */
function batchResults<E extends { Id: string }, R>(
  entries: readonly E[],
  run: (entry: E) => R,
): { Successful: R[]; Failed: BatchResultErrorEntry[] } {
  const Successful: R[] = [];
  const Failed: BatchResultErrorEntry[] = [];
  for (const entry of entries) {
    try {
      Successful.push(run(entry));
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      Failed.push({
        Id: entry.Id,
        SenderFault: error.status < 500,
        Code: error.code,
        Message: error.message,
      });
    }
  }
  return { Successful, Failed };
}

/** `<queue name>:<message seq>:<receive token>` in base64url: unique per receive, bound to its queue. */
function encodeReceiptHandle(queueName: string, seq: number, token: number): string {
  return Buffer.from(`${queueName}:${seq}:${token}`, 'utf8').toString('base64url');
}

function decodeReceiptHandle(handle: string, queueName: string): { seq: number; token: number } {
  if (/^[A-Za-z0-9_-]{1,1024}$/.test(handle)) {
    const parts = Buffer.from(handle, 'base64url').toString('utf8').split(':');
    const [name, seq, token] = parts;
    if (parts.length === 3 && name === queueName && /^\d+$/.test(seq ?? '') && /^\d+$/.test(token ?? '')) {
      return { seq: Number(seq), token: Number(token) };
    }
  }
  throw sqsErrors.receiptHandleIsInvalid(handle);
}

function received(
  queue: SqsQueue,
  msg: SqsMessage,
  systemNames: ReadonlySet<string>,
  selectAttribute: (name: string) => boolean,
): ReceivedMessage {
  const all = systemNames.has('All');
  const attributes: Record<string, string> = {};
  const want = (name: string) => all || systemNames.has(name);
  if (want('SenderId')) attributes.SenderId = msg.senderId;
  if (want('SentTimestamp')) attributes.SentTimestamp = String(msg.sentAt);
  if (want('ApproximateReceiveCount')) attributes.ApproximateReceiveCount = String(msg.receiveCount);
  if (want('ApproximateFirstReceiveTimestamp') && msg.firstReceiveAt !== undefined) {
    attributes.ApproximateFirstReceiveTimestamp = String(msg.firstReceiveAt);
  }
  if (want('MessageGroupId') && msg.groupId !== undefined) attributes.MessageGroupId = msg.groupId;
  const trace = msg.systemAttributes.AWSTraceHeader?.StringValue;
  if (want('AWSTraceHeader') && trace !== undefined) attributes.AWSTraceHeader = trace;
  if (want('DeadLetterQueueSourceArn') && msg.deadLetterSourceArn !== undefined) {
    attributes.DeadLetterQueueSourceArn = msg.deadLetterSourceArn;
  }
  const names = Object.keys(msg.attributes);
  const selected = names.filter(selectAttribute);
  let messageAttributes = msg.attributes;
  let md5 = msg.md5OfAttributes;
  if (selected.length !== names.length) {
    messageAttributes = Object.fromEntries(
      selected.map((n) => [n, msg.attributes[n] as MessageAttributeValue]),
    );
    md5 = md5OfAttributes(messageAttributes);
  }
  const out: { -readonly [K in keyof ReceivedMessage]: ReceivedMessage[K] } = {
    MessageId: msg.id,
    ReceiptHandle: encodeReceiptHandle(queue.name, msg.seq, msg.token),
    MD5OfBody: msg.md5OfBody,
    Body: msg.body,
  };
  if (systemNames.size > 0 && Object.keys(attributes).length > 0) out.Attributes = attributes;
  if (md5 !== undefined) {
    out.MD5OfMessageAttributes = md5;
    out.MessageAttributes = messageAttributes;
  }
  return out;
}

function sendResult(content: MessageContent): SendMessageResult {
  const result: { -readonly [K in keyof SendMessageResult]: SendMessageResult[K] } = {
    MessageId: content.id,
    MD5OfMessageBody: content.md5OfBody,
  };
  if (content.md5OfAttributes !== undefined) result.MD5OfMessageAttributes = content.md5OfAttributes;
  if (content.md5OfSystemAttributes !== undefined) {
    result.MD5OfMessageSystemAttributes = content.md5OfSystemAttributes;
  }
  return result;
}

/** MessageAttributeNames: `All` or `.*` for every attribute, `prefix.*` for a prefix, else exact names. */
function attributeSelector(names: readonly string[]): (name: string) => boolean {
  if (names.length === 0) return () => false;
  if (names.includes('All') || names.includes('.*')) return () => true;
  const exact = new Set(names.filter((n) => !n.endsWith('.*')));
  const prefixes = names.filter((n) => n.endsWith('.*')).map((n) => n.slice(0, -1));
  return (name) => exact.has(name) || prefixes.some((p) => name.startsWith(p));
}

function checkMessageAttributes(
  input: Record<string, MessageAttributeInput>,
): Record<string, MessageAttributeValue> {
  const entries = Object.entries(input);
  if (entries.length > MAX_MESSAGE_ATTRIBUTES) {
    throw sqsErrors.invalidParameterValue(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of entries) {
    if (
      !ATTRIBUTE_NAME.test(name) ||
      /^(aws\.|amazon\.)/i.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..')
    ) {
      throw sqsErrors.invalidParameterValue(
        `Message (user) attribute name '${name}' is invalid: use up to 256 of A-Z a-z 0-9 _ - . , not starting with AWS. or Amazon., without a leading, trailing or doubled period.`,
      );
    }
    out[name] = checkAttributeValue(name, value);
  }
  return out;
}

function checkAttributeValue(name: string, value: MessageAttributeInput): MessageAttributeValue {
  const type = value.DataType;
  if (type === undefined || type === '') {
    throw sqsErrors.invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute type.`,
    );
  }
  const base = type.split('.', 1)[0];
  if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
    throw sqsErrors.invalidParameterValue(
      `The type of message (user) attribute '${name}' is invalid: ${JSON.stringify(type)}. You must use only the following supported type prefixes: Binary, Number, String.`,
    );
  }
  if (base === 'Binary') {
    const binary = value.BinaryValue;
    if (binary === undefined || binary === '') {
      throw sqsErrors.invalidParameterValue(
        `The message attribute '${name}' with type 'Binary' must use field 'Binary' and contain a non-empty value.`,
      );
    }
    if (!BASE64.test(binary)) {
      throw sqsErrors.invalidParameterValue(
        `The message attribute '${name}' has a BinaryValue that is not base64.`,
      );
    }
    return { DataType: type, BinaryValue: binary };
  }
  const text = value.StringValue;
  if (text === undefined || text === '') {
    throw sqsErrors.invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`,
    );
  }
  if (INVALID_CHARACTER.test(text)) {
    throw sqsErrors.invalidParameterValue(
      `The message attribute '${name}' contains characters SQS does not allow.`,
    );
  }
  if (base === 'Number' && !NUMBER.test(text)) {
    throw sqsErrors.invalidParameterValue(
      `Can't cast the value of message (user) attribute '${name}' to a number: ${JSON.stringify(text)}.`,
    );
  }
  return { DataType: type, StringValue: text };
}

function checkSystemAttributes(
  input: Record<string, MessageAttributeInput>,
): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(input)) {
    if (name !== 'AWSTraceHeader') {
      throw sqsErrors.invalidParameterValue(
        `Message system attribute name '${name}' is invalid; the only message system attribute is AWSTraceHeader.`,
      );
    }
    if (value.DataType !== 'String' || value.StringValue === undefined || value.StringValue === '') {
      throw sqsErrors.invalidParameterValue(
        'Message system attribute AWSTraceHeader must have DataType String and a non-empty StringValue.',
      );
    }
    out[name] = { DataType: 'String', StringValue: value.StringValue };
  }
  return out;
}

function attributesSize(attributes: Record<string, MessageAttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    size +=
      value.BinaryValue === undefined
        ? Buffer.byteLength(value.StringValue ?? '')
        : Buffer.byteLength(value.BinaryValue, 'base64');
  }
  return size;
}

/** Pages through sorted names; the token is the last name returned, in base64url. */
function paginate(
  names: readonly string[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { items: string[]; nextToken?: string } {
  const max = maxResults ?? 1000;
  if (!(max >= 1 && max <= 1000))
    throw sqsErrors.invalidValue('MaxResults', max, 'Must be between 1 and 1000.');
  let start = 0;
  if (nextToken !== undefined) {
    const after = Buffer.from(nextToken, 'base64url').toString('utf8');
    if (nextToken === '' || !/^[A-Za-z0-9_-]+$/.test(nextToken) || !QUEUE_NAME.test(after)) {
      throw sqsErrors.invalidParameterValue(`Invalid NextToken value: ${nextToken}.`);
    }
    start = names.findIndex((name) => name > after);
    if (start === -1) start = names.length;
  }
  const items = names.slice(start, start + max);
  const last = items[items.length - 1];
  return start + max < names.length && last !== undefined
    ? { items, nextToken: Buffer.from(last, 'utf8').toString('base64url') }
    : { items };
}

function taskEntry(task: MoveTask): MoveTaskEntry {
  return {
    ...(task.status === 'RUNNING' ? { TaskHandle: task.handle } : {}),
    Status: task.status,
    SourceArn: task.sourceArn,
    ...(task.destinationArn === undefined ? {} : { DestinationArn: task.destinationArn }),
    ...(task.rate === undefined ? {} : { MaxNumberOfMessagesPerSecond: task.rate }),
    ApproximateNumberOfMessagesMoved: task.moved,
    ApproximateNumberOfMessagesToMove: task.toMove,
    ...(task.failureReason === undefined ? {} : { FailureReason: task.failureReason }),
    StartedTimestamp: task.startedAt,
  };
}
