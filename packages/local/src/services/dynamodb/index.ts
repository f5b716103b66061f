/**
 * DynamoDB: dynalite (LevelDB in memory) mounted in-process behind the front door, which hands it every
 * DynamoDB request but the TTL ones: dynalite lacks UpdateTimeToLive and reports TTL as always disabled,
 * so both TTL operations are answered here and the settings remembered per table.
 *
 * The house: inputs.ts (schemas of the operations answered here), operations.ts (their table),
 * errors.ts, model.ts (TTL settings by table generation), outputs.ts (output types), dynalite.ts (the
 * mounted dynalite). dynalite itself answers the rest, with DynamoDB's own errors (a Query or Scan on a
 * missing index: ValidationException, as DynamoDB answers).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PassThroughService } from '../../protocol/front-door';
import { isOperation, runOperation } from '../../protocol/operations';
import type { JsonService, ServiceContext } from '../../protocol/service';
import { Dynalite, TARGET_PREFIX } from './dynalite';
import { dynamoDbErrors } from './errors';
import { DynamoDbInputs } from './inputs';
import { TtlSettings } from './model';
import { type DynamoDbOperationTable, dynamoDbOperations } from './operations';

export class DynamoDbService implements JsonService, PassThroughService {
  readonly signingName = 'dynamodb';
  readonly targetPrefix = TARGET_PREFIX;
  readonly handledOperations: ReadonlySet<string> = new Set(Object.keys(DynamoDbInputs));
  readonly json: JsonService = this;
  readonly #dynalite = new Dynalite();
  readonly #operations: DynamoDbOperationTable = dynamoDbOperations(new TtlSettings(this.#dynalite));

  passThrough(req: IncomingMessage, res: ServerResponse): void {
    this.#dynalite.listener(req, res);
    // dynalite rethrows request stream errors (a client that hangs up mid-body); that must not crash us.
    req.removeAllListeners('error');
    req.on('error', () => {});
  }

  async handle(operation: string, input: Record<string, unknown>, ctx: ServiceContext): Promise<unknown> {
    if (!isOperation(DynamoDbInputs, operation)) throw dynamoDbErrors.unknownOperation(operation);
    return runOperation(DynamoDbInputs, this.#operations, operation, input, ctx, dynamoDbErrors.input, {
      nullIsAbsent: false,
    });
  }
}
