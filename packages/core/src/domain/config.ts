/**
 * The configuration contract: the JSON value of SSM parameter `/flink-snapshots/<stage>/apps/<tenant>/<app>`.
 * `{}` is valid (every field has a default or is optional); unknown fields are errors, so a typo such as
 * `retian` is reported instead of silently ignored. Each schema's error text is what the user should have
 * written: it becomes the `expected` of a ConfigError issue.
 */
import { configPathPrefix } from '@flink-snapshots/settings';
import { z } from 'zod';
import { ConfigError } from './errors';
import {
  describeJsonError,
  type FieldIssue,
  findDuplicateKey,
  IssueKind,
  issuesFromZod,
  renderValue,
} from './issues';

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
    },
    { error: 'an object with count, maxAgeDays, minCount, dryRun, manage' },
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

function documentShape(tickMinutes: number) {
  return {
    /** MSF application name; default: the last segment of the parameter name. */
    applicationName: ApplicationNameSchema.optional(),
    /** Region of the application; default: the deployment's region. */
    region: RegionSchema.optional(),
    /** Role to assume for an application in another account. */
    roleArn: RoleArnSchema.optional(),
    enabled: bool().default(true),
    intervalMinutes: z
      .int({
        error: `an integer number of minutes from ${tickMinutes} (the dispatcher tick) to ${MAX_INTERVAL_MINUTES} (7 days)`,
      })
      .min(tickMinutes)
      .max(MAX_INTERVAL_MINUTES)
      .default(1440),
    /**
     * The freshness objective (RPO): the newest READY snapshot must be younger than this; default twice
     * the interval. Stale applications are counted every tick and alerted once per episode.
     */
    maxSnapshotAgeMinutes: z
      .int({
        error: `an integer number of minutes from ${tickMinutes} to ${MAX_SNAPSHOT_AGE_MINUTES} (90 days)`,
      })
      .min(tickMinutes)
      .max(MAX_SNAPSHOT_AGE_MINUTES)
      .optional(),
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
  return z.strictObject(documentShape(tickMinutes), {
    error: `a JSON object with fields ${DOCUMENT_FIELDS.join(', ')}`,
  });
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
export const AppConfigSchema = z.strictObject(
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
);

export type AppConfig = z.infer<typeof AppConfigSchema>;
export type RetentionPolicy = z.infer<typeof RetentionPolicySchema>;
export type NotifyEvent = (typeof NotifyEvent)[keyof typeof NotifyEvent];
export type RetentionScope = (typeof RetentionScope)[keyof typeof RetentionScope];

export type AppConfigResult =
  | { readonly ok: true; readonly config: AppConfig }
  | { readonly ok: false; readonly error: ConfigError };

export interface ConfigContext {
  readonly stage: string;
  /** The dispatcher's tick; no application can run more often. */
  readonly tickMinutes: number;
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

function knownFields(path: readonly PropertyKey[]): readonly string[] {
  if (path[0] === 'retention') return Object.keys(RetentionPolicySchema.shape);
  if (path[0] === 'notify') return Object.keys(NotifySchema.shape);
  return DOCUMENT_FIELDS;
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
 * AppConfig, or a ConfigError listing every problem.
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

  const read = parseParameterJson(rawValue, type, issues);
  const json = read.ok ? read.value : undefined;
  const isJson = read.ok;
  const parsed = isJson
    ? appConfigDocumentSchema(context.tickMinutes).safeParse(json, { reportInput: true })
    : undefined;
  if (parsed?.success === false)
    issues.push(...issuesFromZod(parsed.error.issues, json, VALUE_FIELD, knownFields));

  const defaultsName = isJson && !(typeof json === 'object' && json !== null && 'applicationName' in json);
  if ('app' in where && defaultsName && !APPLICATION_NAME_PATTERN.test(where.app)) {
    issues.push({
      field: 'applicationName',
      kind: IssueKind.INVALID_FORMAT,
      value: renderValue(where.app),
      expected: `an MSF application name (${NAME_RULE}); the default, the last segment of the parameter name, is not one: set applicationName`,
    });
  }

  if (!parsed?.success || !('app' in where) || issues.length > 0) {
    const located = 'app' in where ? { tenant: where.tenant, appKey: `${where.tenant}/${where.app}` } : {};
    return { ok: false, error: new ConfigError({ parameter, issues, ...located }) };
  }
  const { applicationName, ...fields } = parsed.data;
  return {
    ok: true,
    config: {
      parameter,
      tenant: where.tenant,
      appKey: `${where.tenant}/${where.app}`,
      applicationName: applicationName ?? where.app,
      ...fields,
    },
  };
}
