/**
 * SNS (query protocol): topics, `sqs` subscriptions on this server's queues (the SNS JSON envelope or raw
 * delivery, filter policies), Publish and PublishBatch. Every published message is also kept in a
 * bounded log, read through `GET /_local/sns/messages`. Other protocols (email, https, lambda) are
 * recorded as subscriptions but nothing is delivered to them.
 *
 * The house: inputs.ts (schemas over the query tree), operations.ts (the operation table), errors.ts,
 * model.ts (topics, subscriptions, the published log), delivery.ts (publishing to subscribers),
 * filter-policy.ts (parsing and matching filter policies), validation.ts (what a message to publish
 * must be), outputs.ts (output types and their XML).
 */
import { isOperation, runQueryOperation } from '../../protocol/operations';
import { readQueryTree } from '../../protocol/query';
import type { QueryResult, QueryService, ServiceContext, ServiceOptions } from '../../protocol/service';
import type { QueueDeliveries } from './delivery';
import { snsErrors } from './errors';
import { SnsInputs } from './inputs';
import { type PublishedMessage, SnsModel } from './model';
import { type SnsOperationTable, snsOperations } from './operations';
import { renderSnsXml } from './outputs';

export type { Delivery, PublishedMessage, SnsMessageAttribute } from './model';
export { PUBLISHED_MESSAGE_LOG_LIMIT } from './model';

export class SnsService implements QueryService {
  readonly signingName = 'sns';
  readonly version = '2010-03-31';
  readonly xmlns = 'http://sns.amazonaws.com/doc/2010-03-31/';
  readonly #model = new SnsModel();
  readonly #operations: SnsOperationTable;

  /** `sqs` delivers `sqs` subscriptions to this server's queues. */
  constructor(options: ServiceOptions & { sqs: QueueDeliveries }) {
    this.#operations = snsOperations(this.#model, options.sqs);
  }

  /** Published messages, oldest first, optionally of one topic. */
  messages(topicArn?: string): readonly PublishedMessage[] {
    return this.#model.messages(topicArn);
  }

  clearMessages(): void {
    this.#model.clearMessages();
  }

  async handleQuery(
    action: string,
    params: Readonly<Record<string, string>>,
    ctx: ServiceContext,
  ): Promise<QueryResult> {
    if (!isOperation(SnsInputs, action)) throw snsErrors.invalidAction(action, this.version);
    const input = readQueryTree(params);
    return runQueryOperation(SnsInputs, this.#operations, renderSnsXml, action, input, ctx, snsErrors.input);
  }
}
