/**
 * The Lambda SQS event source mapping, played in-process: `maximumConcurrency` pollers, each long-polling
 * the queue for up to `batchSize` messages and invoking the handler with them as a real-shaped SQSEvent.
 * With ReportBatchItemFailures, as the stack configures it: every message not reported failed is deleted;
 * a thrown error or a timeout fails the whole batch. Failed messages reappear when the queue's visibility
 * timeout, counted from their receive, has passed; the queue's RedrivePolicy moves them to the DLQ after
 * maxReceiveCount receives.
 *
 * As in Lambda, each poller is one execution environment: it has its own handler instance (its module
 * state: clients, a Powertools BatchProcessor) and runs one invocation at a time, so invocations never
 * share per-invocation state. Handler time is real time while the queue's timeouts are simulated: each
 * receive therefore holds its messages long enough to cover the handler's real timeout whatever the time
 * scale, and a failed message is then given back at the simulated moment AWS would have shown it again.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { APP_NAME } from '@flink-snapshots/settings';
import type { Context, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { clientConfig, type EndpointOptions } from './aws';
import { describeError, type InvocationOutcome, invokeLambda, type RuntimeClock } from './lambda-context';
import { type RuntimeSettingsOverrides, resolveSettings, type WorkerSettings } from './settings';

/** What the worker exports: `handler(event, context)`, answering `{ batchItemFailures }` or nothing. */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => unknown;

/**
 * Builds the handler of one execution environment: called once per poller (up to maximumConcurrency), so
 * what the handler keeps between invocations is never shared by two invocations at once, as in Lambda.
 */
export type HandlerFactory = () => SqsBatchHandler;

export interface SqsEventSourceOptions extends EndpointOptions {
  readonly queueUrl: string;
  /** The queue's ARN (eventSourceARN); asked of SQS at start() when absent. */
  readonly queueArn?: string;
  /** One handler per execution environment (see HandlerFactory). */
  readonly createHandler: HandlerFactory;
  /** The local AWS's clock, for the invocations' start times (the timeout is real time: see lambda-context). */
  readonly clock: RuntimeClock;
  /** Default `flink-snapshots-worker`; bootstrap's resourceNames(stage).workerFunction names a stage's. */
  readonly functionName?: string;
  /** Worker settings other than PIPELINE's (batchSize, maximumConcurrency, timeoutSeconds, memoryMb). */
  readonly settings?: Pick<RuntimeSettingsOverrides, 'worker'>;
  /** Called after each invocation, with its event (to attribute handler time to what it processed). */
  readonly onInvocation?: (invocation: SqsInvocation, event: SQSEvent) => void;
  /** Called when polling or deleting fails; the event source backs off and goes on, as Lambda does. */
  readonly onError?: (error: Error) => void;
}

/** One invocation of the handler. */
export interface SqsInvocation {
  readonly requestId: string;
  /** Simulated epoch ms when the handler was called. */
  readonly startedAt: number;
  /** Real milliseconds the handler ran (performance.now), up to the timeout. */
  readonly durationMs: number;
  /** Messages in the batch. */
  readonly records: number;
  /** Messages left on the queue: those reported failed, or all of them when the invocation failed. */
  readonly failures: number;
  /** Why the whole batch failed: the handler's error, the timeout, or an answer Lambda would reject. */
  readonly error?: string;
  readonly timedOut?: boolean;
}

/** Counts of what the event source itself did, e.g. to tell its SQS calls from the handlers'. */
export interface SqsEventSourceStats {
  /** SQS calls as the server sees them: every HTTP attempt, SDK retries included. */
  readonly receiveCalls: number;
  readonly emptyReceives: number;
  readonly messagesReceived: number;
  readonly deleteCalls: number;
  readonly messagesDeleted: number;
  /** Messages whose delete failed even after a retry: they will be delivered again. */
  readonly deleteFailures: number;
  /** ChangeMessageVisibilityBatch calls (failed messages given back at their AWS time, or on stop). */
  readonly visibilityCalls: number;
  /** Messages a poll brought back after stop() began, given back to the queue unhandled. */
  readonly returnedOnStop: number;
  readonly getQueueAttributesCalls: number;
  readonly pollErrors: number;
  readonly invocations: number;
  readonly timedOut: number;
  /** Handlers that timed out and have not returned yet (Lambda would have stopped them). */
  readonly runningAfterTimeout: number;
}

export interface StopOptions {
  /**
   * Abort long polls in progress instead of letting them end (up to WaitTimeSeconds, 20 simulated
   * seconds). The local SQS cancels a poll whose connection closed, and gives back at once what it had
   * handed to one, so an abandoned poll never takes a message meant for the next process.
   */
  readonly abandonPolls?: boolean;
}

export interface IdleOptions {
  /** Real milliseconds to wait at most; default 60 000. */
  readonly timeoutMs?: number;
  /** Real milliseconds between looks at the queue; default 20. */
  readonly intervalMs?: number;
}

/** Simulated seconds a ReceiveMessage waits for messages: SQS's maximum, as Lambda's pollers use. */
const WAIT_TIME_SECONDS = 20;
/** SQS's longest visibility timeout (12 hours), in seconds. */
const MAX_VISIBILITY_SECONDS = 43_200;
/** Real time a receive holds its messages beyond the handler's timeout: the deletes that follow it. */
const AFTER_HANDLER_MS = 5_000;
const MAX_BACKOFF_MS = 2_000;
const KEEP_ERRORS = 100;

type Counters = { -readonly [K in keyof SqsEventSourceStats]: SqsEventSourceStats[K] };

export class SqsEventSource {
  readonly settings: WorkerSettings;
  readonly functionName: string;
  readonly #options: SqsEventSourceOptions;
  readonly #sqs: SQSClient;
  readonly #region: string;
  readonly #invocations: SqsInvocation[] = [];
  readonly #errors: string[] = [];
  readonly #stopping = new AbortController();
  readonly #abandon = new AbortController();
  readonly #stats: Counters = {
    receiveCalls: 0,
    emptyReceives: 0,
    messagesReceived: 0,
    deleteCalls: 0,
    messagesDeleted: 0,
    deleteFailures: 0,
    visibilityCalls: 0,
    returnedOnStop: 0,
    getQueueAttributesCalls: 0,
    pollErrors: 0,
    invocations: 0,
    timedOut: 0,
    runningAfterTimeout: 0,
  };
  #queueArn: string | undefined;
  /** The queue's own visibility timeout (simulated seconds): when AWS would show a failed message again. */
  #queueVisibilitySeconds = 0;
  /** What each receive asks for (simulated seconds): enough to cover the handler's real timeout. */
  #receiveVisibilitySeconds = 0;
  #pollers: Promise<void>[] | undefined;
  #stopped: Promise<void> | undefined;
  /** Batches received and not yet handled and deleted. */
  #busy = 0;

  constructor(options: SqsEventSourceOptions) {
    this.settings = resolveSettings(options.settings).worker;
    this.functionName = options.functionName ?? `${APP_NAME}-worker`;
    this.#options = options;
    const config = clientConfig(options);
    this.#region = config.region;
    this.#sqs = new SQSClient(config);
    // Counted per HTTP attempt (inside the SDK's retries), as the local AWS's counters count them.
    this.#sqs.middlewareStack.add(
      (next, context) => (args) => {
        this.#countCall(context.commandName);
        return next(args);
      },
      { step: 'deserialize', name: 'countEventSourceCalls' },
    );
    this.#queueArn = options.queueArn;
  }

  /** Starts the pollers; resolves once they run. */
  async start(): Promise<void> {
    if (this.#pollers !== undefined || this.#stopped !== undefined) {
      throw new Error(
        `SqsEventSource for ${this.#options.queueUrl} was already ${this.#stopped === undefined ? 'started' : 'stopped'}; expected a new one`,
      );
    }
    const pollers: Promise<void>[] = [];
    this.#pollers = pollers;
    let attributes: Record<string, string>;
    try {
      attributes =
        (
          await this.#sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: this.#options.queueUrl,
              AttributeNames: ['QueueArn', 'VisibilityTimeout'],
            }),
          )
        ).Attributes ?? {};
    } catch (error) {
      this.#pollers = undefined;
      throw error;
    }
    const queueArn = this.#queueArn ?? attributes.QueueArn;
    const visibility = Number(attributes.VisibilityTimeout);
    if (queueArn === undefined || !Number.isInteger(visibility)) {
      this.#pollers = undefined;
      throw new Error(
        `GetQueueAttributes of ${this.#options.queueUrl} returned QueueArn ${JSON.stringify(queueArn)} and VisibilityTimeout ${JSON.stringify(attributes.VisibilityTimeout)}; expected the queue's ARN and its visibility timeout in seconds`,
      );
    }
    this.#queueArn = queueArn;
    this.#queueVisibilitySeconds = visibility;
    this.#receiveVisibilitySeconds = this.#coveringVisibility(visibility);
    // stop() may have come while the attributes were asked for: then no poller starts.
    if (this.#stopping.signal.aborted) return;
    for (let i = 0; i < this.settings.maximumConcurrency; i++) {
      pollers.push(this.#poll(queueArn, this.#options.createHandler()));
    }
  }

  /**
   * The visibility (simulated seconds) that covers the handler's real timeout and the deletes after it:
   * with a time scale, the queue's own timeout may pass in less real time than a handler may run, and a
   * message would be delivered again while its first delivery is still being handled.
   */
  #coveringVisibility(queueVisibilitySeconds: number): number {
    const realMs = this.settings.timeoutSeconds * 1000 + AFTER_HANDLER_MS;
    const simulatedSeconds = Math.ceil(realMs / this.#options.clock.toRealMs(1000));
    const needed = Math.max(queueVisibilitySeconds, simulatedSeconds);
    if (needed > MAX_VISIBILITY_SECONDS) {
      throw new RangeError(
        `The worker's ${this.settings.timeoutSeconds} s timeout is ${simulatedSeconds} simulated seconds at this time scale, beyond SQS's ${MAX_VISIBILITY_SECONDS} s visibility limit; expected a time scale of at least ${realMs / 1000 / MAX_VISIBILITY_SECONDS} or a shorter worker timeout`,
      );
    }
    return needed;
  }

  /**
   * Stops polling and waits for the invocations in flight and their deletes; messages a poll brings back
   * meanwhile are given back to the queue unhandled (visibility 0), so nothing this process was handed
   * waits out a visibility timeout. Handlers past their timeout are not waited for.
   */
  stop(options: StopOptions = {}): Promise<void> {
    if (options.abandonPolls === true) this.#abandon.abort();
    this.#stopped ??= (async () => {
      this.#stopping.abort();
      await Promise.all(this.#pollers ?? []);
      this.#sqs.destroy();
    })();
    return this.#stopped;
  }

  /**
   * Resolves once no batch is in flight and the queue holds no message, visible, in flight or delayed
   * (dead-lettered ones are in the DLQ); throws if that does not happen within `timeoutMs`.
   */
  async idle(options: IdleOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const deadline = performance.now() + timeoutMs;
    let last = '';
    for (;;) {
      if (this.#busy === 0) {
        // A message received after this check was still on the queue when it was counted.
        const counts = await this.#queueCounts();
        if (this.#busy === 0 && counts.visible + counts.inFlight + counts.delayed === 0) return;
        last = `${counts.visible} visible, ${counts.inFlight} in flight, ${counts.delayed} delayed`;
      } else {
        last = `${this.#busy} batch(es) being handled`;
      }
      if (performance.now() > deadline) {
        throw new Error(
          `Queue ${this.#options.queueUrl} is not idle after ${timeoutMs} ms: ${last}; expected no message left and no batch in flight`,
        );
      }
      await delay(options.intervalMs ?? 20);
    }
  }

  /** Every invocation so far, oldest first. */
  invocations(): readonly SqsInvocation[] {
    return this.#invocations;
  }

  stats(): SqsEventSourceStats {
    return { ...this.#stats };
  }

  /** The latest polling and delete errors (at most 100), oldest first. */
  errors(): readonly string[] {
    return this.#errors;
  }

  /** Batches received and not yet handled and deleted. */
  inFlight(): number {
    return this.#busy;
  }

  /** One execution environment: receives and invokes its own handler, one batch at a time. */
  async #poll(queueArn: string, handler: SqsBatchHandler): Promise<void> {
    let failures = 0;
    while (!this.#stopping.signal.aborted) {
      let messages: Message[];
      let receivedAt: number;
      try {
        const out = await this.#sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.#options.queueUrl,
            MaxNumberOfMessages: this.settings.batchSize,
            WaitTimeSeconds: WAIT_TIME_SECONDS,
            VisibilityTimeout: this.#receiveVisibilitySeconds,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.#abandon.signal },
        );
        messages = out.Messages ?? [];
        // No earlier than SQS's receive: a failed message is given back no sooner than AWS would.
        receivedAt = this.#options.clock.now();
        failures = 0;
      } catch (error) {
        if (this.#abandon.signal.aborted) return;
        this.#stats.pollErrors++;
        this.#report(new Error(`ReceiveMessage on ${this.#options.queueUrl} failed`, { cause: error }));
        await this.#backoff(++failures);
        continue;
      }
      if (messages.length === 0) {
        this.#stats.emptyReceives++;
        continue;
      }
      if (this.#stopping.signal.aborted) {
        // Handed to a poll after stop() began: give them back at once rather than hold them invisible.
        await this.#returnToQueue(messages);
        return;
      }
      this.#busy++;
      try {
        await this.#handle(messages, queueArn, handler, receivedAt);
      } catch (error) {
        // Not the handler's failure (that is recorded as the invocation's): a malformed message or onInvocation.
        this.#stats.pollErrors++;
        this.#report(new Error(`Handling a batch from ${this.#options.queueUrl} failed`, { cause: error }));
      } finally {
        this.#busy--;
      }
    }
  }

  async #handle(
    messages: Message[],
    queueArn: string,
    handler: SqsBatchHandler,
    receivedAt: number,
  ): Promise<void> {
    this.#stats.messagesReceived += messages.length;
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, queueArn, this.#options.queueUrl)) };
    const outcome = await invokeLambda(
      handler,
      event,
      {
        functionName: this.functionName,
        region: this.#region,
        accountId: queueArn.split(':')[4] ?? '',
        memoryMb: this.settings.memoryMb,
        timeoutSeconds: this.settings.timeoutSeconds,
      },
      this.#options.clock,
    );
    const ids = new Set(event.Records.map((r) => r.messageId));
    const verdict = batchVerdict(outcome, ids);
    if (outcome.kind === 'timed-out') {
      this.#stats.timedOut++;
      this.#stats.runningAfterTimeout++;
      void outcome.settled.then(() => this.#stats.runningAfterTimeout--);
    }
    const toDelete = event.Records.filter((r) => !verdict.failed.has(r.messageId));
    if (toDelete.length > 0) await this.#delete(toDelete);
    const failed = event.Records.filter((r) => verdict.failed.has(r.messageId));
    if (failed.length > 0) {
      // Received with a longer visibility than the queue's (see #coveringVisibility): show them again when
      // the queue's own timeout, counted from the receive, has passed, as AWS would.
      const elapsedSeconds = (this.#options.clock.now() - receivedAt) / 1000;
      const remaining = Math.max(0, Math.ceil(this.#queueVisibilitySeconds - elapsedSeconds));
      await this.#changeVisibility(failed, remaining);
    }
    const invocation: SqsInvocation = {
      requestId: outcome.context.awsRequestId,
      startedAt: outcome.startedAt,
      durationMs: outcome.durationMs,
      records: event.Records.length,
      failures: verdict.failed.size,
      ...(verdict.error === undefined ? {} : { error: verdict.error }),
      ...(outcome.kind === 'timed-out' ? { timedOut: true } : {}),
    };
    this.#stats.invocations++;
    this.#invocations.push(invocation);
    this.#options.onInvocation?.(invocation, event);
  }

  /** DeleteMessageBatch, retrying failed entries once; what still fails comes back later. */
  async #delete(records: readonly SQSRecord[]): Promise<void> {
    let pending = records.map((r, i) => ({ Id: `m${i}`, ReceiptHandle: r.receiptHandle }));
    let reason = '';
    for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
      try {
        const out = await this.#sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: this.#options.queueUrl, Entries: pending }),
        );
        const failed = new Map((out.Failed ?? []).map((f) => [f.Id, `${f.Code}: ${f.Message}`]));
        this.#stats.messagesDeleted += pending.length - failed.size;
        pending = pending.filter((entry) => failed.has(entry.Id));
        reason = [...failed.values()].join('; ');
      } catch (error) {
        reason = describeError(error);
      }
    }
    if (pending.length === 0) return;
    this.#stats.deleteFailures += pending.length;
    this.#report(
      new Error(
        `DeleteMessageBatch on ${this.#options.queueUrl} left ${pending.length} handled message(s) undeleted (${reason}); they will be delivered again`,
      ),
    );
  }

  /** Gives messages back to the queue at once (visibility 0): nothing handed to this process is held. */
  async #returnToQueue(messages: readonly Message[]): Promise<void> {
    const records = messages.flatMap((m) =>
      m.MessageId === undefined || m.ReceiptHandle === undefined
        ? []
        : [{ messageId: m.MessageId, receiptHandle: m.ReceiptHandle }],
    );
    await this.#changeVisibility(records, 0);
    this.#stats.returnedOnStop += records.length;
  }

  /** ChangeMessageVisibilityBatch, failures reported: a message it misses reappears at the longer timeout. */
  async #changeVisibility(
    records: readonly Pick<SQSRecord, 'messageId' | 'receiptHandle'>[],
    seconds: number,
  ): Promise<void> {
    for (let i = 0; i < records.length; i += 10) {
      const entries = records.slice(i, i + 10).map((r, j) => ({
        Id: `m${i + j}`,
        ReceiptHandle: r.receiptHandle,
        VisibilityTimeout: seconds,
      }));
      try {
        const out = await this.#sqs.send(
          new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.#options.queueUrl, Entries: entries }),
        );
        for (const failure of out.Failed ?? []) {
          this.#report(
            new Error(
              `ChangeMessageVisibility of entry ${failure.Id} on ${this.#options.queueUrl} failed (${failure.Code}: ${failure.Message}); it reappears after the receive's visibility timeout`,
            ),
          );
        }
      } catch (error) {
        this.#report(
          new Error(`ChangeMessageVisibilityBatch on ${this.#options.queueUrl} failed`, { cause: error }),
        );
      }
    }
  }

  async #queueCounts(): Promise<{ visible: number; inFlight: number; delayed: number }> {
    const out = await this.#sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.#options.queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const attributes: Record<string, string | undefined> = out.Attributes ?? {};
    const count = (name: string) => Number(attributes[name] ?? 0);
    return {
      visible: count('ApproximateNumberOfMessages'),
      inFlight: count('ApproximateNumberOfMessagesNotVisible'),
      delayed: count('ApproximateNumberOfMessagesDelayed'),
    };
  }

  async #backoff(failures: number): Promise<void> {
    try {
      await delay(Math.min(MAX_BACKOFF_MS, 50 * 2 ** (failures - 1)), undefined, {
        signal: this.#stopping.signal,
      });
    } catch {
      // Aborted by stop(): the loop ends.
    }
  }

  #countCall(commandName: string | undefined): void {
    if (commandName === 'ReceiveMessageCommand') this.#stats.receiveCalls++;
    else if (commandName === 'DeleteMessageBatchCommand') this.#stats.deleteCalls++;
    else if (commandName === 'GetQueueAttributesCommand') this.#stats.getQueueAttributesCalls++;
    else if (commandName === 'ChangeMessageVisibilityBatchCommand') this.#stats.visibilityCalls++;
  }

  #report(error: Error): void {
    this.#errors.push(
      `${error.message}${error.cause === undefined ? '' : `: ${describeError(error.cause)}`}`,
    );
    if (this.#errors.length > KEEP_ERRORS) this.#errors.shift();
    this.#options.onError?.(error);
  }
}

/** Which messages of the batch failed, as Lambda reads the invocation's outcome. */
function batchVerdict(
  outcome: InvocationOutcome,
  ids: ReadonlySet<string>,
): { failed: ReadonlySet<string>; error?: string } {
  if (outcome.kind !== 'returned') return { failed: ids, error: describeError(outcome.error) };
  const result = outcome.result;
  if (result === null || typeof result !== 'object' || !('batchItemFailures' in result)) {
    return { failed: new Set() };
  }
  const items = result.batchItemFailures;
  if (items === null) return { failed: new Set() };
  if (!Array.isArray(items)) {
    return {
      failed: ids,
      error: `batchItemFailures is ${JSON.stringify(items)}; expected an array of { itemIdentifier }`,
    };
  }
  const failed = new Set<string>();
  for (const [i, item] of items.entries()) {
    const id: unknown =
      item !== null && typeof item === 'object'
        ? (item as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof id !== 'string' || !ids.has(id)) {
      // Lambda fails the whole batch on an empty, null or unknown itemIdentifier.
      return {
        failed: ids,
        error: `batchItemFailures[${i}].itemIdentifier is ${JSON.stringify(id) ?? 'missing'}; expected the messageId of a record in the batch`,
      };
    }
    failed.add(id);
  }
  return { failed };
}

/** A received message as Lambda hands it over: camelCase fields, attributes as strings, binaries base64. */
function toRecord(message: Message, queueArn: string, queueUrl: string): SQSRecord {
  const { MessageId: messageId, ReceiptHandle: receiptHandle } = message;
  if (messageId === undefined || receiptHandle === undefined) {
    throw new Error(
      `ReceiveMessage on ${queueUrl} returned a message without ${messageId === undefined ? 'MessageId' : 'ReceiptHandle'}; expected both`,
    );
  }
  const attributes = message.Attributes ?? {};
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined
        ? {}
        : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType ?? 'String',
    };
  }
  return {
    messageId,
    receiptHandle,
    body: message.Body ?? '',
    attributes: {
      ...attributes,
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes === undefined
      ? {}
      : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? '',
  };
}
