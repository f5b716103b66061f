/**
 * Amazon SQS (standard queues) in AWS JSON 1.0 and the query protocol: queues and their attributes,
 * send/receive/delete with visibility timeouts, delays, retention, long polling woken by what makes a
 * message visible, fair queues (noisy tenants by MessageGroupId served after quiet ones), dead-letter
 * queues after maxReceiveCount, and message move tasks back from a DLQ.
 * State lives in memory; time is the simulated clock (delays and timeouts run `timeScale` times faster).
 *
 * The house: inputs.ts (schemas; query-input.ts maps the query protocol onto them), operations.ts (the
 * operation table), errors.ts, model.ts (the account's queues) and queue.ts (one queue's messages, with
 * heap.ts, and fair.ts: visible messages in fair-queue order), tasks.ts (message move tasks),
 * attributes.ts and validation.ts (what SQS checks), md5.ts (digests), outputs.ts (output types and
 * their XML).
 */
import { isOperation, runOperation, runQueryOperation } from '../../protocol/operations';
import type {
  JsonService,
  QueryResult,
  QueryService,
  ServiceContext,
  ServiceOptions,
} from '../../protocol/service';
import { sqsErrors } from './errors';
import type { TenantView } from './fair';
import { SqsInputs } from './inputs';
import { SqsModel } from './model';
import { type SqsOperationTable, sqsOperations } from './operations';
import { renderSqsXml } from './outputs';
import { queryToInput } from './query-input';
import { MoveTasks } from './tasks';

export type { TenantView } from './fair';
export { queueArnFromUrl, queueUrlFromArn } from './model';

/** SQS reads a JSON null as given: no SQS member is nullable, so a null is a member of the wrong type. */
const READ_NULL_AS_GIVEN = { nullIsAbsent: false } as const;

export class SqsService implements JsonService, QueryService {
  readonly signingName = 'sqs';
  readonly targetPrefix = 'AmazonSQS';
  readonly version = '2012-11-05';
  readonly xmlns = 'http://queue.amazonaws.com/doc/2012-11-05/';

  readonly #model: SqsModel;
  readonly #tasks: MoveTasks;
  readonly #operations: SqsOperationTable;

  constructor(options: ServiceOptions) {
    this.#model = new SqsModel(options.clock, options.random);
    this.#tasks = new MoveTasks(this.#model);
    this.#operations = sqsOperations(this.#model, this.#tasks);
  }

  handle(operation: string, input: Record<string, unknown>, ctx: ServiceContext): Promise<unknown> | unknown {
    if (!isOperation(SqsInputs, operation)) throw sqsErrors.unknownOperation(operation);
    const toError = sqsErrors.input(operation, 'json');
    return runOperation(SqsInputs, this.#operations, operation, input, ctx, toError, READ_NULL_AS_GIVEN);
  }

  handleQuery(
    action: string,
    params: Readonly<Record<string, string>>,
    ctx: ServiceContext,
  ): Promise<QueryResult> {
    if (!isOperation(SqsInputs, action)) throw sqsErrors.invalidAction(action);
    const input = queryToInput(action, params);
    const toError = sqsErrors.input(action, 'query');
    return runQueryOperation(
      SqsInputs,
      this.#operations,
      renderSqsXml,
      action,
      input,
      ctx,
      toError,
      READ_NULL_AS_GIVEN,
    );
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
    this.#model.deliver(queueArn, body, messageAttributes);
  }

  /** Ends every long poll with an empty answer and stops timers, so the server can shut down at once. */
  close(): void {
    this.#model.close();
    this.#tasks.close();
  }

  /** Queue names, for the control plane and tests. */
  queueNames(): string[] {
    return this.#model.names();
  }

  /** Long polls parked on a queue (or on every queue), so tests can act once a receive is waiting. */
  waitingReceives(queueName?: string): number {
    return this.#model.waiting(queueName);
  }

  /**
   * The tenants (MessageGroupIds) of the queue named `queueName` as fair queues see them now: messages in
   * flight, waiting (visible or delayed), and whether noisy; sorted by tenant, [] if there is no such queue.
   */
  fairQueueTenants(queueName: string): TenantView[] {
    const queue = this.#model.queueByName(queueName);
    if (queue === undefined) return [];
    return queue
      .tenants(this.#model.now())
      .sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0));
  }

  /** The MessageGroupIds that fair queues treat as noisy neighbours on the queue named `queueName` now, sorted. */
  noisyTenants(queueName: string): string[] {
    return this.fairQueueTenants(queueName)
      .filter((t) => t.noisy)
      .map((t) => t.tenant);
  }
}
