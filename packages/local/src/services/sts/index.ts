/**
 * STS (query protocol): GetCallerIdentity, which `sst build` and the SDK's credential chain need offline,
 * and AssumeRole / GetSessionToken issuing temporary credentials that every other service accepts (no
 * signature is ever verified here). AssumeRole records each session (role, ExternalId, session tags), so
 * a service can tell who signed a request by its access key id (`sessionOf`), and refuses a role that
 * requires an ExternalId (`requireExternalId`, the fleet file's `roles`) without it.
 *
 * The house: inputs.ts (schemas), operations.ts (the operation table), errors.ts, model.ts (sessions and
 * the roles' ExternalIds), outputs.ts (output types and their XML).
 */
import { isOperation, runQueryOperation } from '../../protocol/operations';
import { readQueryTree } from '../../protocol/query';
import type {
  QueryResult,
  QueryService,
  ServiceContext,
  ServiceOptions,
  SessionDirectory,
} from '../../protocol/service';
import { stsErrors } from './errors';
import { StsInputs, stsInput } from './inputs';
import { type RoleRequirement, StsModel, type StsSession } from './model';
import { type StsOperationTable, stsOperations } from './operations';
import { renderStsXml } from './outputs';

export type { RoleRequirement, StsSession } from './model';

export interface StsOptions extends ServiceOptions {
  /** Roles whose AssumeRole requires an ExternalId (the fleet file's `roles`). */
  readonly roles?: readonly RoleRequirement[];
}

export class StsService implements QueryService, SessionDirectory {
  readonly signingName = 'sts';
  readonly version = '2011-06-15';
  readonly xmlns = 'https://sts.amazonaws.com/doc/2011-06-15/';
  readonly #model = new StsModel();
  readonly #operations: StsOperationTable;

  constructor(options: StsOptions) {
    this.#operations = stsOperations(this.#model, options.random);
    for (const role of options.roles ?? []) this.requireExternalId(role.roleArn, role.externalId);
  }

  async handleQuery(
    action: string,
    params: Readonly<Record<string, string>>,
    ctx: ServiceContext,
  ): Promise<QueryResult> {
    if (!isOperation(StsInputs, action)) throw stsErrors.invalidAction(action, this.version);
    const input = stsInput(readQueryTree(params));
    return runQueryOperation(StsInputs, this.#operations, renderStsXml, action, input, ctx, stsErrors.input);
  }

  // ---- read API and set-up, for tests, the control plane and other services ----

  /** Every session AssumeRole issued (the newest 100,000), oldest first. */
  sessions(): StsSession[] {
    return this.#model.sessions();
  }

  /** The session whose credentials carry that access key id, if AssumeRole issued it. */
  sessionOf(accessKeyId: string): StsSession | undefined {
    return this.#model.sessionOf(accessKeyId);
  }

  /**
   * From now on, AssumeRole of `roleArn` is refused with AccessDenied unless it passes exactly
   * `externalId` (as a trust policy's `sts:ExternalId` condition does). Throws a TypeError naming a bad
   * role ARN or ExternalId.
   */
  requireExternalId(roleArn: string, externalId: string): RoleRequirement {
    return this.#model.requireExternalId(roleArn, externalId);
  }

  /** Every role that requires an ExternalId. */
  roles(): RoleRequirement[] {
    return this.#model.roles();
  }
}
