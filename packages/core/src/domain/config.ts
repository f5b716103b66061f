/**
 * The configuration contract: the JSON value of SSM parameter `/flink-snapshots/<stage>/apps/<tenant>/<app>`.
 * `{}` is valid (every field has a default or is optional); unknown fields are errors, so a typo such as
 * `retian` is reported instead of silently ignored. Each schema's error text is what the user should have
 * written: it becomes the `expected` of a ConfigError issue.
 */
import { configPathPrefix } from '@flink-snapshots/settings';
import { z } from 'zod';
import { CRON_RULE, cronProblem, cronShortestGapMinutes } from './cron';
import {
  attributeIssue,
  ConfigLayer,
  checkCaps,
  type DefaultsLayer,
  mergeLayers,
  type Provenance,
  provenanceOf,
  stageDefaultsParameterName,
} from './defaults';
import { ConfigError } from './errors';
import {
  describeJsonError,
  type FieldIssue,
  findDuplicateKey,
  IssueKind,
  issuesFromZod,
  renderValue,
} from './issues';
import { isTimeZone } from './time-zone';

export { APP_NAME, configPathPrefix, partitionOf } from '@flink-snapshots/settings';

/** MSF application names: 1..128 of a-z A-Z 0-9 _ . - (CreateApplication's ApplicationName). */
export const APPLICATION_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;
export const TENANT_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;
/** eu-west-1, us-gov-west-1, cn-north-1, us-isob-east-1, eusc-de-east-1. */
export const REGION_PATTERN = /^[a-z]{2,4}(?:-[a-z]+){1,2}-[0-9]{1,2}$/;
/** IAM role ARN in the three public partitions; path segments may hold any printable ASCII but `/`. */
export const ROLE_ARN_PATTERN =
  /^arn:(aws|aws-cn|aws-us-gov):iam::[0-9]{12}:role\/(?:[\u0021-\u002e\u0030-\u007e]+\/)*[\w+=,.@-]{1,64}$/;
const APP_SEGMENT_PATTERN = /^[a-zA-Z0-9_.-]+$/;

export const MAX_INTERVAL_MINUTES = 7 * 24 * 60;
export const MAX_SNAPSHOT_AGE_MINUTES = 90 * 24 * 60;
/** How late jitter may move a cron run, at most. */
export const MAX_JITTER_MINUTES = 120;
export const MAX_BLACKOUTS = 20;
/** The most snapshots one retention tier may keep. */
export const MAX_TIER_COUNT = 1000;
/** Without `intervalMinutes` or `schedule`, an application runs once a day. */
export const DEFAULT_INTERVAL_MINUTES = 1440;

export const NotifyEvent = {
  FAILED: 'failed',
  TIMED_OUT: 'timed-out',
  SKIPPED: 'skipped',
  QUOTA_WARNING: 'quota-warning',
  COMPLETED: 'completed',
  /** The newest READY snapshot became older than maxSnapshotAgeMinutes (once per episode). */
  STALE: 'stale',
  /** A stale application has a fresh READY snapshot again. */
  RECOVERED: 'recovered',
} as const;

export const RetentionScope = { OWN: 'own', ALL: 'all' } as const;

/** What happens to a slot that falls inside a blackout window: it runs when the window ends, or not at all. */
export const BlackoutAction = { DEFER: 'defer', SKIP: 'skip' } as const;

/** The calendar periods of tiered retention, shortest first. */
export const RetentionTier = {
  HOURLY: 'hourly',
  DAILY: 'daily',
  WEEKLY: 'weekly',
  MONTHLY: 'monthly',
  YEARLY: 'yearly',
} as const;

const NAME_RULE = '1 to 128 characters from a-z A-Z 0-9 _ . -';

export const ApplicationNameSchema = z
  .string({ error: `an MSF application name: ${NAME_RULE}` })
  .regex(APPLICATION_NAME_PATTERN);
export const TenantSchema = z
  .string({ error: 'a tenant: 1 to 64 characters from a-z A-Z 0-9 _ . -' })
  .regex(TENANT_PATTERN);
/** `<tenant>/<app>`, the application's key in the runs table. */
export const AppKeySchema = z
  .string({ error: 'an application key <tenant>/<app>' })
  .regex(/^[a-zA-Z0-9_.-]{1,64}\/[a-zA-Z0-9_.-]+$/);
export const RegionSchema = z
  .string({ error: 'an AWS region such as eu-west-1, us-gov-west-1 or cn-north-1' })
  .regex(REGION_PATTERN);
export const RoleArnSchema = z
  .string({
    error:
      'an IAM role ARN arn:<aws|aws-cn|aws-us-gov>:iam::<12-digit account id>:role/<optional path/><name>',
  })
  .max(2048)
  .regex(ROLE_ARN_PATTERN);

const bool = () => z.boolean({ error: 'true or false' });

const TIME_ZONE_RULE = 'an IANA time zone such as "Europe/Berlin", "America/New_York" or "UTC"';
export const TimeZoneSchema = z
  .string({ error: TIME_ZONE_RULE })
  .refine(isTimeZone, { error: `${TIME_ZONE_RULE}, one the runtime's time zone database knows` });

/** A valid cron expression; `tickMinutes` also bounds how often it may fire. */
function cronSchema(tickMinutes?: number) {
  return z.string({ error: CRON_RULE }).superRefine((expression, ctx) => {
    const problem = cronProblem(expression);
    if (problem !== undefined) {
      ctx.addIssue({
        code: 'invalid_format',
        format: 'cron',
        input: expression,
        message: `${CRON_RULE}; ${problem}`,
      });
      return;
    }
    const gap = cronShortestGapMinutes(expression);
    if (tickMinutes !== undefined && gap < tickMinutes) {
      ctx.addIssue({
        code: 'custom',
        input: expression,
        message: `${cronApart(tickMinutes, 'the dispatcher tick')}; "${expression}" runs ${gap} minutes apart`,
      });
    }
  });
}

function cronApart(minutes: number, why: string): string {
  return `a cron expression whose runs are at least ${minutes} minutes apart (${why})`;
}

const tierCount = () =>
  z
    .int({ error: `an integer from 1 to ${MAX_TIER_COUNT}` })
    .min(1)
    .max(MAX_TIER_COUNT)
    .optional();

export const RetentionTiersSchema = z.strictObject(
  {
    hourly: tierCount(),
    daily: tierCount(),
    weekly: tierCount(),
    monthly: tierCount(),
    yearly: tierCount(),
  },
  {
    error: `an object with ${Object.values(RetentionTier).join(', ')}, each an integer from 1 to ${MAX_TIER_COUNT}`,
  },
);

export const RetentionPolicySchema = z
  .strictObject(
    {
      /** How many of this tool's READY snapshots to keep, newest first. */
      count: z.int({ error: 'an integer from 1 to 1000' }).min(1).max(1000).default(10),
      /** Delete READY snapshots older than this many days, beyond the minCount floor. */
      maxAgeDays: z.int({ error: 'an integer number of days from 1 to 3650' }).min(1).max(3650).optional(),
      /** Never delete for age below this many newest READY snapshots. */
      minCount: z
        .int({ error: 'an integer from 0 to 1000, at most retention.count' })
        .min(0)
        .max(1000)
        .default(1),
      /** Plan and report deletions without deleting. */
      dryRun: bool().default(false),
      /** `own`: only snapshots this tool made; `all`: also manual and service-made ones. */
      manage: z.enum(RetentionScope, { error: '"own" or "all"' }).default(RetentionScope.OWN),
      /** Also keep the newest READY snapshot of each of the last N hours, days, weeks, months, years. */
      tiers: RetentionTiersSchema.optional(),
      /** The zone whose calendar cuts the tiers' periods; default UTC. */
      timezone: TimeZoneSchema.optional(),
      /** Keep the newest READY snapshot of an older application version (the rollback target); default true. */
      keepPreviousVersion: bool().optional(),
    },
    {
      error:
        'an object with count, maxAgeDays, minCount, dryRun, manage, tiers, timezone, keepPreviousVersion',
    },
  )
  .superRefine(
    (retention, ctx) => {
      if (retention.minCount > retention.count) {
        ctx.addIssue({
          code: 'custom',
          path: ['minCount'],
          input: retention.minCount,
          message: `an integer from 0 to retention.count (${retention.count})`,
        });
      }
    },
    { when: fieldsValid(['count', 'minCount']) },
  );

export const NotifySchema = z.strictObject(
  {
    /** Which run outcomes raise an alert. */
    on: z
      .array(z.enum(NotifyEvent, { error: `one of ${quoted(Object.values(NotifyEvent))}` }), {
        error: `an array of ${quoted(Object.values(NotifyEvent))}`,
      })
      .default(() => [
        NotifyEvent.FAILED,
        NotifyEvent.TIMED_OUT,
        NotifyEvent.QUOTA_WARNING,
        NotifyEvent.STALE,
        NotifyEvent.RECOVERED,
      ]),
    /** Team or e-mail carried in alerts. */
    contact: z.string({ error: 'a string of 1 to 256 characters' }).min(1).max(256).optional(),
  },
  { error: 'an object with on, contact' },
);

function quoted(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}

/** Run a cross-field check only on an object whose named fields parsed cleanly. */
function fieldsValid(fields: readonly string[]) {
  return (payload: z.core.ParsePayload): boolean =>
    typeof payload.value === 'object' &&
    payload.value !== null &&
    !payload.issues.some((issue) => fields.includes(String(issue.path?.[0])));
}

const intervalRule = (tickMinutes: number) =>
  `an integer number of minutes from ${tickMinutes} (the dispatcher tick) to ${MAX_INTERVAL_MINUTES} (7 days)`;

/** A cron schedule: when the application runs, instead of every `intervalMinutes`. */
function cronScheduleSchema(tickMinutes: number) {
  return z
    .strictObject(
      {
        /** Five fields, read in `timezone`. */
        cron: cronSchema(tickMinutes),
        timezone: TimeZoneSchema.default('UTC'),
        /** Each run starts a fixed 0..jitterMinutes later, chosen per application, so a fleet does not start at once. */
        jitterMinutes: z
          .int({ error: `an integer number of minutes from 0 to ${MAX_JITTER_MINUTES}` })
          .min(0)
          .max(MAX_JITTER_MINUTES)
          .default(0),
        /** No run starts sooner than this after the previous one (a catch-up included). */
        minIntervalMinutes: z
          .int({ error: intervalRule(tickMinutes) })
          .min(tickMinutes)
          .max(MAX_INTERVAL_MINUTES)
          .optional(),
      },
      { error: 'an object with cron, timezone, jitterMinutes, minIntervalMinutes' },
    )
    .superRefine(
      (schedule, ctx) => {
        const gap = cronShortestGapMinutes(schedule.cron);
        if (schedule.minIntervalMinutes !== undefined && gap < schedule.minIntervalMinutes) {
          ctx.addIssue({
            code: 'custom',
            path: ['cron'],
            input: schedule.cron,
            message: `${cronApart(schedule.minIntervalMinutes, 'schedule.minIntervalMinutes')}; "${schedule.cron}" runs ${gap} minutes apart`,
          });
        }
      },
      { when: fieldsValid(['cron', 'minIntervalMinutes']) },
    );
}

const INSTANT_RULE =
  'an ISO 8601 instant with its offset, such as "2026-12-20T00:00:00Z" or "2026-12-20T00:00:00+01:00"';
const instant = () => z.iso.datetime({ offset: true, error: INSTANT_RULE });
const BLACKOUT_FORMS =
  'either cron and durationMinutes, with an optional timezone (a recurring window), or from and to (a one-off window)';

/** A window in which no snapshot starts: recurring (cron start, duration, zone) or one-off (from, to). */
export const BlackoutSchema = z
  .strictObject(
    {
      /** Named in the reason a run records. */
      name: z.string({ error: 'a name of 1 to 64 characters' }).min(1).max(64).optional(),
      cron: cronSchema().optional(),
      durationMinutes: z
        .int({ error: `an integer number of minutes from 1 to ${MAX_INTERVAL_MINUTES}` })
        .min(1)
        .max(MAX_INTERVAL_MINUTES)
        .optional(),
      /** The zone `cron` is read in; default UTC. */
      timezone: TimeZoneSchema.optional(),
      from: instant().optional(),
      to: instant().optional(),
      action: z.enum(BlackoutAction, { error: '"defer" or "skip"' }).default(BlackoutAction.DEFER),
    },
    { error: `a blackout window: an object with name, action and ${BLACKOUT_FORMS}` },
  )
  .superRefine(
    (window, ctx) => {
      const issue = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], input: window[path as keyof typeof window], message });
      const recurring = window.cron !== undefined || window.durationMinutes !== undefined;
      const once = window.from !== undefined || window.to !== undefined;
      if (recurring === once) {
        ctx.addIssue({ code: 'custom', input: window, message: `a blackout window with ${BLACKOUT_FORMS}` });
      } else if (recurring) {
        if (window.cron === undefined) issue('cron', `${CRON_RULE}: when the window starts`);
        else if (window.durationMinutes === undefined)
          issue('durationMinutes', 'how long the window lasts, in minutes');
        else {
          const gap = cronShortestGapMinutes(window.cron);
          if (window.durationMinutes >= gap) {
            issue(
              'durationMinutes',
              `fewer minutes than the shortest time between two starts of the window ("${window.cron}" starts ${gap} minutes apart), or it would never end`,
            );
          }
        }
      } else if (window.timezone !== undefined) {
        issue('timezone', 'no timezone in a one-off window: from and to carry their own offsets');
      } else if (window.from === undefined || window.to === undefined) {
        issue(
          window.from === undefined ? 'from' : 'to',
          `${INSTANT_RULE}: a one-off window needs from and to`,
        );
      } else if (Date.parse(window.to) <= Date.parse(window.from)) {
        issue('to', `an instant after from (${window.from})`);
      }
    },
    { when: fieldsValid(['cron', 'durationMinutes', 'timezone', 'from', 'to']) },
  );

function documentShape(tickMinutes: number) {
  return {
    /** MSF application name; default: the last segment of the parameter name. */
    applicationName: ApplicationNameSchema.optional(),
    /** Region of the application; default: the deployment's region. */
    region: RegionSchema.optional(),
    /** Role to assume for an application in another account. */
    roleArn: RoleArnSchema.optional(),
    enabled: bool().default(true),
    /** Stop scheduling without recording anything; on resuming, one catch-up run if a slot passed. */
    paused: bool().optional(),
    /** Minutes between runs; DEFAULT_INTERVAL_MINUTES when there is no `schedule` either. */
    intervalMinutes: z
      .int({ error: intervalRule(tickMinutes) })
      .min(tickMinutes)
      .max(MAX_INTERVAL_MINUTES)
      .optional(),
    /**
     * The freshness objective (RPO): the newest READY snapshot must be younger than this; default twice
     * the interval (a cron schedule's longest gap between slots). Stale applications are counted every
     * tick and alerted once per episode.
     */
    maxSnapshotAgeMinutes: z
      .int({
        error: `an integer number of minutes from ${tickMinutes} to ${MAX_SNAPSHOT_AGE_MINUTES} (90 days)`,
      })
      .min(tickMinutes)
      .max(MAX_SNAPSHOT_AGE_MINUTES)
      .optional(),
    schedule: cronScheduleSchema(tickMinutes).optional(),
    blackouts: z
      .array(BlackoutSchema, { error: `an array of at most ${MAX_BLACKOUTS} blackout windows` })
      .max(MAX_BLACKOUTS)
      .optional(),
    /** Keep snapshots out of MSF's own maintenance window (the worker reads it); default true. */
    avoidMaintenanceWindow: bool().optional(),
    retention: RetentionPolicySchema.prefault({}),
    snapshotTimeoutMinutes: z
      .int({ error: 'an integer number of minutes from 1 to 720' })
      .min(1)
      .max(720)
      .default(30),
    /** Delay between polls of a CREATING snapshot; SQS DelaySeconds allows at most 900. */
    pollIntervalSeconds: z
      .int({ error: 'an integer number of seconds from 5 to 900' })
      .min(5)
      .max(900)
      .default(30),
    notify: NotifySchema.prefault({}),
  };
}

const DOCUMENT_FIELDS = Object.keys(documentShape(1));

function buildDocumentSchema(tickMinutes: number) {
  return z
    .strictObject(documentShape(tickMinutes), {
      error: `a JSON object with fields ${DOCUMENT_FIELDS.join(', ')}`,
    })
    .superRefine(oneScheduleKind, { when: fieldsValid(['intervalMinutes', 'schedule']) });
}

/** `intervalMinutes` and `schedule` are two ways of saying when to run: a configuration says one. */
function oneScheduleKind(
  config: { intervalMinutes?: number | undefined; schedule?: { cron: string } | undefined },
  ctx: z.RefinementCtx,
): void {
  if (config.intervalMinutes !== undefined && config.schedule !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['intervalMinutes'],
      input: config.intervalMinutes,
      message: `either intervalMinutes or schedule.cron, not both: schedule.cron "${config.schedule.cron}" is set too`,
    });
  }
}

// Building a zod schema costs far more than parsing with one: keep one per tick length.
const documentSchemas = new Map<number, ReturnType<typeof buildDocumentSchema>>();

/** Schema of the parameter's JSON value for a dispatcher ticking every `tickMinutes`. */
export function appConfigDocumentSchema(tickMinutes: number): ReturnType<typeof buildDocumentSchema> {
  let schema = documentSchemas.get(tickMinutes);
  if (schema === undefined) {
    schema = buildDocumentSchema(tickMinutes);
    documentSchemas.set(tickMinutes, schema);
  }
  return schema;
}

/** What a team writes into the parameter (all optional). */
export type AppConfigDocument = z.input<ReturnType<typeof appConfigDocumentSchema>>;

/** A parsed configuration: the document with defaults applied, plus where it came from. Travels in work messages. */
export const AppConfigSchema = z
  .strictObject(
    {
      /** The SSM parameter it was read from. */
      parameter: z.string({ error: 'an SSM parameter name' }).min(1),
      tenant: TenantSchema,
      /** `<tenant>/<app>` from the parameter name. */
      appKey: AppKeySchema,
      ...documentShape(1),
      applicationName: ApplicationNameSchema,
    },
    { error: 'a parsed application configuration object' },
  )
  .superRefine(
    (config, ctx) => {
      oneScheduleKind(config, ctx);
      if (config.intervalMinutes === undefined && config.schedule === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['intervalMinutes'],
          input: undefined,
          message: 'intervalMinutes or schedule: a parsed configuration says when it runs',
        });
      }
    },
    { when: fieldsValid(['intervalMinutes', 'schedule']) },
  );

/**
 * Administrators' limits on what applications may ask for, in the stage defaults and in a tenant's registry
 * entry. Each is checked on the effective configuration; an application exceeding one is invalid.
 */
export const CapsSchema = z.strictObject(
  {
    /** The most snapshots one application's retention may keep: retention.count plus every tier's count. */
    maxRetainedSnapshots: z.int({ error: 'an integer from 1 to 1000' }).min(1).max(1000).optional(),
    /** The shortest time between two runs of one application: its intervalMinutes, or its cron's shortest gap. */
    minIntervalMinutes: z
      .int({ error: `an integer number of minutes from 1 to ${MAX_INTERVAL_MINUTES}` })
      .min(1)
      .max(MAX_INTERVAL_MINUTES)
      .optional(),
  },
  { error: 'an object with maxRetainedSnapshots, minIntervalMinutes' },
);

const LAYER_FIELDS = DOCUMENT_FIELDS.filter((field) => field !== 'applicationName');

/**
 * The same schema with no defaults and no checks across fields: a layer sets only what it sets, and what
 * depends on other fields is judged on the effective configuration.
 */
function withoutDefaults(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodOptional) {
    return withoutDefaults(schema.unwrap() as z.ZodType);
  }
  if (!(schema instanceof z.ZodObject)) return schema;
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    shape[key] = withoutDefaults(field).optional();
  }
  return z.strictObject(shape, { error: schema.def.error as z.core.$ZodErrorMap });
}

/** Defaults a stage or a tenant sets for its applications: any application field but applicationName. */
export const LayerSchema = z.strictObject(
  Object.fromEntries(
    LAYER_FIELDS.map((field) => [
      field,
      withoutDefaults(documentShape(1)[field as keyof ReturnType<typeof documentShape>]).optional(),
    ]),
  ),
  { error: `a JSON object with any of the application fields ${LAYER_FIELDS.join(', ')}` },
);

/** The stage's document `/flink-snapshots/<stage>/defaults`, written by administrators. */
export const StageDefaultsSchema = z.strictObject(
  { defaults: LayerSchema.optional(), caps: CapsSchema.optional() },
  { error: 'a JSON object with fields defaults, caps' },
);

export type AppConfig = z.infer<typeof AppConfigSchema>;
export type RetentionPolicy = z.infer<typeof RetentionPolicySchema>;
export type RetentionTiers = z.infer<typeof RetentionTiersSchema>;
export type CronSchedule = z.infer<ReturnType<typeof cronScheduleSchema>>;
export type Blackout = z.infer<typeof BlackoutSchema>;
export type Caps = z.infer<typeof CapsSchema>;
export type NotifyEvent = (typeof NotifyEvent)[keyof typeof NotifyEvent];
export type RetentionScope = (typeof RetentionScope)[keyof typeof RetentionScope];
export type BlackoutAction = (typeof BlackoutAction)[keyof typeof BlackoutAction];
export type RetentionTier = (typeof RetentionTier)[keyof typeof RetentionTier];

export type AppConfigResult =
  | {
      readonly ok: true;
      readonly config: AppConfig;
      /** Where each effective field came from: the application, its tenant, the stage, or the built-in default. */
      readonly provenance: Provenance;
    }
  | { readonly ok: false; readonly error: ConfigError };

export interface ConfigContext {
  readonly stage: string;
  /** The dispatcher's tick; no application can run more often. */
  readonly tickMinutes: number;
  /**
   * What the application inherits, least specific first: the stage defaults (parseStageDefaults), then
   * its tenant's registry entry (tenantDefaultsLayer). Their caps apply too.
   */
  readonly layers?: readonly DefaultsLayer[] | undefined;
}

/** The SSM parameter name of one application's configuration. */
export function configParameterName(stage: string, tenant: string, app: string): string {
  return `${configPathPrefix(stage)}${tenant}/${app}`;
}

const NAME_FIELD = '(name)';
const VALUE_FIELD = '(value)';
const TYPE_FIELD = '(type)';

function parseParameterName(
  parameter: string,
  stage: string,
): { tenant: string; app: string } | { issue: FieldIssue } {
  const prefix = configPathPrefix(stage);
  const bad = (expected: string) => ({
    issue: { field: NAME_FIELD, kind: IssueKind.BAD_PATH, value: renderValue(parameter), expected },
  });
  if (!parameter.startsWith(prefix)) return bad(`a name under ${prefix}: ${prefix}<tenant>/<application>`);
  const segments = parameter.slice(prefix.length).split('/');
  const [tenant, app] = segments;
  if (segments.length !== 2 || tenant === undefined || app === undefined) {
    return bad(`exactly two segments after ${prefix}: <tenant>/<application>`);
  }
  if (!TENANT_PATTERN.test(tenant)) {
    return bad(`a tenant segment of 1 to 64 characters from a-z A-Z 0-9 _ . - (got "${tenant}")`);
  }
  if (!APP_SEGMENT_PATTERN.test(app)) {
    return bad(`an application segment of characters from a-z A-Z 0-9 _ . - (got "${app}")`);
  }
  return { tenant, app };
}

const NESTED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  retention: Object.keys(RetentionPolicySchema.shape),
  'retention.tiers': Object.keys(RetentionTiersSchema.shape),
  notify: Object.keys(NotifySchema.shape),
  schedule: Object.keys(cronScheduleSchema(1).shape),
  blackouts: Object.keys(BlackoutSchema.shape),
};

/** The fields an object at `path` of a document may have, for "did you mean" hints. */
function knownFields(path: readonly PropertyKey[]): readonly string[] {
  const name = path.filter((key) => typeof key === 'string').join('.');
  return NESTED_FIELDS[name] ?? DOCUMENT_FIELDS;
}

/** The same in a stage defaults document or a registry entry, whose `defaults` hold application fields. */
export function knownLayerFields(
  path: readonly PropertyKey[],
  topFields: readonly string[],
): readonly string[] {
  if (path[0] === 'caps') return Object.keys(CapsSchema.shape);
  if (path[0] !== 'defaults') return topFields;
  return path.length === 1 ? LAYER_FIELDS : knownFields(path.slice(1));
}

/** SSM's parameter types; configurations are String parameters. */
export const ParameterType = {
  STRING: 'String',
  STRING_LIST: 'StringList',
  SECURE_STRING: 'SecureString',
} as const;

/**
 * The JSON value of a configuration or registry parameter, pushing what is wrong onto `issues`: a type
 * other than String (a SecureString is read encrypted, a StringList is not JSON), text that is not JSON,
 * a key that appears twice in one object (JSON.parse would keep the last silently).
 */
export function parseParameterJson(
  rawValue: string,
  type: string | undefined,
  issues: FieldIssue[],
): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  if (type !== undefined && type !== ParameterType.STRING) {
    issues.push({
      field: TYPE_FIELD,
      kind: IssueKind.PARAMETER_TYPE,
      value: renderValue(type),
      expected: `a ${ParameterType.STRING} parameter: configurations hold no secrets and are read without decryption (delete it and put it again with --type ${ParameterType.STRING})`,
    });
    return { ok: false };
  }
  let value: unknown;
  try {
    value = JSON.parse(rawValue);
  } catch (error) {
    issues.push({
      field: VALUE_FIELD,
      kind: IssueKind.NOT_JSON,
      value: renderValue(rawValue),
      expected: `a JSON object; the value is ${describeJsonError(rawValue, error)}`,
    });
    return { ok: false };
  }
  const duplicate = findDuplicateKey(rawValue);
  if (duplicate !== undefined) {
    issues.push({
      field: duplicate.path,
      kind: IssueKind.DUPLICATE_KEY,
      value: `"${duplicate.key}" twice (the second at position ${duplicate.position})`,
      expected: `each field once; JSON keeps only the last "${duplicate.key}", so remove the one you did not mean`,
    });
    return { ok: false };
  }
  return { ok: true, value };
}

/**
 * Parses one application's SSM parameter (name, JSON value and, when known, its SSM type) into an
 * AppConfig, or a ConfigError listing every problem. With `context.layers`, the configuration is the
 * effective one (stage ⊕ tenant ⊕ application, field by field) with the source of each field, an inherited
 * field's problem names its layer, and the layers' caps are checked.
 */
export function parseAppConfig(
  parameter: string,
  rawValue: string,
  context: ConfigContext,
  type?: string,
): AppConfigResult {
  const issues: FieldIssue[] = [];
  const where = parseParameterName(parameter, context.stage);
  if ('issue' in where) issues.push(where.issue);
  const layers = context.layers ?? [];

  const read = parseParameterJson(rawValue, type, issues);
  const json = read.ok ? read.value : undefined;
  const isJson = read.ok;
  const { value: merged, sources } = mergeLayers([
    ...layers.map(({ layer, parameter: from, defaults }) => ({
      source: { layer, parameter: from },
      value: defaults ?? {},
    })),
    { source: { layer: ConfigLayer.APPLICATION, parameter }, value: json },
  ]);
  const parsed = isJson
    ? appConfigDocumentSchema(context.tickMinutes).safeParse(merged, { reportInput: true })
    : undefined;
  if (parsed?.success === false) {
    const found = issuesFromZod(parsed.error.issues, merged, VALUE_FIELD, knownFields);
    issues.push(...found.map((issue) => attributeIssue(issue, sources)));
  }

  const defaultsName = isJson && !(typeof json === 'object' && json !== null && 'applicationName' in json);
  if ('app' in where && defaultsName && !APPLICATION_NAME_PATTERN.test(where.app)) {
    issues.push({
      field: 'applicationName',
      kind: IssueKind.INVALID_FORMAT,
      value: renderValue(where.app),
      expected: `an MSF application name (${NAME_RULE}); the default, the last segment of the parameter name, is not one: set applicationName`,
    });
  }

  const located = 'app' in where ? { tenant: where.tenant, appKey: `${where.tenant}/${where.app}` } : {};
  if (!parsed?.success || !('app' in where) || issues.length > 0) {
    return { ok: false, error: new ConfigError({ parameter, issues, ...located }) };
  }
  const { applicationName, ...fields } = parsed.data;
  const document = {
    ...fields,
    applicationName: applicationName ?? where.app,
    ...(fields.schedule === undefined
      ? { intervalMinutes: fields.intervalMinutes ?? DEFAULT_INTERVAL_MINUTES }
      : {}),
  };
  const config: AppConfig = {
    parameter,
    tenant: where.tenant,
    appKey: `${where.tenant}/${where.app}`,
    ...document,
  };
  const exceeded = checkCaps(config, layers);
  if (exceeded.length > 0) {
    return { ok: false, error: new ConfigError({ parameter, issues: exceeded, ...located }) };
  }
  return { ok: true, config, provenance: provenanceOf(document, sources) };
}

export type StageDefaultsResult =
  | { readonly ok: true; readonly layer: DefaultsLayer }
  | { readonly ok: false; readonly error: ConfigError };

/**
 * Parses the stage's defaults parameter (`/flink-snapshots/<stage>/defaults`: `{"defaults": {…}, "caps":
 * {…}}`) into the layer every application of the stage inherits from, or every problem with it.
 */
export function parseStageDefaults(
  parameter: string,
  rawValue: string,
  context: { readonly stage: string; readonly type?: string | undefined },
): StageDefaultsResult {
  const issues: FieldIssue[] = [];
  const expectedName = stageDefaultsParameterName(context.stage);
  if (parameter !== expectedName) {
    issues.push({
      field: NAME_FIELD,
      kind: IssueKind.BAD_PATH,
      value: renderValue(parameter),
      expected: expectedName,
    });
  }
  const read = parseParameterJson(rawValue, context.type, issues);
  if (read.ok) {
    const parsed = StageDefaultsSchema.safeParse(read.value, { reportInput: true });
    if (!parsed.success) {
      const known = (path: readonly PropertyKey[]) =>
        knownLayerFields(path, Object.keys(StageDefaultsSchema.shape));
      issues.push(...issuesFromZod(parsed.error.issues, read.value, VALUE_FIELD, known));
    } else if (issues.length === 0) {
      const { defaults, caps } = read.value as { defaults?: Record<string, unknown>; caps?: Caps };
      return { ok: true, layer: { layer: ConfigLayer.STAGE, parameter, defaults, caps } };
    }
  }
  return { ok: false, error: new ConfigError({ parameter, issues }) };
}
