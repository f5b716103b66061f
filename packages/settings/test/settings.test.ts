import {
  MetricName,
  PIPELINE,
  roleNames,
  STAGE_ENV,
  scheduleExpression,
  serviceName,
  stageSettings,
} from '@flink-snapshots/settings';
import { describe, expect, it } from 'vitest';

describe('stageSettings', () => {
  it.each([
    ['prod', true, 90],
    ['production', true, 90],
    ['dev', false, 14],
    ['pr-123', false, 14],
  ])('treats stage %s as production=%s with %i days of logs', (stage, production, days) => {
    expect(stageSettings(stage)).toMatchObject({ production, logRetentionDays: days });
  });

  it("lets the worker assume flink-snapshots-* roles of any account in the stack's partition by default", () => {
    expect(stageSettings('dev').assumeRoleArnPattern).toBe('arn:<partition>:iam::*:role/flink-snapshots-*');
  });

  it.each([
    ['local', {}, 'open'],
    ['dev', {}, 'required'],
    ['dev', { [STAGE_ENV.tenantMode]: 'open' }, 'open'],
    ['prod', {}, 'required'],
  ])('gives stage %s with %j the tenant mode %s', (stage, env, mode) => {
    expect(stageSettings(stage, env).tenantMode).toBe(mode);
  });

  it('refuses an open tenant mode for a production stage, saying why', () => {
    expect(() => stageSettings('prod', { [STAGE_ENV.tenantMode]: 'open' })).toThrow(
      'Stage "prod" is a production stage and its tenant mode is open; expected required',
    );
  });

  it('fails naming the variable for a tenant mode that is neither required nor open', () => {
    expect(() => stageSettings('dev', { [STAGE_ENV.tenantMode]: 'closed' })).toThrow(
      'FLINK_SNAPSHOTS_TENANT_MODE is "closed"; expected required or open',
    );
  });

  it('names the roles trust policies name, fixed per stage and region, within IAM’s 64 characters', () => {
    expect(roleNames('prod', 'eu-west-1')).toEqual({
      worker: 'flink-snapshots-prod-eu-west-1-worker',
      msfAccess: 'flink-snapshots-prod-eu-west-1-msf',
      operator: 'flink-snapshots-prod-eu-west-1-operator',
    });
    expect(() => roleNames('a-very-long-stage-name-indeed', 'ap-southeast-3')).toThrow(
      /has 69 characters; expected at most 64 \(IAM's limit\): use a stage name of at most 24 characters/,
    );
  });

  it('takes the alert address and role pattern from the stage variables, trimmed', () => {
    const settings = stageSettings('prod', {
      [STAGE_ENV.alertEmail]: ' oncall@example.com ',
      [STAGE_ENV.assumeRoleArnPattern]: 'arn:aws:iam::111122223333:role/msf-*',
    });
    expect(settings.alertEmail).toBe('oncall@example.com');
    expect(settings.assumeRoleArnPattern).toBe('arn:aws:iam::111122223333:role/msf-*');
  });

  it('leaves the alert address unset when its variable is empty', () => {
    expect(stageSettings('dev', { [STAGE_ENV.alertEmail]: '' }).alertEmail).toBeUndefined();
  });

  it('fails naming the variable, the value and what was expected for a bad e-mail address', () => {
    expect(() => stageSettings('prod', { [STAGE_ENV.alertEmail]: 'oncall' })).toThrow(
      'Stage "prod": STAGES.prod.alertEmail or FLINK_SNAPSHOTS_ALERT_EMAIL is "oncall"; expected an e-mail address',
    );
  });

  it('fails for a role pattern that is not an IAM role ARN', () => {
    expect(() => stageSettings('dev', { [STAGE_ENV.assumeRoleArnPattern]: '*' })).toThrow(
      /FLINK_SNAPSHOTS_ASSUME_ROLE_ARN_PATTERN is "\*"; expected an IAM role ARN pattern/,
    );
  });
});

describe('scheduleExpression', () => {
  it.each([
    [1, 'rate(1 minute)'],
    [5, 'rate(5 minutes)'],
    [60, 'rate(60 minutes)'],
  ])('writes a tick of %i minutes as %s', (minutes, expression) => {
    expect(scheduleExpression(minutes)).toBe(expression);
  });

  it.each([0, -5, 2.5])('fails for a tick of %s minutes', (minutes) => {
    expect(() => scheduleExpression(minutes)).toThrow(
      `tickMinutes must be a whole number of minutes >= 1, got ${minutes}`,
    );
  });
});

describe('PIPELINE', () => {
  it("keeps the work queue's visibility timeout at least 6 × the worker's timeout", () => {
    expect(PIPELINE.workQueue.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
      6 * PIPELINE.worker.timeoutSeconds,
    );
  });

  it('names every metric in PascalCase, as CloudWatch shows them', () => {
    for (const name of Object.values(MetricName)) expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
  });

  it('names the metrics service after the stage, so stages sharing an account stay apart', () => {
    expect(serviceName('prod')).toBe('flink-snapshots-prod');
  });
});
