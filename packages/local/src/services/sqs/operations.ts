/**
 * SQS's operations: a typed handler per operation over the account's queues (model.ts) and message move
 * tasks (tasks.ts). Both protocols land here with the JSON shape of the input; errors are worded as SQS
 * words them (errors.ts).
 */
import { upperBound } from '../../common/sorted';
import { runBatch } from '../../protocol/batch';
import type { OperationTable } from '../../protocol/operations';
import { decodePageToken, encodePageToken } from '../../protocol/pagination';
import type { ServiceContext } from '../../protocol/service';
import {
  COMPUTED_ATTRIBUTES,
  FIFO_ATTRIBUTES,
  INTEGER_ATTRIBUTES,
  normalizeAttribute,
  parseRedriveAllowPolicy,
  parseRedrivePolicy,
  READABLE_ATTRIBUTES,
} from './attributes';
import { sqsErrors } from './errors';
import type { SqsInput, SqsInputs } from './inputs';
import type { SqsModel } from './model';
import {
  type BatchResultErrorEntry,
  type ReceivedMessage,
  receivedMessage,
  type SendMessageResult,
  type SqsOutputs,
  sendResult,
} from './outputs';
import { decodeReceiptHandle, type SqsMessage, SqsQueue } from './queue';
import type { MoveTasks } from './tasks';
import {
  checkBatch,
  checkBatchPayload,
  checkBody,
  checkMessageAttributes,
  checkMessageSize,
  checkQueueName,
  checkSendOptions,
  checkSystemAttributes,
  QUEUE_NAME,
} from './validation';

export type SqsOperationTable = OperationTable<typeof SqsInputs, SqsOutputs>;

const PURGE_INTERVAL_MS = 60_000;
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

type SendFields = Omit<SqsInput<'SendMessage'>, 'QueueUrl' | 'MessageBody'> & { MessageBody?: string };

/** The handler of every SQS operation, over `model`'s queues and `tasks`. */
export function sqsOperations(model: SqsModel, tasks: MoveTasks): SqsOperationTable {
  return {
    CreateQueue: (input, ctx) => createQueue(model, input, ctx),
    GetQueueUrl: (input, ctx) => {
      if (input.QueueOwnerAWSAccountId !== undefined && input.QueueOwnerAWSAccountId !== ctx.accountId) {
        throw sqsErrors.queueDoesNotExist(`${input.QueueOwnerAWSAccountId}/${input.QueueName}`);
      }
      if (model.queueByName(input.QueueName) === undefined)
        throw sqsErrors.queueDoesNotExist(input.QueueName);
      return { QueueUrl: model.url(input.QueueName, ctx) };
    },
    GetQueueAttributes: (input, ctx) => getQueueAttributes(model, input, ctx),
    SetQueueAttributes: (input, ctx) => {
      const queue = model.queue(input.QueueUrl, ctx);
      const attributes = normalizeAttributes(input.Attributes, false);
      checkRedrive(model, queue.arn, attributes, ctx);
      applyAttributes(queue, attributes, model.now());
      return {};
    },
    ListQueues: (input, ctx) => listQueues(model, input, ctx),
    DeleteQueue: (input, ctx) => {
      model.remove(model.queue(input.QueueUrl, ctx));
      return {};
    },
    PurgeQueue: (input, ctx) => {
      const queue = model.queue(input.QueueUrl, ctx);
      const now = model.now();
      if (queue.lastPurgeAt !== undefined && now - queue.lastPurgeAt < PURGE_INTERVAL_MS) {
        throw sqsErrors.purgeQueueInProgress(queue.name);
      }
      queue.lastPurgeAt = now;
      queue.purge();
      return {};
    },
    SendMessage: (input, ctx) => send(model, model.queue(input.QueueUrl, ctx), input, ctx),
    SendMessageBatch: (input, ctx) => {
      const queue = model.queue(input.QueueUrl, ctx);
      checkBatch(input.Entries, 'SendMessageBatchRequestEntry');
      checkBatchPayload(input.Entries);
      return batchResults(input.Entries, (entry) => {
        const result: SendMessageResult & { Id: string } = {
          Id: entry.Id,
          ...send(model, queue, entry, ctx),
        };
        return result;
      });
    },
    ReceiveMessage: (input, ctx) => receiveMessage(model, input, ctx),
    DeleteMessage: (input, ctx) => {
      const queue = model.queue(input.QueueUrl, ctx);
      const { seq, token } = decodeReceiptHandle(input.ReceiptHandle, queue.name);
      queue.delete(seq, token, model.now());
      return {};
    },
    DeleteMessageBatch: (input, ctx) => {
      const queue = model.queue(input.QueueUrl, ctx);
      checkBatch(input.Entries, 'DeleteMessageBatchRequestEntry');
      return batchResults(input.Entries, (entry) => {
        const { seq, token } = decodeReceiptHandle(entry.ReceiptHandle, queue.name);
        queue.delete(seq, token, model.now());
        return { Id: entry.Id };
      });
    },
    ChangeMessageVisibility: (input, ctx) => {
      const queue = model.queue(input.QueueUrl, ctx);
      changeVisibility(model, queue, input.ReceiptHandle, input.VisibilityTimeout);
      return {};
    },
    ChangeMessageVisibilityBatch: (input, ctx) => {
      const queue = model.queue(input.QueueUrl, ctx);
      checkBatch(input.Entries, 'ChangeMessageVisibilityBatchRequestEntry');
      return batchResults(input.Entries, (entry) => {
        if (entry.VisibilityTimeout === undefined) throw sqsErrors.missingParameter('VisibilityTimeout');
        changeVisibility(model, queue, entry.ReceiptHandle, entry.VisibilityTimeout);
        return { Id: entry.Id };
      });
    },
    StartMessageMoveTask: (input) => ({ TaskHandle: tasks.start(input) }),
    ListMessageMoveTasks: (input) => ({ Results: tasks.list(input) }),
    CancelMessageMoveTask: (input) => ({ ApproximateNumberOfMessagesMoved: tasks.cancel(input.TaskHandle) }),
    TagQueue: (input, ctx) => {
      const queue = model.queue(input.QueueUrl, ctx);
      for (const [key, value] of Object.entries(input.Tags)) queue.tags.set(key, value);
      return {};
    },
    UntagQueue: (input, ctx) => {
      const queue = model.queue(input.QueueUrl, ctx);
      for (const key of input.TagKeys) queue.tags.delete(key);
      return {};
    },
    ListQueueTags: (input, ctx) => {
      const queue = model.queue(input.QueueUrl, ctx);
      return queue.tags.size === 0 ? {} : { Tags: Object.fromEntries(queue.tags) };
    },
    ListDeadLetterSourceQueues: (input, ctx) => {
      const queue = model.queue(input.QueueUrl, ctx);
      const page = paginate(model.deadLetterSources(queue.arn), input.MaxResults, input.NextToken);
      return {
        queueUrls: page.items.map((name) => model.url(name, ctx)),
        ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
      };
    },
  };
}

function createQueue(
  model: SqsModel,
  input: SqsInput<'CreateQueue'>,
  ctx: ServiceContext,
): SqsOutputs['CreateQueue'] {
  const name = input.QueueName;
  checkQueueName(name);
  const attributes = normalizeAttributes(input.Attributes ?? {}, true);
  const arn = `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name}`;
  const existing = model.queueByName(name);
  if (existing !== undefined) {
    for (const [key, value] of attributes) {
      const current = existing.attributes.get(key) ?? '';
      if (current !== value) throw sqsErrors.queueNameExists(name, key, current || undefined, value);
    }
    return { QueueUrl: model.url(name, ctx) };
  }
  checkRedrive(model, arn, attributes, ctx);
  const createdAt = model.now();
  const queue = new SqsQueue(name, arn, createdAt, model.clock);
  applyAttributes(queue, attributes, createdAt);
  for (const [key, value] of Object.entries(input.tags ?? {})) queue.tags.set(key, value);
  model.add(queue);
  return { QueueUrl: model.url(name, ctx) };
}

/** Attributes in their normal form; CreateQueue may say FifoQueue=false, which a standard queue is. */
function normalizeAttributes(attributes: Record<string, string>, creating: boolean): Map<string, string> {
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
function checkRedrive(
  model: SqsModel,
  sourceArn: string,
  attributes: Map<string, string>,
  ctx: ServiceContext,
): void {
  const policyText = attributes.get('RedrivePolicy');
  if (policyText === undefined || policyText === '') return;
  const policy = parseRedrivePolicy(policyText);
  const target = policy.deadLetterTargetArn;
  if (target === sourceArn) {
    throw sqsErrors.invalidValue('RedrivePolicy', policyText, 'A queue cannot be its own dead-letter queue.');
  }
  const dlq = model.queueByArn(target);
  if (dlq === undefined || !target.startsWith(`arn:aws:sqs:${ctx.region}:${ctx.accountId}:`)) {
    throw sqsErrors.invalidValue('RedrivePolicy', policyText, `Dead letter target ${target} does not exist.`);
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
function applyAttributes(queue: SqsQueue, attributes: Map<string, string>, now: number): void {
  if (attributes.size === 0) return;
  for (const [name, value] of attributes) {
    queue.setAttribute(name, value);
    if (name === 'RedrivePolicy') queue.redrivePolicy = value === '' ? undefined : parseRedrivePolicy(value);
  }
  queue.lastModifiedAt = now;
  // A shorter delay or retention can make messages visible or expire now.
  queue.notify();
}

function getQueueAttributes(
  model: SqsModel,
  input: SqsInput<'GetQueueAttributes'>,
  ctx: ServiceContext,
): SqsOutputs['GetQueueAttributes'] {
  const queue = model.queue(input.QueueUrl, ctx);
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
  const counts = queue.counts(model.now());
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = computedAttribute(queue, name, counts) ?? queue.attributes.get(name);
    if (value !== undefined && !FIFO_ATTRIBUTES.has(name)) out[name] = value;
  }
  return { Attributes: out };
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

function listQueues(
  model: SqsModel,
  input: SqsInput<'ListQueues'>,
  ctx: ServiceContext,
): SqsOutputs['ListQueues'] {
  const prefix = input.QueueNamePrefix ?? '';
  const names = model
    .names()
    .filter((name) => name.startsWith(prefix))
    .sort();
  if (input.MaxResults === undefined && input.NextToken === undefined) {
    const urls = names.slice(0, 1000).map((name) => model.url(name, ctx));
    return urls.length === 0 ? {} : { QueueUrls: urls };
  }
  const page = paginate(names, input.MaxResults, input.NextToken);
  return {
    ...(page.items.length === 0 ? {} : { QueueUrls: page.items.map((name) => model.url(name, ctx)) }),
    ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
  };
}

/** Pages through sorted queue names; the token carries the last name returned. */
function paginate(
  names: readonly string[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { items: string[]; nextToken?: string } {
  const max = maxResults ?? 1000;
  if (!(max >= 1 && max <= 1000))
    throw sqsErrors.invalidValue('MaxResults', max, 'Must be between 1 and 1000.');
  const start =
    nextToken === undefined
      ? 0
      : upperBound(
          names,
          decodePageToken(
            nextToken,
            (value): value is string => typeof value === 'string' && QUEUE_NAME.test(value),
            (token) => sqsErrors.invalidParameterValue(`Invalid NextToken value: ${token}.`),
          ),
        );
  const items = names.slice(start, start + max);
  const last = items[items.length - 1];
  return start + max < names.length && last !== undefined
    ? { items, nextToken: encodePageToken(last) }
    : { items };
}

function send(model: SqsModel, queue: SqsQueue, fields: SendFields, ctx: ServiceContext): SendMessageResult {
  const body = checkBody(fields.MessageBody);
  const delay = fields.DelaySeconds ?? queue.int('DelaySeconds');
  checkSendOptions(queue.name, delay, fields.MessageDeduplicationId, fields.MessageGroupId);
  const attributes = checkMessageAttributes(fields.MessageAttributes ?? {});
  const systemAttributes = checkSystemAttributes(fields.MessageSystemAttributes ?? {});
  checkMessageSize(body, attributes, queue.int('MaximumMessageSize'));
  const now = model.now();
  const content = model.content(
    body,
    attributes,
    systemAttributes,
    fields.MessageGroupId,
    ctx.accountId,
    now,
  );
  queue.enqueue(content, model.nextSeq(), delay * 1000, now);
  return sendResult(content);
}

/** Runs each entry on its own: an AwsError fails that entry alone, as SQS batch calls do. */
function batchResults<E extends { Id: string }, R>(
  entries: readonly E[],
  run: (entry: E) => R,
): { Successful: R[]; Failed: BatchResultErrorEntry[] } {
  const { successful, failed } = runBatch(entries, run);
  return {
    Successful: successful,
    Failed: failed.map(({ entry, error }) => ({
      Id: entry.Id,
      SenderFault: error.status < 500,
      Code: error.code,
      Message: error.message,
    })),
  };
}

function receiveMessage(
  model: SqsModel,
  input: SqsInput<'ReceiveMessage'>,
  ctx: ServiceContext,
): SqsOutputs['ReceiveMessage'] | Promise<SqsOutputs['ReceiveMessage']> {
  const queue = model.queue(input.QueueUrl, ctx);
  const max = input.MaxNumberOfMessages ?? 1;
  if (!(max >= 1 && max <= 10)) {
    throw sqsErrors.invalidValue('MaxNumberOfMessages', max, 'Must be between 1 and 10, if provided.');
  }
  const visibility = input.VisibilityTimeout ?? queue.int('VisibilityTimeout');
  if (!(visibility >= 0 && visibility <= INTEGER_ATTRIBUTES.VisibilityTimeout.max)) {
    throw sqsErrors.invalidValue('VisibilityTimeout', visibility, 'Must be >= 0 and <= 43200, if provided.');
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
  const hooks = model.receiveHooks(queue, ctx);
  const render = (messages: SqsMessage[]): SqsOutputs['ReceiveMessage'] => {
    if (messages.length === 0) return {};
    // A client that is gone never sees these: they become visible again instead of timing out.
    const tokens = messages.map((m) => m.token);
    ctx.onUndelivered?.(() => queue.release(messages, tokens, model.now()));
    const received: ReceivedMessage[] = messages.map((m) =>
      receivedMessage(queue, m, systemNames, selectAttribute),
    );
    return { Messages: received };
  };

  const signal = ctx.signal;
  if (signal?.aborted === true) return {};
  const messages = queue.receive(max, visibility * 1000, model.now(), hooks);
  if (messages.length > 0 || wait === 0 || model.closed) return render(messages);
  return new Promise((resolve) => {
    const onAbort = () => {
      withdraw();
      resolve({});
    };
    const withdraw = queue.wait(
      model.clock.toRealMs(wait * 1000),
      () => {
        const got = queue.receive(max, visibility * 1000, model.now(), hooks);
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

/** MessageAttributeNames: `All` or `.*` for every attribute, `prefix.*` for a prefix, else exact names. */
function attributeSelector(names: readonly string[]): (name: string) => boolean {
  if (names.length === 0) return () => false;
  if (names.includes('All') || names.includes('.*')) return () => true;
  const exact = new Set(names.filter((n) => !n.endsWith('.*')));
  const prefixes = names.filter((n) => n.endsWith('.*')).map((n) => n.slice(0, -1));
  return (name) => exact.has(name) || prefixes.some((p) => name.startsWith(p));
}

function changeVisibility(model: SqsModel, queue: SqsQueue, handle: string, visibilityTimeout: number): void {
  if (!(visibilityTimeout >= 0 && visibilityTimeout <= INTEGER_ATTRIBUTES.VisibilityTimeout.max)) {
    throw sqsErrors.invalidValue(
      'VisibilityTimeout',
      visibilityTimeout,
      'VisibilityTimeout must be an integer between 0 and 43200.',
    );
  }
  const { seq, token } = decodeReceiptHandle(handle, queue.name);
  queue.changeVisibility(seq, token, visibilityTimeout * 1000, model.now(), handle);
}
