import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AppConfig,
  type AppConfigResult,
  AppConfigSchema,
  configParameterName,
  configPathPrefix,
  parseAppConfig,
} from '../../src/domain/config';
import { ConfigError } from '../../src/domain/errors';
import type { FieldIssue } from '../../src/domain/issues';

const CONTEXT = { stage: 'dev', tickMinutes: 5 };
const PARAMETER = '/flink-snapshots/dev/apps/team-a/orders';

function parse(value: unknown, parameter = PARAMETER, context = CONTEXT): AppConfigResult {
  return parseAppConfig(parameter, typeof value === 'string' ? value : JSON.stringify(value), context);
}

function config(value: unknown, parameter = PARAMETER): AppConfig {
  const result = parse(value, parameter);
  if (!result.ok) throw result.error;
  return result.config;
}

function failure(value: unknown, parameter = PARAMETER, context = CONTEXT): ConfigError {
  const result = parse(value, parameter, context);
  if (result.ok) throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
  return result.error;
}

const DEFAULTS = {
  parameter: PARAMETER,
  tenant: 'team-a',
  appKey: 'team-a/orders',
  applicationName: 'orders',
  enabled: true,
  intervalMinutes: 1440,
  retention: { count: 10, minCount: 1, dryRun: false, manage: 'own' },
  snapshotTimeoutMinutes: 30,
  pollIntervalSeconds: 30,
  notify: { on: ['failed', 'timed-out', 'quota-warning', 'stale', 'recovered'] },
};

describe('parseAppConfig accepts', () => {
  it('an empty object, applying every default and naming the application after the last path segment', () => {
    expect(config({})).toEqual(DEFAULTS);
  });

  it('a complete configuration as written', () => {
    const full = {
      applicationName: 'orders-enricher-prod',
      region: 'eu-west-1',
      roleArn: 'arn:aws:iam::123456789012:role/flink-snapshots/orders-access',
      enabled: false,
      intervalMinutes: 360,
      retention: { count: 24, maxAgeDays: 14, minCount: 4, dryRun: true, manage: 'all' },
      snapshotTimeoutMinutes: 60,
      pollIntervalSeconds: 15,
      notify: { on: ['failed', 'completed'], contact: 'team-a@example.com' },
    };
    expect(config(full)).toEqual({
      parameter: PARAMETER,
      tenant: 'team-a',
      appKey: 'team-a/orders',
      ...full,
    });
  });

  it('partial nested objects, filling the rest with defaults', () => {
    expect(config({ retention: { count: 3 }, notify: { contact: 'ops' } })).toMatchObject({
      retention: { count: 3, minCount: 1, dryRun: false, manage: 'own' },
      notify: { on: ['failed', 'timed-out', 'quota-warning', 'stale', 'recovered'], contact: 'ops' },
    });
  });

  it('does not share the default notify list between configurations', () => {
    const first = config({});
    first.notify.on.push('completed');
    expect(config({}).notify.on).toEqual(['failed', 'timed-out', 'quota-warning', 'stale', 'recovered']);
  });

  it.each([
    ['intervalMinutes', 5],
    ['intervalMinutes', 10080],
    ['retention', { count: 1, minCount: 0 }],
    ['retention', { count: 1000, minCount: 1000, maxAgeDays: 3650 }],
    ['retention', { maxAgeDays: 1 }],
    ['snapshotTimeoutMinutes', 1],
    ['snapshotTimeoutMinutes', 720],
    ['pollIntervalSeconds', 5],
    ['pollIntervalSeconds', 900],
    ['notify', { on: [] }],
    ['notify', { contact: 'x'.repeat(256) }],
    ['applicationName', 'a'],
    ['applicationName', `A_b.c-${'9'.repeat(122)}`],
    ['region', 'us-gov-west-1'],
    ['region', 'cn-north-1'],
    ['region', 'ap-southeast-5'],
    ['region', 'eusc-de-east-1'],
    ['roleArn', 'arn:aws:iam::123456789012:role/snapshots'],
    ['roleArn', 'arn:aws:iam::123456789012:role/a/b/c/Role+=,.@-name'],
  ])('the boundary value %s = %j', (field, value) => {
    expect(parse({ [field]: value }).ok).toBe(true);
  });

  it.each([
    ['cn-north-1', 'arn:aws-cn:iam::123456789012:role/x'],
    ['us-gov-west-1', 'arn:aws-us-gov:iam::123456789012:role/x'],
    ['eu-central-2', 'arn:aws:iam::123456789012:role/x'],
  ])('region %s with a role in its partition (%s)', (region, roleArn) => {
    expect(parse({ region, roleArn }).ok).toBe(true);
  });

  it('an interval of one tick, whatever the tick is', () => {
    expect(parse({ intervalMinutes: 15 }, PARAMETER, { stage: 'dev', tickMinutes: 15 }).ok).toBe(true);
  });

  it('produces configurations the work-message schema accepts after a JSON round trip', () => {
    const parsed = config({ region: 'eu-west-1', retention: { maxAgeDays: 7 } });
    expect(AppConfigSchema.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
  });
});

describe('parseAppConfig rejects', () => {
  const cases: { problem: string; value: unknown; issue: FieldIssue; parameter?: string }[] = [
    {
      problem: 'a value that is not JSON, with the parse position',
      value: '{"enabled": tru}',
      issue: {
        field: '(value)',
        kind: 'not-json',
        value: '"{\\"enabled\\": tru}"',
        expected: expect.stringMatching(
          /^a JSON object; the value is not JSON at position 12 \(line 1, column 13\): \S/,
        ),
      },
    },
    ...[
      ['an array', []],
      ['null', null],
      ['a number', 42],
      ['a string', 'hello'],
    ].map(([what, value]) => ({
      problem: `a JSON value that is ${what}, not an object`,
      value: JSON.stringify(value),
      issue: {
        field: '(value)',
        kind: 'not-object' as const,
        value: JSON.stringify(value),
        expected: expect.stringContaining('a JSON object with fields applicationName, region'),
      },
    })),
    {
      problem: 'an unknown field such as the typo retian',
      value: { retian: { count: 3 } },
      issue: {
        field: 'retian',
        kind: 'unknown-field',
        value: '{"count":3}',
        expected: expect.stringContaining('no field "retian" (did you mean "region" or "retention"?)'),
      },
    },
    {
      problem: 'an unknown field inside retention',
      value: { retention: { maxAge: 3 } },
      issue: {
        field: 'retention.maxAge',
        kind: 'unknown-field',
        value: '3',
        expected:
          'no field "maxAge" (did you mean "manage" or "maxAgeDays"?); known fields here: count, maxAgeDays, minCount, dryRun, manage, tiers, timezone, keepPreviousVersion',
      },
    },
    {
      problem: 'an unknown field inside notify, with no near name to suggest',
      value: { notify: { webhook: 'https://x' } },
      issue: {
        field: 'notify.webhook',
        kind: 'unknown-field',
        value: '"https://x"',
        expected: 'no field "webhook"; known fields here: on, contact',
      },
    },
    ...(
      [
        ['enabled', 'yes', 'true or false'],
        [
          'intervalMinutes',
          '60',
          'an integer number of minutes from 5 (the dispatcher tick) to 10080 (7 days)',
        ],
        ['snapshotTimeoutMinutes', null, 'an integer number of minutes from 1 to 720'],
        ['pollIntervalSeconds', true, 'an integer number of seconds from 5 to 900'],
        ['applicationName', 7, 'an MSF application name: 1 to 128 characters from a-z A-Z 0-9 _ . -'],
        ['region', ['eu-west-1'], 'an AWS region such as eu-west-1, us-gov-west-1 or cn-north-1'],
        [
          'retention',
          10,
          'an object with count, maxAgeDays, minCount, dryRun, manage, tiers, timezone, keepPreviousVersion',
        ],
        ['notify', 'team-a', 'an object with on, contact'],
      ] as const
    ).map(([field, value, expected]) => ({
      problem: `a wrong type for ${field}`,
      value: { [field]: value },
      issue: { field, kind: 'wrong-type' as const, value: JSON.stringify(value), expected },
    })),
    ...(
      [
        ['retention.count', { retention: { count: 0 } }, '0', 'an integer from 1 to 1000'],
        ['retention.count', { retention: { count: 1001 } }, '1001', 'an integer from 1 to 1000'],
        [
          'retention.maxAgeDays',
          { retention: { maxAgeDays: 0 } },
          '0',
          'an integer number of days from 1 to 3650',
        ],
        [
          'retention.maxAgeDays',
          { retention: { maxAgeDays: 3651 } },
          '3651',
          'an integer number of days from 1 to 3650',
        ],
        [
          'retention.minCount',
          { retention: { minCount: -1 } },
          '-1',
          'an integer from 0 to 1000, at most retention.count',
        ],
        [
          'intervalMinutes',
          { intervalMinutes: 4 },
          '4',
          'an integer number of minutes from 5 (the dispatcher tick) to 10080 (7 days)',
        ],
        [
          'intervalMinutes',
          { intervalMinutes: 10081 },
          '10081',
          'an integer number of minutes from 5 (the dispatcher tick) to 10080 (7 days)',
        ],
        [
          'snapshotTimeoutMinutes',
          { snapshotTimeoutMinutes: 0 },
          '0',
          'an integer number of minutes from 1 to 720',
        ],
        [
          'snapshotTimeoutMinutes',
          { snapshotTimeoutMinutes: 721 },
          '721',
          'an integer number of minutes from 1 to 720',
        ],
        [
          'pollIntervalSeconds',
          { pollIntervalSeconds: 4 },
          '4',
          'an integer number of seconds from 5 to 900',
        ],
        [
          'pollIntervalSeconds',
          { pollIntervalSeconds: 901 },
          '901',
          'an integer number of seconds from 5 to 900',
        ],
        ['notify.contact', { notify: { contact: '' } }, '""', 'a string of 1 to 256 characters'],
      ] as const
    ).map(([field, value, received, expected]) => ({
      problem: `${field} out of range (${received})`,
      value,
      issue: { field, kind: 'out-of-range' as const, value: received, expected },
    })),
    {
      problem: 'a fractional number where an integer is expected',
      value: { retention: { count: 2.5 } },
      issue: {
        field: 'retention.count',
        kind: 'wrong-type',
        value: '2.5',
        expected: 'an integer from 1 to 1000',
      },
    },
    {
      problem: 'a number too large for JSON to keep',
      value: '{"intervalMinutes": 1e400}',
      issue: {
        field: 'intervalMinutes',
        kind: 'wrong-type',
        value: 'Infinity',
        expected: 'an integer number of minutes from 5 (the dispatcher tick) to 10080 (7 days)',
      },
    },
    {
      problem: 'minCount above count',
      value: { retention: { count: 3, minCount: 4 } },
      issue: {
        field: 'retention.minCount',
        kind: 'constraint',
        value: '4',
        expected: 'an integer from 0 to retention.count (3)',
      },
    },
    {
      problem: 'minCount above the default count',
      value: { retention: { minCount: 11 } },
      issue: {
        field: 'retention.minCount',
        kind: 'constraint',
        value: '11',
        expected: 'an integer from 0 to retention.count (10)',
      },
    },
    {
      problem: 'an unknown manage value',
      value: { retention: { manage: 'mine' } },
      issue: {
        field: 'retention.manage',
        kind: 'invalid-value',
        value: '"mine"',
        expected: '"own" or "all"',
      },
    },
    {
      problem: 'an unknown notify event',
      value: { notify: { on: ['failed', 'paged'] } },
      issue: {
        field: 'notify.on[1]',
        kind: 'invalid-value',
        value: '"paged"',
        expected:
          'one of "failed", "timed-out", "skipped", "quota-warning", "completed", "stale", "recovered"',
      },
    },
    ...['orders/v2', 'orders prod', '', 'x'.repeat(129)].map((name) => ({
      problem: `an application name outside the MSF rule (${name.slice(0, 12)})`,
      value: { applicationName: name },
      issue: {
        field: 'applicationName',
        kind: 'invalid-format' as const,
        value: expect.stringContaining(name.slice(0, 12)),
        expected: 'an MSF application name: 1 to 128 characters from a-z A-Z 0-9 _ . -',
      },
    })),
    {
      problem: 'a last path segment that cannot be the default application name',
      value: {},
      parameter: `/flink-snapshots/dev/apps/team-a/${'o'.repeat(129)}`,
      issue: {
        field: 'applicationName',
        kind: 'invalid-format',
        value: expect.stringContaining('(131 characters)'),
        expected: expect.stringContaining('the default, the last segment of the parameter name, is not one'),
      },
    },
    ...['EU-west-1', 'eu-west', 'euwest1', 'eu-west-1a', 'eu-west-100'].map((region) => ({
      problem: `a region of the wrong shape (${region})`,
      value: { region },
      issue: {
        field: 'region',
        kind: 'invalid-format' as const,
        value: JSON.stringify(region),
        expected: 'an AWS region such as eu-west-1, us-gov-west-1 or cn-north-1',
      },
    })),
    ...[
      'arn:aws:iam::12345678901:role/x',
      'arn:aws:iam::123456789012:user/x',
      'arn:aws-iso:iam::123456789012:role/x',
      'arn:aws:iam:eu-west-1:123456789012:role/x',
      'arn:aws:iam::123456789012:role/',
      `arn:aws:iam::123456789012:role/${'n'.repeat(65)}`,
    ].map((roleArn) => ({
      problem: `a role ARN of the wrong shape (${roleArn.slice(0, 45)})`,
      value: { roleArn },
      issue: {
        field: 'roleArn',
        kind: 'invalid-format' as const,
        value: expect.stringContaining(roleArn.slice(0, 40)),
        expected: expect.stringContaining(
          'an IAM role ARN arn:<aws|aws-cn|aws-us-gov>:iam::<12-digit account id>',
        ),
      },
    })),
    {
      problem: 'a role ARN longer than IAM allows',
      value: { roleArn: `arn:aws:iam::123456789012:role/${'p/'.repeat(1010)}name` },
      issue: {
        field: 'roleArn',
        kind: 'out-of-range',
        value: expect.stringContaining('(2057 characters)'),
        expected: expect.stringContaining('an IAM role ARN'),
      },
    },
    {
      problem: 'a parameter of another stage',
      value: {},
      parameter: '/flink-snapshots/prod/apps/team-a/orders',
      issue: {
        field: '(name)',
        kind: 'bad-path',
        value: '"/flink-snapshots/prod/apps/team-a/orders"',
        expected: 'a name under /flink-snapshots/dev/apps/: /flink-snapshots/dev/apps/<tenant>/<application>',
      },
    },
    {
      problem: 'a parameter outside the prefix',
      value: {},
      parameter: '/other-tool/dev/apps/team-a/orders',
      issue: { field: '(name)', kind: 'bad-path', value: expect.any(String), expected: expect.any(String) },
    },
    ...['/flink-snapshots/dev/apps/team-a', '/flink-snapshots/dev/apps/team-a/orders/extra'].map(
      (parameter) => ({
        problem: `a parameter at the wrong depth (${parameter})`,
        value: {},
        parameter,
        issue: {
          field: '(name)',
          kind: 'bad-path' as const,
          value: JSON.stringify(parameter),
          expected: 'exactly two segments after /flink-snapshots/dev/apps/: <tenant>/<application>',
        },
      }),
    ),
    {
      problem: 'a tenant segment too long',
      value: {},
      parameter: `/flink-snapshots/dev/apps/${'t'.repeat(65)}/orders`,
      issue: {
        field: '(name)',
        kind: 'bad-path',
        value: expect.any(String),
        expected: expect.stringContaining('a tenant segment of 1 to 64 characters'),
      },
    },
    {
      problem: 'an empty application segment',
      value: {},
      parameter: '/flink-snapshots/dev/apps/team-a/',
      issue: {
        field: '(name)',
        kind: 'bad-path',
        value: expect.any(String),
        expected: 'an application segment of characters from a-z A-Z 0-9 _ . - (got "")',
      },
    },
  ];

  it.each(cases)('$problem', ({ value, parameter = PARAMETER, issue }) => {
    const error = failure(value, parameter);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.parameter).toBe(parameter);
    expect(error.issues).toEqual([issue]);
  });

  it('an interval shorter than a longer dispatcher tick', () => {
    const error = failure({ intervalMinutes: 10 }, PARAMETER, { stage: 'dev', tickMinutes: 15 });
    expect(error.issues).toEqual([
      {
        field: 'intervalMinutes',
        kind: 'out-of-range',
        value: '10',
        expected: 'an integer number of minutes from 15 (the dispatcher tick) to 10080 (7 days)',
      },
    ]);
  });

  it('listing every problem at once, the path included', () => {
    const error = failure(
      {
        retian: 1,
        intervalMinutes: 1,
        region: 'Mars',
        retention: { count: 0, dryRun: 'no', manage: 'mine' },
        notify: { on: 'failed' },
      },
      '/flink-snapshots/dev/apps/x',
    );
    expect(error.issues.map((i) => `${i.field}:${i.kind}`)).toEqual([
      '(name):bad-path',
      'region:invalid-format',
      'intervalMinutes:out-of-range',
      'retention.count:out-of-range',
      'retention.dryRun:wrong-type',
      'retention.manage:invalid-value',
      'notify.on:wrong-type',
      'retian:unknown-field',
    ]);
    expect(error.message).toMatch(
      /^SSM parameter \/flink-snapshots\/dev\/apps\/x is not a valid configuration, 8 problems: /,
    );
  });

  it('still checks minCount against count when other fields are wrong', () => {
    const error = failure({ enabled: 'no', retention: { minCount: 20, manage: 'x' } });
    expect(error.issues.map((i) => i.field)).toEqual(['enabled', 'retention.manage', 'retention.minCount']);
  });

  it('with a message naming the parameter, each field, the value received and what was expected', () => {
    const error = failure({ retention: { count: 0 } });
    expect(error.message).toBe(
      'SSM parameter /flink-snapshots/dev/apps/team-a/orders is not a valid configuration, 1 problem: retention.count: received 0, expected an integer from 1 to 1000',
    );
  });

  it('truncating long values in issues and messages', () => {
    const error = failure({ notify: { contact: 'c'.repeat(300) } });
    expect(error.issues[0]?.value).toBe(`"${'c'.repeat(79)}… (302 characters)`);
    expect(error.message.length).toBeLessThan(400);
  });

  it('with the tenant and application key when the name is valid, so the failure is recorded for the application', () => {
    expect(failure({ enabled: 1 })).toMatchObject({ tenant: 'team-a', appKey: 'team-a/orders' });
    expect(failure({}, '/flink-snapshots/dev/apps/team-a')).toMatchObject({
      tenant: undefined,
      appKey: undefined,
    });
  });

  it('never throws, whatever the value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (raw) => {
        const result = parseAppConfig(PARAMETER, raw, CONTEXT);
        if (!result.ok) expect(result.error.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parameter names', () => {
  it('builds the prefix of a stage and the name of one application', () => {
    expect(configPathPrefix('prod')).toBe('/flink-snapshots/prod/apps/');
    expect(configParameterName('prod', 'team-a', 'orders')).toBe('/flink-snapshots/prod/apps/team-a/orders');
  });

  it('parses what configParameterName builds', () => {
    const result = parseAppConfig(configParameterName('dev', 't.1', 'a_2'), '{}', CONTEXT);
    expect(result).toMatchObject({
      ok: true,
      config: { tenant: 't.1', appKey: 't.1/a_2', applicationName: 'a_2' },
    });
  });
});
