import { ENV, PIPELINE } from '@flink-snapshots/settings';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../src/env';

const VALID = {
  [ENV.stage]: 'prod',
  [ENV.runsTableName]: 'prod-flink-snapshots-Storage-RunsTable',
  [ENV.workQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/prod-work',
  [ENV.alertsTopicArn]: 'arn:aws:sns:eu-west-1:123456789012:prod-alerts',
  [ENV.accountId]: '123456789012',
  [ENV.msfAccessRoleArn]: 'arn:aws:iam::123456789012:role/flink-snapshots-prod-eu-west-1-msf',
  [ENV.roleArnPattern]: 'arn:aws:iam::*:role/flink-snapshots-*',
  AWS_REGION: 'eu-west-1',
};

describe('loadEnv', () => {
  it('reads the stack-set variables, with the tick and TTL defaulting to the shared settings', () => {
    expect(loadEnv(VALID)).toEqual({
      stage: 'prod',
      runsTableName: VALID[ENV.runsTableName],
      workQueueUrl: VALID[ENV.workQueueUrl],
      alertsTopicArn: VALID[ENV.alertsTopicArn],
      tickMinutes: PIPELINE.tickMinutes,
      runTtlDays: PIPELINE.runTtlDays,
      region: 'eu-west-1',
      tenantMode: 'required',
      accountId: '123456789012',
      partition: 'aws',
      roleArnPattern: VALID[ENV.roleArnPattern],
      msfAccessRoleArn: VALID[ENV.msfAccessRoleArn],
    });
  });

  it('reads the partition from the region, for a stage in China or GovCloud', () => {
    expect(loadEnv({ ...VALID, AWS_REGION: 'cn-north-1' }).partition).toBe('aws-cn');
    expect(loadEnv({ ...VALID, AWS_REGION: 'us-gov-west-1' }).partition).toBe('aws-us-gov');
  });

  it('coerces the numbers Lambda passes as strings', () => {
    expect(loadEnv({ ...VALID, [ENV.tickMinutes]: '10', [ENV.runTtlDays]: '30' })).toMatchObject({
      tickMinutes: 10,
      runTtlDays: 30,
    });
  });

  it('fails naming every variable that is missing or wrong, with its value and what was expected', () => {
    const { [ENV.stage]: _stage, ...withoutStage } = VALID;
    expect(() =>
      loadEnv({
        ...withoutStage,
        [ENV.workQueueUrl]: 'not a url',
        [ENV.alertsTopicArn]: 'arn:aws:sqs:eu-west-1:123456789012:x',
        [ENV.tickMinutes]: '0',
      }),
    ).toThrow(
      new RegExp(
        [
          `${ENV.stage}=\\(unset\\): expected the SST stage name`,
          `${ENV.workQueueUrl}="not a url": expected the work queue URL`,
          `${ENV.alertsTopicArn}="arn:aws:sqs:eu-west-1:123456789012:x": expected the failures topic ARN`,
          `${ENV.tickMinutes}="0": expected dispatcher tick in minutes: a positive integer`,
        ].join('.*'),
      ),
    );
  });
});
