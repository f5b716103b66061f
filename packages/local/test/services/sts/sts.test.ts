import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../src/local-aws';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let local: LocalAws;
let sts: STSClient;

beforeAll(async () => {
  local = await startLocalAws({ port: 0, seed: 7 });
  sts = new STSClient({ endpoint: local.url, region: 'us-east-1', credentials });
});
afterAll(async () => {
  sts.destroy();
  await local.stop();
});

describe('STS', () => {
  it('answers GetCallerIdentity with the local account', async () => {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe('000000000000');
    expect(identity.Arn).toMatch(/^arn:aws:iam::000000000000:/);
    expect(identity.UserId).toBeTruthy();
  });

  it('issues temporary credentials for AssumeRole that expire in simulated time', async () => {
    const before = local.clock.now();
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::111122223333:role/flink-snapshots-worker',
        RoleSessionName: 'run-42',
        DurationSeconds: 900,
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::111122223333:assumed-role/flink-snapshots-worker/run-42',
    );
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]+:run-42$/);
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(out.Credentials?.SecretAccessKey).toBeTruthy();
    expect(out.Credentials?.SessionToken).toBeTruthy();
    const expires = out.Credentials?.Expiration?.getTime() ?? 0;
    expect(expires).toBeGreaterThanOrEqual(before + 899_000);
    expect(expires).toBeLessThanOrEqual(local.clock.now() + 901_000);
  });

  it('accepts the assumed credentials on the other services', async () => {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/reader', RoleSessionName: 'reader' }),
    );
    const c = out.Credentials;
    const ssm = new SSMClient({
      endpoint: local.url,
      region: 'us-east-1',
      credentials: {
        accessKeyId: c?.AccessKeyId ?? '',
        secretAccessKey: c?.SecretAccessKey ?? '',
        sessionToken: c?.SessionToken ?? '',
      },
    });
    const params = await ssm.send(new GetParametersByPathCommand({ Path: '/nothing-here' }));
    expect(params.Parameters).toEqual([]);
    ssm.destroy();
  });

  it('issues session tokens with GetSessionToken', async () => {
    const out = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 3600 }));
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });

  it('fails AssumeRole with ValidationError when the role ARN is not a role ARN', async () => {
    await expect(
      sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:s3:::bucket-name', RoleSessionName: 'x1' })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining("'arn:aws:s3:::bucket-name'"),
    });
  });

  it('fails AssumeRole with ValidationError when DurationSeconds is out of range', async () => {
    await expect(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::111122223333:role/r',
          RoleSessionName: 'x1',
          DurationSeconds: 60,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
  });
});
