/**
 * WorkQueue over SQS SendMessageBatch. A batch call can succeed for some entries and fail for others:
 * only the failed entries are sent again, and only when SQS says the failure was not the sender's.
 */
import {
  type BatchResultErrorEntry,
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { InvalidRequestError, ServiceUnavailableError, ThrottledError } from '../domain/errors';
import type { SendEntry } from '../domain/work-message';
import type { WorkQueue } from '../ports';
import { THROTTLING_CODES, toDomainError } from './aws-errors';

const OPERATION = 'SendMessageBatch';

export interface SqsWorkQueueOptions {
  /** Calls per batch, the first included, before entries still failing are reported. Default 5. */
  readonly maxAttempts?: number;
  /** Backoff before the first retry (ms); doubles on each retry up to maxDelayMs. Default 100. */
  readonly baseDelayMs?: number;
  /** Largest backoff between two calls (ms). Default 2,000. */
  readonly maxDelayMs?: number;
  /** Waits between retries; injected so tests do not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** [0, 1): jitter source. */
  readonly random?: () => number;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends work messages; the SDK's retry handles whole-call throttling, this class the per-entry failures. */
export class SqsWorkQueue implements WorkQueue {
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    options: SqsWorkQueueOptions = {},
  ) {
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.#baseDelayMs = options.baseDelayMs ?? 100;
    this.#maxDelayMs = options.maxDelayMs ?? 2_000;
    this.#sleep = options.sleep ?? sleepFor;
    this.#random = options.random ?? Math.random;
  }

  /**
   * Sends one batch (at most 10 entries), retrying only entries that failed on SQS's side, with capped
   * exponential backoff and jitter. Throws InvalidRequestError for entries SQS rejected as the sender's
   * fault, ThrottledError/ServiceUnavailableError for entries still failing after the last attempt.
   */
  async sendBatch(entries: readonly SendEntry[]): Promise<void> {
    if (entries.length === 0) return;
    let pending: readonly SendEntry[] = entries;
    const rejected: BatchResultErrorEntry[] = [];
    let failing: BatchResultErrorEntry[] = [];
    for (let attempt = 1; ; attempt++) {
      const output = await this.#send(pending);
      const failed = output.Failed ?? [];
      rejected.push(...failed.filter((entry) => entry.SenderFault === true));
      failing = failed.filter((entry) => entry.SenderFault !== true);
      if (failing.length === 0 || attempt >= this.#maxAttempts) break;
      const retry = new Set(failing.map((entry) => entry.Id));
      pending = pending.filter((entry) => retry.has(entry.id));
      await this.#sleep(this.#backoff(attempt));
    }
    if (rejected.length > 0) {
      const still =
        failing.length === 0
          ? ''
          : `; still failing after ${this.#maxAttempts} attempts: ${describe(failing)}`;
      throw new InvalidRequestError(
        {
          operation: OPERATION,
          code: unique(rejected.map((entry) => entry.Code)),
          detail: `SQS rejected entries ${describe(rejected)} as the sender's fault${still}`,
        },
        { cause: [...rejected, ...failing] },
      );
    }
    if (failing.length > 0) {
      const failure = {
        operation: OPERATION,
        code: `${unique(failing.map((entry) => entry.Code))} for entries ${failing.map((entry) => entry.Id).join(', ')} after ${this.#maxAttempts} attempts`,
      };
      const throttled = failing.every((entry) => THROTTLING_CODES.has(entry.Code ?? ''));
      throw throttled
        ? new ThrottledError(failure, { cause: failing })
        : new ServiceUnavailableError(failure, { cause: failing });
    }
  }

  async #send(entries: readonly SendEntry[]): Promise<SendMessageBatchCommandOutput> {
    try {
      return await this.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries.map(toRequestEntry) }),
      );
    } catch (error) {
      throw toDomainError(error, { operation: OPERATION });
    }
  }

  /** Equal jitter: half the capped exponential delay, plus up to the other half at random. */
  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + this.#random() * (ceiling / 2);
  }
}

function toRequestEntry(entry: SendEntry): SendMessageBatchRequestEntry {
  const attributes = Object.entries(entry.attributes ?? {});
  return {
    Id: entry.id,
    MessageBody: entry.body,
    ...(entry.delaySeconds === undefined ? {} : { DelaySeconds: entry.delaySeconds }),
    ...(entry.groupId === undefined ? {} : { MessageGroupId: entry.groupId }),
    ...(attributes.length === 0
      ? {}
      : {
          MessageAttributes: Object.fromEntries(
            attributes.map(([name, value]): [string, MessageAttributeValue] => [
              name,
              { DataType: 'String', StringValue: value },
            ]),
          ),
        }),
  };
}

function describe(entries: readonly BatchResultErrorEntry[]): string {
  return entries.map((entry) => `${entry.Id} (${entry.Code}: ${entry.Message ?? 'no message'})`).join(', ');
}

function unique(codes: readonly (string | undefined)[]): string {
  return [...new Set(codes.map((code) => code ?? 'unknown'))].join(', ');
}
