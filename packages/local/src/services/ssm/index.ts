/**
 * SSM Parameter Store in AWS JSON 1.1: PutParameter, GetParameter(s), GetParametersByPath,
 * DeleteParameter(s), DescribeParameters, with AWS's public region parameters under `/aws/`.
 *
 * The house: inputs.ts (schemas), operations.ts (the operation table), errors.ts, model.ts (the
 * parameter store and its range scans), names.ts (names and paths), filters.ts (ParameterFilters),
 * outputs.ts (output types).
 */
import { isOperation, runOperation } from '../../protocol/operations';
import type { JsonService, ServiceContext, ServiceOptions } from '../../protocol/service';
import { ssmErrors } from './errors';
import { SsmInputs } from './inputs';
import { ParameterStore } from './model';
import { type SsmOperationTable, ssmOperations } from './operations';

export interface SsmOptions extends ServiceOptions {
  /** Standard-tier parameters allowed per account and region; AWS's quota is 10,000. */
  readonly maxStandardParameters?: number;
}

export class SsmService implements JsonService {
  readonly signingName = 'ssm';
  readonly targetPrefix = 'AmazonSSM';
  readonly #store: ParameterStore;
  readonly #operations: SsmOperationTable;

  constructor(options: SsmOptions) {
    this.#store = new ParameterStore(options.clock, options.maxStandardParameters ?? 10_000);
    this.#operations = ssmOperations(this.#store);
  }

  handle(operation: string, input: Record<string, unknown>, ctx: ServiceContext): unknown {
    if (!isOperation(SsmInputs, operation)) {
      throw ssmErrors.unknownOperation(operation, Object.keys(SsmInputs));
    }
    return runOperation(SsmInputs, this.#operations, operation, input, ctx, ssmErrors.input);
  }

  /** Number of parameters stored (the account's own). */
  get size(): number {
    return this.#store.own.size;
  }
}
