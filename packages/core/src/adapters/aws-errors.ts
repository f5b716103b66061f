/**
 * One place that classifies what the AWS SDK throws into the domain's error families. Matching is on the
 * exception's `name` (the AWS error code), its HTTP status and, for network failures, the Node `code`:
 * never on message text. Errors nobody classified are returned unchanged: they are bugs to see, not to
 * retry.
 */
import {
  AccessDeniedError,
  FlinkSnapshotsError,
  InvalidRequestError,
  ResourceInUseError,
  ServiceUnavailableError,
  ThrottledError,
} from '../domain/errors';

/** What was being called when the error happened, for the domain error's message. */
export interface AwsCallContext {
  /** API operation, e.g. `CreateApplicationSnapshot`. */
  readonly operation: string;
  /** MSF application name, when the call concerned one. */
  readonly application?: string | undefined;
  /** The role assumed for the call (cross-account), named in AccessDeniedError. */
  readonly roleArn?: string | undefined;
  /** The tenant the call was for, and the ExternalId of its session, named in AccessDeniedError. */
  readonly tenant?: string | undefined;
  readonly externalId?: string | undefined;
}

/** Codes with which AWS services say "slow down" (SQS, SNS, STS, SSM, DynamoDB, MSF, EC2-style). */
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'Throttled',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
  'KMSThrottlingException',
]);

/** Codes of failures on the service's side, and of timeouts: worth retrying. */
export const SERVICE_FAILURE_CODES: ReadonlySet<string> = new Set([
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'InternalServerException',
  'InternalServiceError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServiceFailure',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Node socket error codes the SDK's HTTP handler surfaces when a connection breaks or times out. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
]);

/** Codes meaning the caller may not do this (besides every `AccessDenied…`). */
export const ACCESS_DENIED_CODES: ReadonlySet<string> = new Set([
  'AuthorizationError',
  'AuthorizationErrorException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'MissingAuthenticationToken',
  'NotAuthorized',
]);

/** The application (or resource) is busy with something else. */
export const IN_USE_CODES: ReadonlySet<string> = new Set([
  'ResourceInUseException',
  'ConcurrentModificationException',
]);

/** The request itself is wrong: it will fail the same way on every retry. */
export const INVALID_REQUEST_CODES: ReadonlySet<string> = new Set([
  'InvalidArgumentException',
  'InvalidRequestException',
  'ValidationException',
  'ValidationError',
  'UnsupportedOperationException',
  'UnsupportedOperation',
  'InvalidParameterException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidParameter',
  'InvalidApplicationConfigurationException',
  'CodeValidationException',
  'InvalidMessageContents',
]);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
}

/** The AWS error code of an SDK exception (its `name`), or undefined for anything else. */
export function awsErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  return error.name;
}

/** HTTP status the service answered with, when the error came from a response. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return (error as SdkErrorShape).$metadata?.httpStatusCode;
}

function isThrottling(error: SdkErrorShape, name: string, status: number | undefined): boolean {
  return THROTTLING_CODES.has(name) || status === 429 || error.$retryable?.throttling === true;
}

function isServiceFailure(error: SdkErrorShape, name: string, status: number | undefined): boolean {
  if (SERVICE_FAILURE_CODES.has(name)) return true;
  if (status !== undefined && status >= 500) return true;
  return typeof error.code === 'string' && NETWORK_ERROR_CODES.has(error.code);
}

function isAccessDenied(name: string): boolean {
  return name.startsWith('AccessDenied') || ACCESS_DENIED_CODES.has(name);
}

/** The code to name in the message: the AWS code, else the socket code, else the HTTP status. */
function receivedCode(error: SdkErrorShape, name: string, status: number | undefined): string {
  if (typeof error.code === 'string' && NETWORK_ERROR_CODES.has(error.code)) return error.code;
  if ((name === 'Error' || name === 'Unknown' || name === '') && status !== undefined)
    return `HTTP ${status}`;
  return name;
}

/**
 * Translates an error thrown by an AWS SDK v3 call into the domain's error (cause kept): throttling →
 * ThrottledError; 5xx, InternalFailure, ServiceUnavailable, timeouts, broken connections →
 * ServiceUnavailableError; AccessDenied… → AccessDeniedError; ResourceInUse/ConcurrentModification →
 * ResourceInUseError; InvalidArgument/InvalidRequest/Validation/UnsupportedOperation… →
 * InvalidRequestError. Domain errors pass through; anything else is returned as is, to be rethrown.
 */
export function toDomainError(error: unknown, context: AwsCallContext): unknown {
  if (error instanceof FlinkSnapshotsError || !(error instanceof Error)) return error;
  const shape = error as SdkErrorShape;
  const name = error.name;
  const status = httpStatusOf(error);
  const failure = {
    operation: context.operation,
    application: context.application,
    code: receivedCode(shape, name, status),
  };
  const options = { cause: error };
  if (isThrottling(shape, name, status)) return new ThrottledError(failure, options);
  if (isAccessDenied(name)) {
    const { roleArn, tenant, externalId } = context;
    return new AccessDeniedError({ ...failure, roleArn, tenant, externalId }, options);
  }
  if (IN_USE_CODES.has(name)) return new ResourceInUseError(failure, options);
  if (INVALID_REQUEST_CODES.has(name)) {
    return new InvalidRequestError({ ...failure, detail: error.message }, options);
  }
  if (isServiceFailure(shape, name, status)) return new ServiceUnavailableError(failure, options);
  return error;
}
