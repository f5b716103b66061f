import { describe, expect, it } from 'vitest';
import {
  type AppConfigResult,
  AppConfigSchema,
  type ConfigContext,
  parseAppConfig,
  parseStageDefaults,
} from '../../src/domain/config';
import { CRON_RULE } from '../../src/domain/cron';
import {
  ConfigLayer,
  type DefaultsLayer,
  mergeLayers,
  retainedAtMost,
  sourceOf,
  stageDefaultsParameterName,
} from '../../src/domain/defaults';
import { ConfigError } from '../../src/domain/errors';
import { type FieldIssue, formatIssue } from '../../src/domain/issues';
import { parseTenantEntry, tenantDefaultsLayer } from '../../src/domain/tenant';

const PARAMETER = '/flink-snapshots/dev/apps/team-a/orders';
const STAGE_PARAMETER = '/flink-snapshots/dev/defaults';
const TENANT_PARAMETER = '/flink-snapshots/dev/tenants/team-a';
const CONTEXT: ConfigContext = { stage: 'dev', tickMinutes: 5 };
const TZ_RULE =
  'an IANA time zone such as "Europe/Berlin", "America/New_York" or "UTC", one the runtime\'s time zone database knows';

function parse(value: unknown, context: ConfigContext = CONTEXT): AppConfigResult {
  return parseAppConfig(PARAMETER, JSON.stringify(value), context);
}

function failure(value: unknown, context: ConfigContext = CONTEXT): ConfigError {
  const result = parse(value, context);
  if (result.ok) throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
  return result.error;
}

function stageLayer(value: unknown): DefaultsLayer {
  const result = parseStageDefaults(STAGE_PARAMETER, JSON.stringify(value), { stage: 'dev' });
  if (!result.ok) throw result.error;
  return result.layer;
}

function tenantLayer(value: object): DefaultsLayer {
  const entry = { accounts: ['123456789012'], regions: ['eu-west-1'], ...value };
  const result = parseTenantEntry(TENANT_PARAMETER, JSON.stringify(entry), { stage: 'dev' });
  if (!result.ok) throw result.error;
  return tenantDefaultsLayer({ parameter: TENANT_PARAMETER, entry: result.entry });
}

describe('schedules, blackouts and retention tiers in the configuration', () => {
  it('reads a cron schedule with its defaults, and no interval', () => {
    const result = parse({ schedule: { cron: '0 2 * * *' } });
    expect(result.ok && result.config).toMatchObject({
      schedule: { cron: '0 2 * * *', timezone: 'UTC', jitterMinutes: 0 },
    });
    expect(result.ok && 'intervalMinutes' in result.config).toBe(false);
  });

  it('reads every new field as written', () => {
    const written = {
      paused: true,
      schedule: { cron: '0 2 * * *', timezone: 'Europe/Berlin', jitterMinutes: 20, minIntervalMinutes: 720 },
      blackouts: [
        {
          name: 'nightly batch',
          cron: '0 1 * * *',
          durationMinutes: 120,
          timezone: 'Europe/Berlin',
          action: 'defer',
        },
        {
          name: 'year-end freeze',
          from: '2026-12-20T00:00:00Z',
          to: '2027-01-04T00:00:00+01:00',
          action: 'skip',
        },
      ],
      avoidMaintenanceWindow: false,
      retention: {
        count: 24,
        tiers: { hourly: 48, daily: 7, weekly: 4, monthly: 12, yearly: 3 },
        timezone: 'Europe/Berlin',
        keepPreviousVersion: false,
      },
    };
    const result = parse(written);
    expect(result.ok && result.config).toMatchObject(written);
    // Parsed configurations travel in work messages and parse again there.
    const config = result.ok ? result.config : undefined;
    expect(AppConfigSchema.parse(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });

  it('gives a blackout the action "defer" by default', () => {
    const result = parse({ blackouts: [{ from: '2026-12-20T00:00:00Z', to: '2026-12-21T00:00:00Z' }] });
    expect(result.ok && result.config.blackouts).toEqual([
      { from: '2026-12-20T00:00:00Z', to: '2026-12-21T00:00:00Z', action: 'defer' },
    ]);
  });

  it('refuses a parsed configuration that says neither when nor both ways', () => {
    const base = {
      parameter: PARAMETER,
      tenant: 'team-a',
      appKey: 'team-a/orders',
      applicationName: 'orders',
    };
    expect(AppConfigSchema.safeParse(base).error?.issues[0]?.message).toBe(
      'intervalMinutes or schedule: a parsed configuration says when it runs',
    );
    const both = { ...base, intervalMinutes: 60, schedule: { cron: '0 2 * * *' } };
    expect(AppConfigSchema.safeParse(both).error?.issues[0]?.path).toEqual(['intervalMinutes']);
  });
});

describe('configuration errors, each naming the parameter, the field, the value and what was expected', () => {
  const blackout = (fields: object) => ({ blackouts: [fields] });
  const cases: { problem: string; value: unknown; issue: FieldIssue; context?: ConfigContext }[] = [
    {
      problem: 'a cron that is not one',
      value: { schedule: { cron: '0 25 * * *' } },
      issue: {
        field: 'schedule.cron',
        kind: 'invalid-format',
        value: '"0 25 * * *"',
        expected: `${CRON_RULE}; Invalid value for hour: 25`,
      },
    },
    {
      problem: 'a cron that matches no date',
      value: { schedule: { cron: '0 0 31 2 *' } },
      issue: {
        field: 'schedule.cron',
        kind: 'invalid-format',
        value: '"0 0 31 2 *"',
        expected: `${CRON_RULE}; it matches no date, so it would never run`,
      },
    },
    {
      problem: 'a cron of six fields',
      value: { schedule: { cron: '0 0 2 * * *' } },
      issue: {
        field: 'schedule.cron',
        kind: 'invalid-format',
        value: '"0 0 2 * * *"',
        expected: expect.stringContaining("mode '5-part' requires exactly 5 parts"),
      },
    },
    {
      problem: 'an unknown time zone',
      value: { schedule: { cron: '0 2 * * *', timezone: 'Europe/Atlantis' } },
      issue: {
        field: 'schedule.timezone',
        kind: 'constraint',
        value: '"Europe/Atlantis"',
        expected: TZ_RULE,
      },
    },
    {
      problem: 'an offset instead of a time zone',
      value: { retention: { timezone: '+01:00' } },
      issue: { field: 'retention.timezone', kind: 'constraint', value: '"+01:00"', expected: TZ_RULE },
    },
    {
      problem: 'an interval below the tick',
      value: { intervalMinutes: 2 },
      issue: {
        field: 'intervalMinutes',
        kind: 'out-of-range',
        value: '2',
        expected: 'an integer number of minutes from 5 (the dispatcher tick) to 10080 (7 days)',
      },
    },
    {
      problem: 'a cron firing more often than the tick',
      value: { schedule: { cron: '*/2 * * * *' } },
      issue: {
        field: 'schedule.cron',
        kind: 'constraint',
        value: '"*/2 * * * *"',
        expected:
          'a cron expression whose runs are at least 5 minutes apart (the dispatcher tick); "*/2 * * * *" runs 2 minutes apart',
      },
    },
    {
      problem: 'a cron whose runs come closer than the tick only across the hour',
      value: { schedule: { cron: '*/7 * * * *' } },
      issue: {
        field: 'schedule.cron',
        kind: 'constraint',
        value: '"*/7 * * * *"',
        expected:
          'a cron expression whose runs are at least 5 minutes apart (the dispatcher tick); "*/7 * * * *" runs 4 minutes apart',
      },
    },
    {
      problem: 'a cron firing more often than its minimum interval',
      value: { schedule: { cron: '0 */2 * * *', minIntervalMinutes: 180 } },
      issue: {
        field: 'schedule.cron',
        kind: 'constraint',
        value: '"0 */2 * * *"',
        expected:
          'a cron expression whose runs are at least 180 minutes apart (schedule.minIntervalMinutes); "0 */2 * * *" runs 120 minutes apart',
      },
    },
    {
      problem: 'a minimum interval below the tick',
      value: { schedule: { cron: '0 2 * * *', minIntervalMinutes: 1 } },
      issue: {
        field: 'schedule.minIntervalMinutes',
        kind: 'out-of-range',
        value: '1',
        expected: 'an integer number of minutes from 5 (the dispatcher tick) to 10080 (7 days)',
      },
    },
    {
      problem: 'a jitter above its bound',
      value: { schedule: { cron: '0 2 * * *', jitterMinutes: 121 } },
      issue: {
        field: 'schedule.jitterMinutes',
        kind: 'out-of-range',
        value: '121',
        expected: 'an integer number of minutes from 0 to 120',
      },
    },
    {
      problem: 'both intervalMinutes and a cron',
      value: { intervalMinutes: 60, schedule: { cron: '0 2 * * *' } },
      issue: {
        field: 'intervalMinutes',
        kind: 'constraint',
        value: '60',
        expected: 'either intervalMinutes or schedule.cron, not both: schedule.cron "0 2 * * *" is set too',
      },
    },
    {
      problem: 'a schedule without a cron',
      value: { schedule: { jitterMinutes: 5 } },
      issue: { field: 'schedule.cron', kind: 'missing', value: 'nothing', expected: CRON_RULE },
    },
    {
      problem: 'an unknown field in the schedule',
      value: { schedule: { cron: '0 2 * * *', tz: 'UTC' } },
      issue: {
        field: 'schedule.tz',
        kind: 'unknown-field',
        value: '"UTC"',
        expected: 'no field "tz"; known fields here: cron, timezone, jitterMinutes, minIntervalMinutes',
      },
    },
    {
      problem: 'a window longer than the time between its starts',
      value: blackout({ cron: '0 */6 * * *', durationMinutes: 360 }),
      issue: {
        field: 'blackouts[0].durationMinutes',
        kind: 'constraint',
        value: '360',
        expected:
          'fewer minutes than the shortest time between two starts of the window ("0 */6 * * *" starts 360 minutes apart), or it would never end',
      },
    },
    {
      problem: 'a window both recurring and one-off',
      value: blackout({ cron: '0 1 * * *', durationMinutes: 60, from: '2026-12-20T00:00:00Z' }),
      issue: {
        field: 'blackouts[0]',
        kind: 'constraint',
        value: expect.any(String),
        expected:
          'a blackout window with either cron and durationMinutes, with an optional timezone (a recurring window), or from and to (a one-off window)',
      },
    },
    {
      problem: 'a window neither recurring nor one-off',
      value: blackout({ action: 'skip' }),
      issue: {
        field: 'blackouts[0]',
        kind: 'constraint',
        value: '{"action":"skip"}',
        expected: expect.any(String),
      },
    },
    {
      problem: 'a recurring window without a duration',
      value: blackout({ cron: '0 1 * * *' }),
      issue: {
        field: 'blackouts[0].durationMinutes',
        kind: 'constraint',
        value: 'nothing',
        expected: 'how long the window lasts, in minutes',
      },
    },
    {
      problem: 'a recurring window without a cron',
      value: blackout({ durationMinutes: 30 }),
      issue: {
        field: 'blackouts[0].cron',
        kind: 'constraint',
        value: 'nothing',
        expected: `${CRON_RULE}: when the window starts`,
      },
    },
    {
      problem: 'a window with a bad cron',
      value: blackout({ cron: 'every night', durationMinutes: 30 }),
      issue: {
        field: 'blackouts[0].cron',
        kind: 'invalid-format',
        value: '"every night"',
        expected: expect.stringContaining(CRON_RULE),
      },
    },
    {
      problem: 'a one-off window without its end',
      value: blackout({ from: '2026-12-20T00:00:00Z' }),
      issue: {
        field: 'blackouts[0].to',
        kind: 'constraint',
        value: 'nothing',
        expected:
          'an ISO 8601 instant with its offset, such as "2026-12-20T00:00:00Z" or "2026-12-20T00:00:00+01:00": a one-off window needs from and to',
      },
    },
    {
      problem: 'a one-off window without its start',
      value: blackout({ to: '2026-12-20T00:00:00Z' }),
      issue: {
        field: 'blackouts[0].from',
        kind: 'constraint',
        value: 'nothing',
        expected: expect.any(String),
      },
    },
    {
      problem: 'a one-off window ending before it starts',
      value: blackout({ from: '2026-12-20T00:00:00Z', to: '2026-12-20T00:00:00+01:00' }),
      issue: {
        field: 'blackouts[0].to',
        kind: 'constraint',
        value: '"2026-12-20T00:00:00+01:00"',
        expected: 'an instant after from (2026-12-20T00:00:00Z)',
      },
    },
    {
      problem: 'a one-off window with a time zone',
      value: blackout({
        from: '2026-12-20T00:00:00Z',
        to: '2026-12-21T00:00:00Z',
        timezone: 'Europe/Berlin',
      }),
      issue: {
        field: 'blackouts[0].timezone',
        kind: 'constraint',
        value: '"Europe/Berlin"',
        expected: 'no timezone in a one-off window: from and to carry their own offsets',
      },
    },
    {
      problem: 'a one-off window without an offset',
      value: blackout({ from: '2026-12-20T00:00:00', to: '2026-12-21T00:00:00Z' }),
      issue: {
        field: 'blackouts[0].from',
        kind: 'invalid-format',
        value: '"2026-12-20T00:00:00"',
        expected:
          'an ISO 8601 instant with its offset, such as "2026-12-20T00:00:00Z" or "2026-12-20T00:00:00+01:00"',
      },
    },
    {
      problem: 'an unknown blackout action',
      value: blackout({ from: '2026-12-20T00:00:00Z', to: '2026-12-21T00:00:00Z', action: 'pause' }),
      issue: {
        field: 'blackouts[0].action',
        kind: 'invalid-value',
        value: '"pause"',
        expected: '"defer" or "skip"',
      },
    },
    {
      problem: 'too many blackout windows',
      value: {
        blackouts: Array.from({ length: 21 }, () => ({
          from: '2026-12-20T00:00:00Z',
          to: '2026-12-21T00:00:00Z',
        })),
      },
      issue: {
        field: 'blackouts',
        kind: 'out-of-range',
        value: expect.any(String),
        expected: 'an array of at most 20 blackout windows',
      },
    },
    {
      problem: 'an unknown field in a blackout',
      value: blackout({
        from: '2026-12-20T00:00:00Z',
        to: '2026-12-21T00:00:00Z',
        start: '2026-12-20T00:00:00Z',
      }),
      issue: {
        field: 'blackouts[0].start',
        kind: 'unknown-field',
        value: '"2026-12-20T00:00:00Z"',
        expected: expect.stringContaining(
          'known fields here: name, cron, durationMinutes, timezone, from, to, action',
        ),
      },
    },
    {
      problem: 'a tier of zero',
      value: { retention: { tiers: { daily: 0 } } },
      issue: {
        field: 'retention.tiers.daily',
        kind: 'out-of-range',
        value: '0',
        expected: 'an integer from 1 to 1000',
      },
    },
    {
      problem: 'an unknown tier',
      value: { retention: { tiers: { fortnightly: 2 } } },
      issue: {
        field: 'retention.tiers.fortnightly',
        kind: 'unknown-field',
        value: '2',
        expected: 'no field "fortnightly"; known fields here: hourly, daily, weekly, monthly, yearly',
      },
    },
  ];

  it.each(cases)('$problem', ({ value, issue, context }) => {
    const error = failure(value, context);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.parameter).toBe(PARAMETER);
    expect(error.message).toContain(PARAMETER);
    expect(error.issues).toEqual([issue]);
  });
});

describe('defaults that inherit field by field', () => {
  it('merges stage ⊕ tenant ⊕ application and says where every value came from', () => {
    const layers = [
      stageLayer({
        defaults: {
          retention: { count: 20, timezone: 'Europe/Berlin' },
          notify: { contact: 'ops@example.com' },
        },
      }),
      tenantLayer({
        defaults: { retention: { count: 14, tiers: { daily: 7 } }, notify: { on: ['failed'] } },
      }),
    ];
    const result = parse({ retention: { maxAgeDays: 30 } }, { ...CONTEXT, layers });
    if (!result.ok) throw result.error;
    expect(result.config.retention).toEqual({
      count: 14,
      maxAgeDays: 30,
      minCount: 1,
      dryRun: false,
      manage: 'own',
      tiers: { daily: 7 },
      timezone: 'Europe/Berlin',
    });
    expect(result.config.notify).toEqual({ on: ['failed'], contact: 'ops@example.com' });
    const stage = { layer: 'stage', parameter: STAGE_PARAMETER };
    const tenant = { layer: 'tenant', parameter: TENANT_PARAMETER };
    const application = { layer: 'application', parameter: PARAMETER };
    const builtIn = { layer: 'built-in' };
    expect(result.provenance).toEqual({
      enabled: builtIn,
      intervalMinutes: builtIn,
      'retention.count': tenant,
      'retention.maxAgeDays': application,
      'retention.minCount': builtIn,
      'retention.dryRun': builtIn,
      'retention.manage': builtIn,
      'retention.tiers.daily': tenant,
      'retention.timezone': stage,
      snapshotTimeoutMinutes: builtIn,
      pollIntervalSeconds: builtIn,
      'notify.on': tenant,
      'notify.contact': stage,
      applicationName: builtIn,
    });
  });

  it('lets the most specific layer choose between an interval and a cron', () => {
    const stage = stageLayer({
      defaults: { intervalMinutes: 60, schedule: { timezone: 'Europe/Berlin', jitterMinutes: 10 } },
    });
    const cronApp = parse({ schedule: { cron: '0 2 * * *' } }, { ...CONTEXT, layers: [stage] });
    expect(cronApp.ok && cronApp.config.schedule).toEqual({
      cron: '0 2 * * *',
      timezone: 'Europe/Berlin',
      jitterMinutes: 10,
    });
    expect(cronApp.ok && cronApp.config.intervalMinutes).toBeUndefined();
    // The stage's time zone for cron applications does not make an interval application invalid.
    const intervalApp = parse({}, { ...CONTEXT, layers: [stage] });
    expect(intervalApp.ok && intervalApp.config.intervalMinutes).toBe(60);
    expect(intervalApp.ok && intervalApp.config.schedule).toBeUndefined();
    const tenant = tenantLayer({ defaults: { schedule: { cron: '30 3 * * *' } } });
    const inherited = parse({ intervalMinutes: 15 }, { ...CONTEXT, layers: [stage, tenant] });
    expect(inherited.ok && inherited.config).toMatchObject({ intervalMinutes: 15 });
    expect(inherited.ok && inherited.config.schedule).toBeUndefined();
  });

  it('names the layer of an inherited value that the effective configuration rejects', () => {
    const layers = [stageLayer({ defaults: { retention: { minCount: 8 } } })];
    expect(failure({ retention: { count: 5 } }, { ...CONTEXT, layers }).issues).toEqual([
      {
        field: `retention.minCount (inherited from the stage defaults ${STAGE_PARAMETER})`,
        kind: 'constraint',
        value: '8',
        expected: 'an integer from 0 to retention.count (5)',
      },
    ]);
    const tick = [tenantLayer({ defaults: { intervalMinutes: 10 } })];
    expect(failure({}, { ...CONTEXT, tickMinutes: 15, layers: tick }).issues.map(formatIssue)).toEqual([
      `intervalMinutes (inherited from the tenant's registry entry ${TENANT_PARAMETER}): received 10, expected an integer number of minutes from 15 (the dispatcher tick) to 10080 (7 days)`,
    ]);
  });

  it.each([
    {
      problem: 'more snapshots kept than the tenant allows, count alone',
      layers: () => [tenantLayer({ caps: { maxRetainedSnapshots: 30 } })],
      value: { retention: { count: 40 } },
      issue: {
        field: 'retention.count',
        kind: 'constraint',
        value: '40',
        expected: `at most 30 snapshots kept per application, retention.count plus every tier's count (cap maxRetainedSnapshots in the tenant's registry entry ${TENANT_PARAMETER})`,
      },
    },
    {
      problem: 'more snapshots kept than the stage allows, with tiers',
      layers: () => [stageLayer({ caps: { maxRetainedSnapshots: 40 } })],
      value: { retention: { count: 24, tiers: { daily: 7, weekly: 4, monthly: 12 } } },
      issue: {
        field: 'retention.count + retention.tiers',
        kind: 'constraint',
        value: '24 + 23 = 47',
        expected: `at most 40 snapshots kept per application, retention.count plus every tier's count (cap maxRetainedSnapshots in the stage defaults ${STAGE_PARAMETER})`,
      },
    },
    {
      problem: 'an interval shorter than the stage allows',
      layers: () => [stageLayer({ caps: { minIntervalMinutes: 60 } })],
      value: { intervalMinutes: 30 },
      issue: {
        field: 'intervalMinutes',
        kind: 'constraint',
        value: '30',
        expected: `an interval of at least 60 minutes (cap minIntervalMinutes in the stage defaults ${STAGE_PARAMETER})`,
      },
    },
    {
      problem: 'a cron firing more often than the tenant allows',
      layers: () => [tenantLayer({ caps: { minIntervalMinutes: 60 } })],
      value: { schedule: { cron: '*/15 * * * *' } },
      issue: {
        field: 'schedule.cron',
        kind: 'constraint',
        value: '"*/15 * * * *"',
        expected: `a cron expression whose runs are at least 60 minutes apart (cap minIntervalMinutes in the tenant's registry entry ${TENANT_PARAMETER}); it runs 15 minutes apart`,
      },
    },
  ])('refuses $problem, naming the cap and where it is set', ({ layers, value, issue }) => {
    const error = failure(value, { ...CONTEXT, layers: layers() });
    expect(error.parameter).toBe(PARAMETER);
    expect(error.appKey).toBe('team-a/orders');
    expect(error.issues).toEqual([issue]);
  });

  it('accepts what stays within every cap', () => {
    const layers = [
      stageLayer({ caps: { maxRetainedSnapshots: 47, minIntervalMinutes: 60 } }),
      tenantLayer({ caps: { minIntervalMinutes: 120 } }),
    ];
    expect(
      parse(
        { schedule: { cron: '0 */2 * * *' }, retention: { count: 24, tiers: { daily: 23 } } },
        { ...CONTEXT, layers },
      ).ok,
    ).toBe(true);
    expect(parse({ intervalMinutes: 120 }, { ...CONTEXT, layers }).ok).toBe(true);
  });

  it('counts what a retention policy keeps at most', () => {
    expect(retainedAtMost({ count: 10, minCount: 1, dryRun: false, manage: 'own' })).toBe(10);
    expect(
      retainedAtMost({
        count: 10,
        minCount: 1,
        dryRun: false,
        manage: 'own',
        tiers: { daily: 7, weekly: undefined, yearly: 2 },
      }),
    ).toBe(19);
  });
});

describe('mergeLayers', () => {
  const stage = { layer: ConfigLayer.STAGE, parameter: STAGE_PARAMETER };
  const app = { layer: ConfigLayer.APPLICATION, parameter: PARAMETER };

  it('takes a value that is not an object whole, arrays included', () => {
    const merged = mergeLayers([
      { source: stage, value: { notify: { on: ['failed'], contact: 'x' }, retention: 3 } },
      { source: app, value: { notify: { on: ['completed'] }, retention: { count: 2 } } },
    ]);
    expect(merged.value).toEqual({ notify: { on: ['completed'], contact: 'x' }, retention: { count: 2 } });
    expect(sourceOf(merged.sources, 'notify.on[0]')).toEqual(app);
    expect(sourceOf(merged.sources, 'notify.contact')).toEqual(stage);
    expect(sourceOf(merged.sources, 'retention.count')).toEqual(app);
    expect(sourceOf(merged.sources, 'retention.minCount')).toEqual({ layer: 'built-in' });
    expect(sourceOf(merged.sources, 'odd[key')).toEqual({ layer: 'built-in' });
  });

  it('replaces a whole object with a value that is not one, and an application document that is not an object', () => {
    const merged = mergeLayers([
      { source: stage, value: { retention: { count: 2 } } },
      { source: app, value: { retention: 'keep' } },
    ]);
    expect(merged.value).toEqual({ retention: 'keep' });
    expect(sourceOf(merged.sources, 'retention')).toEqual(app);
    expect(
      mergeLayers([
        { source: stage, value: { a: 1 } },
        { source: app, value: [1] },
      ]).value,
    ).toEqual([1]);
  });

  it('keeps a schedule without a cron that the application itself set, so it is reported', () => {
    const merged = mergeLayers([{ source: app, value: { schedule: { timezone: 'UTC' } } }]);
    expect(merged.value).toEqual({ schedule: { timezone: 'UTC' } });
  });
});

describe('the stage defaults document', () => {
  it('is read from its own parameter, with defaults and caps', () => {
    expect(stageDefaultsParameterName('prod')).toBe('/flink-snapshots/prod/defaults');
    expect(stageLayer({ defaults: { paused: true }, caps: { minIntervalMinutes: 30 } })).toEqual({
      layer: 'stage',
      parameter: STAGE_PARAMETER,
      defaults: { paused: true },
      caps: { minIntervalMinutes: 30 },
    });
    expect(stageLayer({})).toEqual({
      layer: 'stage',
      parameter: STAGE_PARAMETER,
      defaults: undefined,
      caps: undefined,
    });
  });

  it.each([
    {
      problem: 'a value of the wrong type in the defaults',
      value: { defaults: { retention: { count: 0 } } },
      issue: {
        field: 'defaults.retention.count',
        kind: 'out-of-range',
        value: '0',
        expected: 'an integer from 1 to 1000',
      },
    },
    {
      problem: 'an application name in the defaults',
      value: { defaults: { applicationName: 'x' } },
      issue: {
        field: 'defaults.applicationName',
        kind: 'unknown-field',
        value: '"x"',
        expected: expect.stringContaining('known fields here: region, roleArn, enabled, paused'),
      },
    },
    {
      problem: 'an unknown field inside the defaults’ retention',
      value: { defaults: { retention: { kount: 3 } } },
      issue: {
        field: 'defaults.retention.kount',
        kind: 'unknown-field',
        value: '3',
        expected: expect.stringContaining('(did you mean "count" or "minCount"?)'),
      },
    },
    {
      problem: 'an unknown cap',
      value: { caps: { maxSnapshots: 3 } },
      issue: {
        field: 'caps.maxSnapshots',
        kind: 'unknown-field',
        value: '3',
        expected: expect.stringContaining('known fields here: maxRetainedSnapshots, minIntervalMinutes'),
      },
    },
    {
      problem: 'an unknown top-level field',
      value: { default: {} },
      issue: {
        field: 'default',
        kind: 'unknown-field',
        value: '{}',
        expected: 'no field "default" (did you mean "defaults"?); known fields here: defaults, caps',
      },
    },
    {
      problem: 'defaults that are not an object',
      value: { defaults: [] },
      issue: {
        field: 'defaults',
        kind: 'wrong-type',
        value: '[]',
        expected: expect.stringContaining('a JSON object with any of the application fields region, roleArn'),
      },
    },
  ])('reports $problem', ({ value, issue }) => {
    const result = parseStageDefaults(STAGE_PARAMETER, JSON.stringify(value), { stage: 'dev' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.parameter).toBe(STAGE_PARAMETER);
    expect(!result.ok && result.error.issues).toEqual([issue]);
  });

  it('reports a parameter of another name, and text that is not JSON', () => {
    const misnamed = parseStageDefaults('/flink-snapshots/dev/default', '{}', { stage: 'dev' });
    expect(!misnamed.ok && misnamed.error.issues).toEqual([
      {
        field: '(name)',
        kind: 'bad-path',
        value: '"/flink-snapshots/dev/default"',
        expected: STAGE_PARAMETER,
      },
    ]);
    const broken = parseStageDefaults(STAGE_PARAMETER, '{', { stage: 'dev', type: 'String' });
    expect(!broken.ok && broken.error.issues[0]?.kind).toBe('not-json');
  });

  it('lets a tenant entry report a bad default under its own name', () => {
    const entry = {
      accounts: ['123456789012'],
      regions: ['eu-west-1'],
      defaults: { schedule: { cron: 'x' } },
      caps: { minIntervalMinutes: 0 },
    };
    const result = parseTenantEntry(TENANT_PARAMETER, JSON.stringify(entry), { stage: 'dev' });
    expect(!result.ok && result.error.issues.map((i) => i.field)).toEqual([
      'defaults.schedule.cron',
      'caps.minIntervalMinutes',
    ]);
  });
});
