import { KinesisAnalyticsV2ServiceException } from '@aws-sdk/client-kinesis-analytics-v2';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { clientConfig } from '@flink-snapshots/testkit';
import { describe, expect, it } from 'vitest';
import { toDomainError } from '../../src/adapters/aws-errors';
import {
  AccessDeniedError,
  ApplicationNotFoundError,
  InvalidRequestError,
  ResourceInUseError,
  ServiceUnavailableError,
  ThrottledError,
} from '../../src/domain/errors';

/** An exception as the SDK deserializes it from an error response. */
function serviceError(name: string, httpStatusCode: number, message = `${name} happened`) {
  return new KinesisAnalyticsV2ServiceException({
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
    message,
  });
}

const DOMAIN_ERRORS = {
  ThrottledError,
  ServiceUnavailableError,
  AccessDeniedError,
  ResourceInUseError,
  InvalidRequestError,
} as const;

const CONTEXT = { operation: 'CreateApplicationSnapshot', application: 'orders' };

describe('toDomainError', () => {
  it.each([
    ['ThrottlingException', 400, 'ThrottledError'],
    ['Throttling', 400, 'ThrottledError'],
    ['ThrottledException', 429, 'ThrottledError'],
    ['RequestThrottled', 403, 'ThrottledError'],
    ['TooManyRequestsException', 400, 'ThrottledError'],
    ['ProvisionedThroughputExceededException', 400, 'ThrottledError'],
    ['RequestLimitExceeded', 400, 'ThrottledError'],
    ['SomethingNew', 429, 'ThrottledError'],
    ['InternalFailure', 500, 'ServiceUnavailableError'],
    ['ServiceUnavailable', 503, 'ServiceUnavailableError'],
    ['InternalServerError', 500, 'ServiceUnavailableError'],
    ['RequestTimeoutException', 408, 'ServiceUnavailableError'],
    ['UnmodeledServerFault', 502, 'ServiceUnavailableError'],
    ['AccessDeniedException', 400, 'AccessDeniedError'],
    ['AccessDenied', 403, 'AccessDeniedError'],
    ['AuthorizationErrorException', 403, 'AccessDeniedError'],
    ['ResourceInUseException', 400, 'ResourceInUseError'],
    ['ConcurrentModificationException', 400, 'ResourceInUseError'],
    ['InvalidArgumentException', 400, 'InvalidRequestError'],
    ['InvalidRequestException', 400, 'InvalidRequestError'],
    ['ValidationException', 400, 'InvalidRequestError'],
    ['UnsupportedOperationException', 400, 'InvalidRequestError'],
  ] as const)('translates %s (HTTP %i) into %s, keeping the cause', (name, status, expected) => {
    const error = serviceError(name, status);

    const translated = toDomainError(error, CONTEXT);

    expect(translated).toBeInstanceOf(DOMAIN_ERRORS[expected]);
    expect(translated).toMatchObject({
      operation: 'CreateApplicationSnapshot',
      application: 'orders',
      code: name,
    });
    expect((translated as Error).cause).toBe(error);
    expect((translated as Error).message).toContain('CreateApplicationSnapshot for application orders');
  });

  it('names the role in AccessDeniedError', () => {
    const roleArn = 'arn:aws:iam::111122223333:role/flink-snapshots-access';
    const translated = toDomainError(serviceError('AccessDeniedException', 400), { ...CONTEXT, roleArn });

    expect(translated).toMatchObject({ roleArn });
    expect((translated as Error).message).toContain(`as ${roleArn}`);
  });

  it("keeps the service's explanation in InvalidRequestError", () => {
    const translated = toDomainError(
      serviceError('InvalidArgumentException', 400, 'SnapshotName is too long'),
      CONTEXT,
    );

    expect(translated).toMatchObject({ detail: 'SnapshotName is too long' });
  });

  it('returns errors it does not know unchanged', () => {
    const unknown = serviceError('ResourceNotFoundException', 400);
    const bug = new TypeError('cannot read properties of undefined');

    expect(toDomainError(unknown, CONTEXT)).toBe(unknown);
    expect(toDomainError(bug, CONTEXT)).toBe(bug);
    expect(toDomainError('a string', CONTEXT)).toBe('a string');
  });

  it('passes domain errors through', () => {
    const domain = new ApplicationNotFoundError({ application: 'orders' });
    expect(toDomainError(domain, CONTEXT)).toBe(domain);
  });

  it('translates a refused connection into ServiceUnavailableError naming the socket code', async () => {
    // Port 9 (discard) on loopback: nothing listens there.
    const ssm = new SSMClient(clientConfig('http://127.0.0.1:9', 1));
    const error = await ssm.send(new GetParametersByPathCommand({ Path: '/x' })).catch((e: unknown) => e);
    ssm.destroy();

    const translated = toDomainError(error, { operation: 'GetParametersByPath' });

    expect(translated).toBeInstanceOf(ServiceUnavailableError);
    expect(translated).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
