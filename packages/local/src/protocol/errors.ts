/**
 * The errors of the front door and the protocol codecs, before any service sees a request: worded as
 * AWS words them for every service (each service's own errors are in its errors.ts).
 */
import { AwsError } from './service';

export const protocolErrors = {
  missingAuthentication: () =>
    new AwsError(
      'MissingAuthenticationTokenException',
      'Request is missing Authentication Token',
      403,
      'MissingAuthenticationToken',
    ),
  /** 500 InternalFailure; SNS words it InternalError, which its SDK maps to InternalErrorException. */
  internalFailure: (service: string) =>
    new AwsError(
      'InternalFailure',
      'The request processing has failed because of an unknown error.',
      500,
      service === 'sns' ? 'InternalError' : undefined,
    ),
  /** Throttling, in the code and status of the service throttled. */
  throttled: (code: string, status: number) => new AwsError(code, 'Rate exceeded', status),
  unknownTarget: (target: string) =>
    new AwsError('UnknownOperationException', `Unknown X-Amz-Target: ${target}`),
  unknownQueryService: (service: string, served: readonly string[]) =>
    new AwsError(
      'InvalidClientTokenId',
      `The credential scope names service ${service || '(none)'}; query requests here go to ${served.join(', ')} (JSON services need an X-Amz-Target header)`,
      403,
    ),
  missingAction: () => new AwsError('MissingAction', 'The request must contain the parameter Action.', 400),
  tooLarge: () =>
    new AwsError('RequestEntityTooLarge', 'Request body is larger than the server accepts', 413),
  /** SerializationException: the request body cannot be read. */
  serialization: (detail: string) => new AwsError('SerializationException', detail, 400),
} as const;
