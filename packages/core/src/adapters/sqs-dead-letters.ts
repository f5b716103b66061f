/**
 * DeadLetterQueue over SQS: dead letters read without being consumed (a receive with a visibility timeout
 * of 0 makes each visible again at once, and none is ever deleted), and redrive with SQS's own message
 * move task, back to the queue the messages came from.
 */
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  ReceiveMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueue, RedriveTask } from '../ports';
import { toDomainError } from './aws-errors';

export interface SqsDeadLettersOptions {
  readonly queueUrl: string;
  readonly queueArn: string;
  /** Where a redrive moves the messages: the work queue. */
  readonly destinationArn: string;
}

/** Receives in a row that bring nothing new before a peek stops: SQS samples servers on each receive. */
const QUIET_RECEIVES = 3;
/** Receives a peek makes at most. */
const MAX_RECEIVES = 50;

export class SqsDeadLetters implements DeadLetterQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly options: SqsDeadLettersOptions,
  ) {}

  async peek(max: number): Promise<DeadLetter[]> {
    const seen = new Map<string, DeadLetter>();
    let quiet = 0;
    for (let receive = 0; receive < MAX_RECEIVES && quiet < QUIET_RECEIVES && seen.size < max; receive++) {
      const output = await this.#call('ReceiveMessage', () =>
        this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 0,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          }),
        ),
      );
      const before = seen.size;
      for (const message of output.Messages ?? []) {
        if (message.MessageId === undefined || seen.has(message.MessageId) || seen.size >= max) continue;
        const sent = Number(message.Attributes?.SentTimestamp);
        seen.set(message.MessageId, {
          messageId: message.MessageId,
          body: message.Body ?? '',
          receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
          sentAt: Number.isFinite(sent) ? sent : undefined,
        });
      }
      quiet = seen.size === before ? quiet + 1 : 0;
    }
    return [...seen.values()];
  }

  async depth(): Promise<number> {
    const output = await this.#call('GetQueueAttributes', () =>
      this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.options.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      ),
    );
    const attributes = output.Attributes ?? {};
    return (
      Number(attributes.ApproximateNumberOfMessages ?? 0) +
      Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  async redrive(): Promise<RedriveTask> {
    const output = await this.#call('StartMessageMoveTask', () =>
      this.sqs.send(
        new StartMessageMoveTaskCommand({
          SourceArn: this.options.queueArn,
          DestinationArn: this.options.destinationArn,
        }),
      ),
    );
    return { taskHandle: output.TaskHandle, status: 'RUNNING', moved: 0 };
  }

  async redriveTasks(): Promise<RedriveTask[]> {
    const output = await this.#call('ListMessageMoveTasks', () =>
      this.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: this.options.queueArn, MaxResults: 10 })),
    );
    return (output.Results ?? []).map(toTask);
  }

  async #call<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toDomainError(error, { operation });
    }
  }
}

function toTask(entry: ListMessageMoveTasksResultEntry): RedriveTask {
  return {
    taskHandle: entry.TaskHandle,
    status: entry.Status ?? 'UNKNOWN',
    moved: entry.ApproximateNumberOfMessagesMoved ?? 0,
    toMove: entry.ApproximateNumberOfMessagesToMove,
    startedAt: entry.StartedTimestamp,
    failureReason: entry.FailureReason,
  };
}
