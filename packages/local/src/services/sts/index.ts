/**
 * STS (query protocol): GetCallerIdentity, which `sst build` and the SDK's credential chain need offline,
 * and AssumeRole / GetSessionToken issuing temporary credentials that every other service accepts (no
 * signature is ever verified here).
 *
 * The house: inputs.ts (schemas), operations.ts (the operation table), errors.ts, outputs.ts (output
 * types and their XML). No model.ts: STS keeps no state; credentials are drawn from the seed and never
 * checked.
 */
import { isOperation, runQueryOperation } from '../../protocol/operations';
import { readQueryTree } from '../../protocol/query';
import type { QueryResult, QueryService, ServiceContext, ServiceOptions } from '../../protocol/service';
import { stsErrors } from './errors';
import { StsInputs } from './inputs';
import { type StsOperationTable, stsOperations } from './operations';
import { renderStsXml } from './outputs';

export class StsService implements QueryService {
  readonly signingName = 'sts';
  readonly version = '2011-06-15';
  readonly xmlns = 'https://sts.amazonaws.com/doc/2011-06-15/';
  readonly #operations: StsOperationTable;

  constructor(options: ServiceOptions) {
    this.#operations = stsOperations(options.random);
  }

  async handleQuery(
    action: string,
    params: Readonly<Record<string, string>>,
    ctx: ServiceContext,
  ): Promise<QueryResult> {
    if (!isOperation(StsInputs, action)) throw stsErrors.invalidAction(action, this.version);
    const input = readQueryTree(params);
    return runQueryOperation(StsInputs, this.#operations, renderStsXml, action, input, ctx, stsErrors.input);
  }
}
