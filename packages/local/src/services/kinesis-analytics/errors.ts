/**
 * Kinesis Analytics V2's errors, as MSF declares them per operation, each naming the application,
 * snapshot or value at fault and what was expected; and IAM's refusal (AccessDeniedException), worded
 * as IAM words it for a JSON service.
 */
import { validationError } from '../../protocol/input';
import { AwsError } from '../../protocol/service';
import { SNAPSHOTS_PER_APPLICATION_LIMIT, TAGS_PER_APPLICATION_LIMIT } from './fleet';

const invalidArgument = (message: string) => new AwsError('InvalidArgumentException', message);
const inUse = (message: string) => new AwsError('ResourceInUseException', message);

export const msfErrors = {
  input: validationError('InvalidArgumentException'),
  unknownOperation: (operation: string, supported: readonly string[]) =>
    new AwsError(
      'UnknownOperationException',
      `Operation ${operation} is not supported by the local Kinesis Analytics V2; supported: ${supported.join(', ')}`,
    ),
  applicationNotFound: (name: string) =>
    new AwsError('ResourceNotFoundException', `Application ${name} not found`),
  applicationArnNotFound: (arn: string) =>
    new AwsError('ResourceNotFoundException', `Application ${arn} not found`),
  snapshotNotFound: (application: string, name: string) =>
    new AwsError('ResourceNotFoundException', `Snapshot ${name} not found for application ${application}`),
  applicationExists: (name: string) =>
    inUse(`Application ${name} already exists; choose another name or delete it first`),
  /** The application is in a status the operation does not act in; `allowed` says which it needs. */
  wrongStatus: (name: string, status: string, allowed: string) =>
    inUse(`Application ${name} is in ${status} status; ${allowed}`),
  alreadyDeleting: (name: string) => inUse(`Application ${name} is already DELETING`),
  snapshotExists: (application: string, name: string, status: string) =>
    inUse(
      `Snapshot ${name} already exists for application ${application} (status ${status}); snapshot names must be unique`,
    ),
  snapshotInProgress: (application: string, creating: string) =>
    inUse(
      `Application ${application} is already creating snapshot ${creating}; wait until it is READY or FAILED`,
    ),
  snapshotAlreadyDeleting: (application: string, name: string) =>
    inUse(`Snapshot ${name} of application ${application} is already DELETING`),
  snapshotsUnsupported: (name: string) =>
    new AwsError(
      'UnsupportedOperationException',
      `Application ${name} runs SQL-1_0; snapshots are supported for Apache Flink applications only`,
    ),
  snapshotsDisabled: (name: string) =>
    new AwsError(
      'InvalidRequestException',
      `Snapshots are disabled for application ${name}; enable them with UpdateApplication (SnapshotsEnabledUpdate: true)`,
    ),
  snapshotLimit: (name: string, what: string) =>
    new AwsError(
      'LimitExceededException',
      `Application ${name} already has ${SNAPSHOTS_PER_APPLICATION_LIMIT} snapshots, the maximum; cannot create ${what}. Delete snapshots first`,
    ),
  updateUnconditional: (name: string) =>
    invalidArgument(
      `UpdateApplication of ${name} needs CurrentApplicationVersionId or ConditionalToken; got neither`,
    ),
  versionMismatch: (name: string, given: number, current: number) =>
    new AwsError(
      'ConcurrentModificationException',
      `CurrentApplicationVersionId ${given} does not match application ${name}'s current version ${current}; describe the application and retry with its version`,
    ),
  tokenMismatch: (name: string, given: string, current: string) =>
    new AwsError(
      'ConcurrentModificationException',
      `ConditionalToken ${given} does not match application ${name}'s current token ${current}`,
    ),
  createTimestampMismatch: (name: string, given: number, createdAtMs: number) =>
    invalidArgument(
      `CreateTimestamp ${given} does not match application ${name}'s CreateTimestamp ${createdAtMs / 1000}`,
    ),
  snapshotTimestampMismatch: (application: string, name: string, given: number, createdAtMs: number) =>
    invalidArgument(
      `SnapshotCreationTimestamp ${given} does not match snapshot ${name}'s creation timestamp ${createdAtMs / 1000} (application ${application})`,
    ),
  restoreNameNotAllowed: (snapshotName: string, type: string) =>
    invalidArgument(
      `SnapshotName ${snapshotName} is only allowed with RESTORE_FROM_CUSTOM_SNAPSHOT, got ${type}`,
    ),
  restoreNameMissing: (application: string) =>
    invalidArgument(`RESTORE_FROM_CUSTOM_SNAPSHOT needs a SnapshotName (application ${application})`),
  restoreNotReady: (application: string, snapshotName: string, status: string) =>
    invalidArgument(
      `Snapshot ${snapshotName} of application ${application} is ${status}; restoring needs a READY snapshot`,
    ),
  reservedTagKey: (key: string) =>
    invalidArgument(
      `Tag key ${key} starts with aws:, a prefix reserved for AWS; such tags cannot be added or removed`,
    ),
  tooManyTags: (name: string, count: number) =>
    new AwsError(
      'TooManyTagsException',
      `Application ${name} would have ${count} tags; the maximum number of user-defined application tags is ${TAGS_PER_APPLICATION_LIMIT}`,
    ),
  /** IAM's refusal of a call no policy allows (HTTP 400, as JSON 1.1 services answer it). */
  accessDenied: (callerArn: string, operation: string, resourceArn: string) =>
    new AwsError(
      'AccessDeniedException',
      `User: ${callerArn} is not authorized to perform: kinesisanalytics:${operation} on resource: ${resourceArn} because no identity-based policy allows the kinesisanalytics:${operation} action`,
    ),
  invalidNextToken: (token: string) =>
    invalidArgument(
      `NextToken '${token.slice(0, 64)}' is not valid; pass the NextToken of the previous response unchanged`,
    ),
} as const;
