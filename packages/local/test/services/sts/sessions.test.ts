import {
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import type { LocalAws } from '@flink-snapshots/local';
import { expectFailure, sdkClient, startLocal } from '@flink-snapshots/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const WORKER = 'arn:aws:iam::111122223333:role/flink-snapshots-worker';
const TENANT_ROLE = 'arn:aws:iam::210987654321:role/flink-snapshots-analytics';
const SEARCH_ROLE = 'arn:aws:iam::210987654321:role/flink-snapshots-search';
const CHAINED_ROLE = 'arn:aws:iam::210987654321:role/chained';

let local: LocalAws;
let sts: STSClient;

beforeAll(async () => {
  local = await startLocal({
    fleet: { applications: [], roles: [{ arn: TENANT_ROLE, externalId: 'prod/analytics' }] },
  });
  sts = sdkClient(STSClient, local, { maxAttempts: 1 });
});
afterAll(async () => {
  sts.destroy();
  await local.stop();
});

function assume(input: Partial<AssumeRoleCommandInput>, client = sts) {
  return client.send(new AssumeRoleCommand({ RoleArn: WORKER, RoleSessionName: 'run-1', ...input }));
}

/** An STS client signing with the credentials of an AssumeRole answer. */
async function asSession(input: Partial<AssumeRoleCommandInput>): Promise<STSClient> {
  const { Credentials: c } = await assume(input);
  return sdkClient(STSClient, local, {
    maxAttempts: 1,
    credentials: {
      accessKeyId: c?.AccessKeyId ?? '',
      secretAccessKey: c?.SecretAccessKey ?? '',
      sessionToken: c?.SessionToken ?? '',
    },
  });
}

describe('STS sessions', () => {
  it('records the role, session name, ExternalId, tags and transitive keys of each AssumeRole by its access key id', async () => {
    const before = local.clock.now();
    const out = await assume({
      RoleSessionName: 'worker-payments',
      ExternalId: 'prod/payments',
      Tags: [
        { Key: 'flink-snapshots:tenant', Value: 'payments' },
        { Key: 'team', Value: '' },
      ],
      TransitiveTagKeys: ['flink-snapshots:tenant'],
    });
    const accessKeyId = out.Credentials?.AccessKeyId ?? '';
    const session = local.services.sts.sessions().find((s) => s.accessKeyId === accessKeyId);
    expect(session).toMatchObject({
      arn: 'arn:aws:sts::111122223333:assumed-role/flink-snapshots-worker/worker-payments',
      assumedRoleId: out.AssumedRoleUser?.AssumedRoleId,
      roleArn: WORKER,
      roleSessionName: 'worker-payments',
      externalId: 'prod/payments',
      tags: { 'flink-snapshots:tenant': 'payments', team: '' },
      transitiveTagKeys: ['flink-snapshots:tenant'],
      expiresAt: out.Credentials?.Expiration?.getTime(),
    });
    expect(session?.issuedAt).toBeGreaterThanOrEqual(Math.floor(before));
    expect(local.services.sts.sessionOf(accessKeyId)).toBe(session);
  });

  it('names the session as the caller of GetCallerIdentity signed with its credentials', async () => {
    const worker = await asSession({ RoleSessionName: 'who-am-i' });
    const identity = await worker.send(new GetCallerIdentityCommand({}));
    worker.destroy();
    expect(identity).toMatchObject({
      Arn: 'arn:aws:sts::111122223333:assumed-role/flink-snapshots-worker/who-am-i',
      Account: '111122223333',
      UserId: expect.stringMatching(/^AROA[A-Z2-7]{17}:who-am-i$/),
    });
  });

  it('gives a session assumed with a session’s credentials the transitive tags of the calling session', async () => {
    const worker = await asSession({
      Tags: [
        { Key: 'flink-snapshots:tenant', Value: 'search' },
        { Key: 'purpose', Value: 'snapshots' },
      ],
      TransitiveTagKeys: ['flink-snapshots:tenant'],
    });
    const out = await assume(
      { RoleArn: CHAINED_ROLE, RoleSessionName: 'hop', Tags: [{ Key: 'hop', Value: '2' }] },
      worker,
    );
    worker.destroy();
    expect(local.services.sts.sessionOf(out.Credentials?.AccessKeyId ?? '')).toMatchObject({
      tags: { 'flink-snapshots:tenant': 'search', hop: '2' },
      transitiveTagKeys: ['flink-snapshots:tenant'],
    });
  });

  it('refuses a session tag that would override a transitive tag of the calling session with InvalidParameterValue', async () => {
    const worker = await asSession({
      Tags: [{ Key: 'flink-snapshots:tenant', Value: 'search' }],
      TransitiveTagKeys: ['flink-snapshots:tenant'],
    });
    const error = await expectFailure(
      assume({ RoleArn: CHAINED_ROLE, Tags: [{ Key: 'Flink-Snapshots:Tenant', Value: 'payments' }] }, worker),
      STSServiceException,
      "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    );
    worker.destroy();
    expect(error.name).toBe('InvalidParameterValue');
  });
});

describe('STS session tags and ExternalId are validated as STS validates them', () => {
  it.each<[string, Partial<AssumeRoleCommandInput>, string, string]>([
    [
      'an ExternalId of 1 character',
      { ExternalId: 'x' },
      'ValidationError',
      "1 validation error detected: Value 'x' at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2",
    ],
    [
      'an ExternalId with a space',
      { ExternalId: 'prod search' },
      'ValidationError',
      "Value 'prod search' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:/-]*",
    ],
    [
      'an ExternalId of 1,225 characters',
      { ExternalId: 'x'.repeat(1225) },
      'ValidationError',
      "at 'externalId' failed to satisfy constraint: Member must have length less than or equal to 1224",
    ],
    [
      'a tag key with a character outside [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]',
      { Tags: [{ Key: 'tenant#1', Value: 'a' }] },
      'ValidationError',
      "Value 'tenant#1' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
    ],
    [
      'a tag key of 129 characters',
      { Tags: [{ Key: 'k'.repeat(129), Value: 'a' }] },
      'ValidationError',
      "at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128",
    ],
    [
      'a tag value of 257 characters',
      { Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] },
      'ValidationError',
      "at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256",
    ],
    [
      '51 session tags',
      { Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) },
      'ValidationError',
      "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    ],
    [
      'two tag keys that differ only in case',
      {
        Tags: [
          { Key: 'Tenant', Value: 'a' },
          { Key: 'tenant', Value: 'b' },
        ],
      },
      'InvalidParameterValue',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    ],
    [
      'a transitive key that is not among the tags',
      { Tags: [{ Key: 'tenant', Value: 'a' }], TransitiveTagKeys: ['team'] },
      'InvalidParameterValue',
      'The specified transitive tag key must be included in the requested tags.',
    ],
  ])('refuses AssumeRole with %s (%s)', async (_what, input, code, message) => {
    const error = await expectFailure(assume(input), STSServiceException, message);
    expect(error.name).toBe(code);
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('accepts tag keys and values of letters of any script, spaces and _.:/=+-@', async () => {
    const out = await assume({ Tags: [{ Key: 'équipe: a_b.c/d=e+f-g@h', Value: 'Zürich 1' }] });
    expect(local.services.sts.sessionOf(out.Credentials?.AccessKeyId ?? '')?.tags).toEqual({
      'équipe: a_b.c/d=e+f-g@h': 'Zürich 1',
    });
  });
});

describe('roles that require an ExternalId', () => {
  const denied = (roleArn: string) =>
    `User: arn:aws:iam::000000000000:user/local is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;

  it('refuses AssumeRole of a role from the fleet file without its ExternalId with AccessDenied (403)', async () => {
    const error = await expectFailure(
      assume({ RoleArn: TENANT_ROLE }),
      STSServiceException,
      denied(TENANT_ROLE),
    );
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('refuses AssumeRole of that role with another ExternalId, naming the caller and the role', async () => {
    const error = await expectFailure(
      assume({ RoleArn: TENANT_ROLE, ExternalId: 'prod/search' }),
      STSServiceException,
      denied(TENANT_ROLE),
    );
    expect(error.name).toBe('AccessDenied');
  });

  it('issues credentials for that role with exactly its ExternalId', async () => {
    const out = await assume({ RoleArn: TENANT_ROLE, ExternalId: 'prod/analytics' });
    expect(out.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::210987654321:assumed-role/flink-snapshots-analytics/run-1',
    );
  });

  it('names the calling session in the AccessDenied of a chained AssumeRole', async () => {
    const worker = await asSession({ RoleSessionName: 'chain' });
    await expectFailure(
      assume({ RoleArn: TENANT_ROLE }, worker),
      STSServiceException,
      `User: arn:aws:sts::111122223333:assumed-role/flink-snapshots-worker/chain is not authorized to perform: sts:AssumeRole on resource: ${TENANT_ROLE}`,
    );
    worker.destroy();
  });

  it('requires an ExternalId set in-process from then on, and lists the role', async () => {
    await assume({ RoleArn: SEARCH_ROLE });
    local.services.sts.requireExternalId(SEARCH_ROLE, 'prod/search');
    await expectFailure(assume({ RoleArn: SEARCH_ROLE }), STSServiceException, denied(SEARCH_ROLE));
    await assume({ RoleArn: SEARCH_ROLE, ExternalId: 'prod/search' });
    expect(local.services.sts.roles()).toContainEqual({ roleArn: SEARCH_ROLE, externalId: 'prod/search' });
  });

  it('refuses in-process a role ARN that is not a role’s and an ExternalId STS would refuse', () => {
    expect(() => local.services.sts.requireExternalId('arn:aws:s3:::bucket', 'prod/x')).toThrow(
      /roleArn 'arn:aws:s3:::bucket' is not an IAM role ARN/,
    );
    expect(() => local.services.sts.requireExternalId(SEARCH_ROLE, 'a b')).toThrow(
      /externalId 'a b' is not valid; expected 2 to 1224 of/,
    );
  });
});
