/**
 * The error hierarchy: one base, two families. Retryable errors are thrown out of the record
 * handler so SQS retries the message (and finally dead-letters it); permanent errors are recorded in the
 * run, alerted, and the message is consumed. Classify with `instanceof` (isRetryable), never on messages.
 */
import { type FieldIssue, formatIssue } from './issues';

/** Base of every error this tool raises on purpose; `cause` is kept (ErrorOptions). */
export class FlinkSnapshotsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Transient: throttling, resource in use, 5xx. Worth retrying the same message later. */
export class RetryableError extends FlinkSnapshotsError {}

/** Will fail the same way on every retry: bad configuration, unknown application, invalid message. */
export class PermanentError extends FlinkSnapshotsError {}

/** Where an AWS call failed: the operation, for which application, and the service's error code. */
export interface CallFailure {
  /** API operation, e.g. `CreateApplicationSnapshot`. */
  readonly operation: string;
  /** MSF application name, when the call concerned one. */
  readonly application?: string | undefined;
  /** The service's error code, e.g. `ThrottlingException`, or the HTTP status for a bare 5xx. */
  readonly code?: string | undefined;
}

function callSubject(failure: CallFailure): string {
  const application = failure.application === undefined ? '' : ` for application ${failure.application}`;
  return `${failure.operation}${application}`;
}

function received(failure: CallFailure): string {
  return failure.code === undefined ? '' : ` (received ${failure.code})`;
}

/** A retryable failure of one AWS call: the operation, the application it concerned, the service's code. */
export abstract class RetryableCallError extends RetryableError implements CallFailure {
  readonly operation: string;
  readonly application: string | undefined;
  readonly code: string | undefined;
  protected constructor(failure: CallFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.operation = failure.operation;
    this.application = failure.application;
    this.code = failure.code;
  }
}

/** A permanent failure of one AWS call: the operation, the application it concerned, the service's code. */
export abstract class PermanentCallError extends PermanentError implements CallFailure {
  readonly operation: string;
  readonly application: string | undefined;
  readonly code: string | undefined;
  protected constructor(failure: CallFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.operation = failure.operation;
    this.application = failure.application;
    this.code = failure.code;
  }
}

/** The service throttled the call (ThrottlingException, TooManyRequestsException, …). */
export class ThrottledError extends RetryableCallError {
  constructor(failure: CallFailure, options?: ErrorOptions) {
    super(
      failure,
      `${callSubject(failure)} was throttled${received(failure)}; expected to succeed when retried after a backoff`,
      options,
    );
  }
}

/** The service failed on its side (HTTP 5xx, ServiceUnavailable, InternalFailure, timeouts). */
export class ServiceUnavailableError extends RetryableCallError {
  constructor(failure: CallFailure, options?: ErrorOptions) {
    super(
      failure,
      `${callSubject(failure)} failed on the service side${received(failure)}; expected to succeed when retried`,
      options,
    );
  }
}

/** The application is busy (ResourceInUseException, ConcurrentModificationException): an update or another snapshot. */
export class ResourceInUseError extends RetryableCallError {
  constructor(failure: CallFailure, options?: ErrorOptions) {
    super(
      failure,
      `${callSubject(failure)} found the application busy${received(failure)}; expected it to be free when retried`,
      options,
    );
  }
}

/** The caller may not do this (AccessDenied, or the cross-account role cannot be assumed). */
export class AccessDeniedError extends PermanentCallError {
  readonly roleArn: string | undefined;
  /** The tenant the session was for, and the ExternalId it passed (a role of another account). */
  readonly tenant: string | undefined;
  readonly externalId: string | undefined;
  constructor(
    failure: CallFailure & {
      readonly roleArn?: string | undefined;
      readonly tenant?: string | undefined;
      readonly externalId?: string | undefined;
    },
    options?: ErrorOptions,
  ) {
    const role = failure.roleArn === undefined ? '' : ` as ${failure.roleArn}`;
    const tenant =
      failure.tenant === undefined
        ? ''
        : ` for tenant ${failure.tenant}${failure.externalId === undefined ? '' : ` (ExternalId ${failure.externalId})`}`;
    super(
      failure,
      `${callSubject(failure)} was denied${role}${tenant}${received(failure)}; expected the role to allow it (check roleArn, its trust policy's ExternalId and tenant tag condition, and its permission policy)`,
      options,
    );
    this.roleArn = failure.roleArn;
    this.tenant = failure.tenant;
    this.externalId = failure.externalId;
  }
}

/** The service rejected the request as invalid (InvalidArgument, InvalidRequest, UnsupportedOperation, …). */
export class InvalidRequestError extends PermanentCallError {
  readonly detail: string;
  constructor(failure: CallFailure & { readonly detail: string }, options?: ErrorOptions) {
    super(
      failure,
      `${callSubject(failure)} was rejected${received(failure)}: ${failure.detail}; expected a request the service accepts`,
      options,
    );
    this.detail = failure.detail;
  }
}

/** No MSF application of that name in the region (ResourceNotFoundException on the application). */
export class ApplicationNotFoundError extends PermanentError {
  readonly application: string;
  readonly region: string | undefined;
  constructor(
    failure: { readonly application: string; readonly region?: string | undefined },
    options?: ErrorOptions,
  ) {
    const region = failure.region === undefined ? '' : ` in ${failure.region}`;
    super(
      `application ${failure.application} was not found${region}; expected an existing MSF application (check applicationName, region and roleArn)`,
      options,
    );
    this.application = failure.application;
    this.region = failure.region;
  }
}

/** The application already holds the maximum number of snapshots (LimitExceededException on create). */
export class SnapshotQuotaExceededError extends PermanentError {
  readonly application: string;
  readonly limit: number;
  readonly total: number | undefined;
  /** What pruning did about it, when it was tried ("pruning freed none", "deletions still running …"). */
  readonly relief: string | undefined;
  constructor(
    failure: {
      readonly application: string;
      readonly limit: number;
      readonly total?: number | undefined;
      readonly relief?: string | undefined;
    },
    options?: ErrorOptions,
  ) {
    const total = failure.total === undefined ? 'the limit' : `${failure.total}`;
    const relief = failure.relief === undefined ? '' : ` (${failure.relief})`;
    super(
      `application ${failure.application} holds ${total} snapshots${relief}; expected fewer than ${failure.limit} (prune, or set retention.manage to "all" to prune snapshots not made by flink-snapshots)`,
      options,
    );
    this.application = failure.application;
    this.limit = failure.limit;
    this.total = failure.total;
    this.relief = failure.relief;
  }
}

function problems(issues: readonly FieldIssue[]): string {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return `${count}: ${issues.map(formatIssue).join('; ')}`;
}

/** An application's SSM parameter (its name or its JSON value) is invalid; `issues` lists every problem. */
export class ConfigError extends PermanentError {
  readonly parameter: string;
  readonly issues: readonly FieldIssue[];
  /** Known when the parameter name itself is valid, so the failure can be recorded for the application. */
  readonly tenant: string | undefined;
  readonly appKey: string | undefined;
  constructor(
    failure: {
      readonly parameter: string;
      readonly issues: readonly FieldIssue[];
      readonly tenant?: string | undefined;
      readonly appKey?: string | undefined;
    },
    options?: ErrorOptions,
  ) {
    super(
      `SSM parameter ${failure.parameter} is not a valid configuration, ${problems(failure.issues)}`,
      options,
    );
    this.parameter = failure.parameter;
    this.issues = failure.issues;
    this.tenant = failure.tenant;
    this.appKey = failure.appKey;
  }
}

/** An application is not bound to the tenant whose parameter names it: the worker does nothing to it. */
export class TenantBindingError extends PermanentError {
  readonly tenant: string;
  readonly application: string;
  /** The tenant its tag names, if any. */
  readonly owner: string | undefined;
  constructor(
    failure: {
      readonly tenant: string;
      readonly application: string;
      readonly owner: string | undefined;
      readonly reason: string;
    },
    options?: ErrorOptions,
  ) {
    super(failure.reason, options);
    this.tenant = failure.tenant;
    this.application = failure.application;
    this.owner = failure.owner;
  }
}

/** A work message (or a batch entry about to be sent) is not what the contract says; `issues` lists why. */
export class InvalidMessageError extends PermanentError {
  readonly issues: readonly FieldIssue[];
  /** The SQS message id or batch entry id, when known. */
  readonly messageId: string | undefined;
  constructor(
    failure: { readonly issues: readonly FieldIssue[]; readonly messageId?: string | undefined },
    options?: ErrorOptions,
  ) {
    const which = failure.messageId === undefined ? 'work message' : `work message ${failure.messageId}`;
    super(`${which} is invalid, ${problems(failure.issues)}`, options);
    this.issues = failure.issues;
    this.messageId = failure.messageId;
  }
}

/** A run was asked to move between states the transition table does not connect. */
export class IllegalTransitionError extends PermanentError {
  readonly from: string;
  readonly to: string;
  readonly allowed: readonly string[];
  readonly appKey: string | undefined;
  readonly runId: string | undefined;
  constructor(
    failure: {
      readonly from: string;
      readonly to: string;
      readonly allowed: readonly string[];
      readonly appKey?: string | undefined;
      readonly runId?: string | undefined;
    },
    options?: ErrorOptions,
  ) {
    const run =
      failure.appKey === undefined && failure.runId === undefined
        ? ''
        : ` (run ${failure.appKey ?? '?'} ${failure.runId ?? '?'})`;
    const allowed = failure.allowed.length === 0 ? 'none: it is terminal' : failure.allowed.join(', ');
    super(
      `illegal run transition ${failure.from} → ${failure.to}${run}; expected one of ${allowed}`,
      options,
    );
    this.from = failure.from;
    this.to = failure.to;
    this.allowed = failure.allowed;
    this.appKey = failure.appKey;
    this.runId = failure.runId;
  }
}

/** True for errors worth retrying (RetryableError family); everything else is permanent or a bug. */
export function isRetryable(error: unknown): error is RetryableError {
  return error instanceof RetryableError;
}

/** True for errors that will fail the same way on retry (PermanentError family). */
export function isPermanent(error: unknown): error is PermanentError {
  return error instanceof PermanentError;
}

/** No SSM parameter configures the application an operator named: nothing was done. */
export class ApplicationNotConfiguredError extends PermanentError {
  readonly appKey: string;
  readonly parameter: string;
  constructor(failure: { readonly appKey: string; readonly parameter: string }, options?: ErrorOptions) {
    super(
      `application ${failure.appKey} has no configuration: SSM parameter ${failure.parameter} does not exist; expected an application key <tenant>/<app> whose parameter exists (write one, {} for all defaults, to add it to the fleet)`,
      options,
    );
    this.appKey = failure.appKey;
    this.parameter = failure.parameter;
  }
}

/**
 * A restore was refused before anything was done (or, for a snapshot gone since the plan, before the
 * application was stopped): `reason` says what was found and what is expected.
 */
export class RestoreRefusedError extends PermanentError {
  readonly application: string;
  readonly snapshot: string | undefined;
  constructor(
    failure: {
      readonly application: string;
      readonly snapshot?: string | undefined;
      readonly reason: string;
    },
    options?: ErrorOptions,
  ) {
    super(`restore of application ${failure.application} refused: ${failure.reason}`, options);
    this.application = failure.application;
    this.snapshot = failure.snapshot;
  }
}

/** A wait for a run or an application ended at its bound before the awaited state was reached. */
export class WaitTimedOutError extends PermanentError {
  readonly waitedMs: number;
  constructor(
    failure: { readonly what: string; readonly waitedMs: number; readonly last: string },
    options?: ErrorOptions,
  ) {
    super(
      `gave up waiting for ${failure.what} after ${Math.round(failure.waitedMs / 1000)} s; last seen: ${failure.last}`,
      options,
    );
    this.waitedMs = failure.waitedMs;
  }
}
