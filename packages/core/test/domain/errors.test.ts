import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  ApplicationNotFoundError,
  ConfigError,
  FlinkSnapshotsError,
  IllegalTransitionError,
  InvalidMessageError,
  InvalidRequestError,
  isPermanent,
  isRetryable,
  PermanentError,
  ResourceInUseError,
  RetryableError,
  ServiceUnavailableError,
  SnapshotQuotaExceededError,
  TenantBindingError,
  ThrottledError,
} from '../../src/domain/errors';
import type { FieldIssue } from '../../src/domain/issues';

const cause = new Error('SDK exception');
const issue: FieldIssue = {
  field: 'retention.count',
  kind: 'out-of-range',
  value: '0',
  expected: 'an integer from 1 to 1000',
};
const call = { operation: 'CreateApplicationSnapshot', application: 'orders', code: 'ThrottlingException' };

describe('error hierarchy', () => {
  const cases: {
    error: Error;
    family: typeof RetryableError | typeof PermanentError;
    name: string;
    message: string;
    fields: object;
  }[] = [
    {
      error: new ThrottledError(call, { cause }),
      family: RetryableError,
      name: 'ThrottledError',
      message:
        'CreateApplicationSnapshot for application orders was throttled (received ThrottlingException); expected to succeed when retried after a backoff',
      fields: call,
    },
    {
      error: new ServiceUnavailableError({ operation: 'ListApplicationSnapshots', code: '503' }, { cause }),
      family: RetryableError,
      name: 'ServiceUnavailableError',
      message:
        'ListApplicationSnapshots failed on the service side (received 503); expected to succeed when retried',
      fields: { operation: 'ListApplicationSnapshots', application: undefined, code: '503' },
    },
    {
      error: new ResourceInUseError(
        { operation: 'CreateApplicationSnapshot', application: 'orders' },
        { cause },
      ),
      family: RetryableError,
      name: 'ResourceInUseError',
      message:
        'CreateApplicationSnapshot for application orders found the application busy; expected it to be free when retried',
      fields: { operation: 'CreateApplicationSnapshot', application: 'orders', code: undefined },
    },
    {
      error: new AccessDeniedError(
        {
          operation: 'AssumeRole',
          code: 'AccessDenied',
          roleArn: 'arn:aws:iam::123456789012:role/x',
          tenant: 'payments',
          externalId: 'prod/payments',
        },
        { cause },
      ),
      family: PermanentError,
      name: 'AccessDeniedError',
      message:
        "AssumeRole was denied as arn:aws:iam::123456789012:role/x for tenant payments (ExternalId prod/payments) (received AccessDenied); expected the role to allow it (check roleArn, its trust policy's ExternalId and tenant tag condition, and its permission policy)",
      fields: {
        operation: 'AssumeRole',
        roleArn: 'arn:aws:iam::123456789012:role/x',
        code: 'AccessDenied',
        tenant: 'payments',
        externalId: 'prod/payments',
      },
    },
    {
      error: new TenantBindingError(
        { tenant: 'payments', application: 'indexer', owner: 'search', reason: 'indexer belongs to search' },
        { cause },
      ),
      family: PermanentError,
      name: 'TenantBindingError',
      message: 'indexer belongs to search',
      fields: { tenant: 'payments', application: 'indexer', owner: 'search' },
    },
    {
      error: new AccessDeniedError(
        {
          operation: 'ListTagsForResource',
          application: 'indexer',
          code: 'AccessDeniedException',
          tenant: 'payments',
        },
        { cause },
      ),
      family: PermanentError,
      name: 'AccessDeniedError',
      message:
        "ListTagsForResource for application indexer was denied for tenant payments (received AccessDeniedException); expected the role to allow it (check roleArn, its trust policy's ExternalId and tenant tag condition, and its permission policy)",
      fields: { tenant: 'payments', externalId: undefined },
    },
    {
      error: new AccessDeniedError({ operation: 'DescribeApplication', application: 'orders' }, { cause }),
      family: PermanentError,
      name: 'AccessDeniedError',
      message:
        "DescribeApplication for application orders was denied; expected the role to allow it (check roleArn, its trust policy's ExternalId and tenant tag condition, and its permission policy)",
      fields: { roleArn: undefined },
    },
    {
      error: new InvalidRequestError(
        {
          operation: 'CreateApplicationSnapshot',
          application: 'orders',
          code: 'UnsupportedOperationException',
          detail: 'snapshots are disabled',
        },
        { cause },
      ),
      family: PermanentError,
      name: 'InvalidRequestError',
      message:
        'CreateApplicationSnapshot for application orders was rejected (received UnsupportedOperationException): snapshots are disabled; expected a request the service accepts',
      fields: { detail: 'snapshots are disabled', code: 'UnsupportedOperationException' },
    },
    {
      error: new ApplicationNotFoundError({ application: 'orders', region: 'eu-west-1' }, { cause }),
      family: PermanentError,
      name: 'ApplicationNotFoundError',
      message:
        'application orders was not found in eu-west-1; expected an existing MSF application (check applicationName, region and roleArn)',
      fields: { application: 'orders', region: 'eu-west-1' },
    },
    {
      error: new ApplicationNotFoundError({ application: 'orders' }, { cause }),
      family: PermanentError,
      name: 'ApplicationNotFoundError',
      message:
        'application orders was not found; expected an existing MSF application (check applicationName, region and roleArn)',
      fields: { region: undefined },
    },
    {
      error: new SnapshotQuotaExceededError({ application: 'orders', limit: 1000, total: 1000 }, { cause }),
      family: PermanentError,
      name: 'SnapshotQuotaExceededError',
      message:
        'application orders holds 1000 snapshots; expected fewer than 1000 (prune, or set retention.manage to "all" to prune snapshots not made by flink-snapshots)',
      fields: { application: 'orders', limit: 1000, total: 1000 },
    },
    {
      error: new SnapshotQuotaExceededError({ application: 'orders', limit: 1000 }, { cause }),
      family: PermanentError,
      name: 'SnapshotQuotaExceededError',
      message: expect.stringContaining('application orders holds the limit snapshots'),
      fields: { total: undefined },
    },
    {
      error: new ConfigError(
        { parameter: '/flink-snapshots/dev/apps/t/a', issues: [issue], tenant: 't', appKey: 't/a' },
        { cause },
      ),
      family: PermanentError,
      name: 'ConfigError',
      message:
        'SSM parameter /flink-snapshots/dev/apps/t/a is not a valid configuration, 1 problem: retention.count: received 0, expected an integer from 1 to 1000',
      fields: { parameter: '/flink-snapshots/dev/apps/t/a', issues: [issue], tenant: 't', appKey: 't/a' },
    },
    {
      error: new InvalidMessageError({ issues: [issue, issue], messageId: 'm-1' }, { cause }),
      family: PermanentError,
      name: 'InvalidMessageError',
      message: expect.stringMatching(
        /^work message m-1 is invalid, 2 problems: retention.count: .*; retention.count: /,
      ),
      fields: { issues: [issue, issue], messageId: 'm-1' },
    },
    {
      error: new InvalidMessageError({ issues: [issue] }, { cause }),
      family: PermanentError,
      name: 'InvalidMessageError',
      message: expect.stringMatching(/^work message is invalid, 1 problem: /),
      fields: { messageId: undefined },
    },
    {
      error: new IllegalTransitionError(
        { from: 'PRUNED', to: 'FAILED', allowed: ['COMPLETED'], appKey: 't/a', runId: '20261122T083000Z' },
        { cause },
      ),
      family: PermanentError,
      name: 'IllegalTransitionError',
      message: 'illegal run transition PRUNED → FAILED (run t/a 20261122T083000Z); expected one of COMPLETED',
      fields: {
        from: 'PRUNED',
        to: 'FAILED',
        allowed: ['COMPLETED'],
        appKey: 't/a',
        runId: '20261122T083000Z',
      },
    },
    {
      error: new IllegalTransitionError(
        { from: 'COMPLETED', to: 'FAILED', allowed: [], runId: '20261122T083000Z' },
        { cause },
      ),
      family: PermanentError,
      name: 'IllegalTransitionError',
      message:
        'illegal run transition COMPLETED → FAILED (run ? 20261122T083000Z); expected one of none: it is terminal',
      fields: { appKey: undefined },
    },
    {
      error: new IllegalTransitionError(
        { from: 'NONE', to: 'PRUNED', allowed: ['DISPATCHED'], appKey: 't/a' },
        { cause },
      ),
      family: PermanentError,
      name: 'IllegalTransitionError',
      message: 'illegal run transition NONE → PRUNED (run t/a ?); expected one of DISPATCHED',
      fields: { runId: undefined },
    },
  ];

  it.each(cases)(
    '$name: carries its fields, its cause and a message saying what was expected',
    ({ error, family, name, message, fields }) => {
      expect(error).toBeInstanceOf(FlinkSnapshotsError);
      expect(error).toBeInstanceOf(family);
      expect(error.name).toBe(name);
      expect(error.message).toEqual(message);
      expect(error.cause).toBe(cause);
      expect(error).toMatchObject(fields);
      expect(isRetryable(error)).toBe(family === RetryableError);
      expect(isPermanent(error)).toBe(family === PermanentError);
    },
  );

  it('names an error without a cause and without run details', () => {
    const error = new IllegalTransitionError({ from: 'NONE', to: 'PRUNED', allowed: ['DISPATCHED'] });
    expect(error.cause).toBeUndefined();
    expect(error.message).toBe('illegal run transition NONE → PRUNED; expected one of DISPATCHED');
  });

  it.each([new Error('plain'), new TypeError('bug'), 'a string', undefined])(
    'classifies %s, which is not ours, as neither retryable nor permanent',
    (error) => {
      expect(isRetryable(error)).toBe(false);
      expect(isPermanent(error)).toBe(false);
    },
  );
});
