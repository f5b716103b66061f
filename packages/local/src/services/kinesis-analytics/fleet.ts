/**
 * Fleet files: the Managed Service for Apache Flink applications (and their snapshots) the Kinesis
 * Analytics V2 simulator starts with. A fleet is JSON, validated here with zod; `generateFleet` builds
 * large fleets for benchmarks without writing every snapshot out (`generatedSnapshots` describes them).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { seededRandom } from '../../common/random';
import { ExternalIdSchema, ROLE_ARN_PATTERN } from '../sts/inputs';

/** MSF's own limit: CreateApplicationSnapshot fails with LimitExceededException beyond it. */
export const SNAPSHOTS_PER_APPLICATION_LIMIT = 1000;

/** MSF's limit of user-defined tags per application: beyond it, TooManyTagsException. */
export const TAGS_PER_APPLICATION_LIMIT = 50;
/** MSF's tag key and value lengths. */
export const TAG_KEY_MAX_LENGTH = 128;
export const TAG_VALUE_MAX_LENGTH = 256;

/** Whether a tag key is reserved for AWS (`aws:`, in any case), which no caller may set or remove. */
export function isReservedTagKey(key: string): boolean {
  return key.toLowerCase().startsWith('aws:');
}

export const APPLICATION_NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;
export const SNAPSHOT_NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;

export const RUNTIME_ENVIRONMENTS = [
  'SQL-1_0',
  'FLINK-1_6',
  'FLINK-1_8',
  'FLINK-1_11',
  'FLINK-1_13',
  'FLINK-1_15',
  'FLINK-1_18',
  'FLINK-1_19',
  'FLINK-1_20',
  'FLINK-2_2',
  'FLINK-2_3',
  'ZEPPELIN-FLINK-1_0',
  'ZEPPELIN-FLINK-2_0',
  'ZEPPELIN-FLINK-3_0',
] as const;
export type RuntimeEnvironment = (typeof RUNTIME_ENVIRONMENTS)[number];

export const APPLICATION_STATUSES = [
  'DELETING',
  'STARTING',
  'STOPPING',
  'READY',
  'RUNNING',
  'UPDATING',
  'AUTOSCALING',
  'FORCE_STOPPING',
  'ROLLING_BACK',
  'MAINTENANCE',
  'ROLLED_BACK',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/**
 * Statuses a fleet may start an application in. Transitional ones settle after the application's
 * `transitionSeconds`: STARTING, UPDATING and AUTOSCALING to RUNNING, STOPPING to READY.
 */
export const SEEDABLE_APPLICATION_STATUSES = [
  'READY',
  'RUNNING',
  'STARTING',
  'STOPPING',
  'UPDATING',
  'AUTOSCALING',
] as const satisfies readonly ApplicationStatus[];

export const SNAPSHOT_STATUSES = ['CREATING', 'READY', 'DELETING', 'FAILED'] as const;
export type SnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];

export const RESTORE_TYPES = [
  'RESTORE_FROM_LATEST_SNAPSHOT',
  'RESTORE_FROM_CUSTOM_SNAPSHOT',
  'SKIP_RESTORE_FROM_SNAPSHOT',
] as const;
export type ApplicationRestoreType = (typeof RESTORE_TYPES)[number];

const ApplicationNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(APPLICATION_NAME_PATTERN, 'expected letters, digits, "_", "." or "-" only');
const SnapshotNameSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(SNAPSHOT_NAME_PATTERN, 'expected letters, digits, "_", "." or "-" only');

/** Seconds a snapshot takes to go from CREATING to READY: exactly, or drawn uniformly from a range. */
const DurationSchema = z.union(
  [
    z.number().nonnegative(),
    z
      .strictObject({ min: z.number().nonnegative(), max: z.number().nonnegative() })
      .refine((range) => range.min <= range.max, { message: 'expected min <= max' }),
  ],
  { error: 'expected seconds (a number >= 0) or { "min": seconds, "max": seconds }' },
);

/** An ISO-8601 date-time (with offset) or epoch milliseconds; becomes epoch milliseconds. */
const TimestampSchema = z.union(
  [z.number().int().nonnegative(), z.iso.datetime({ offset: true }).transform((iso) => Date.parse(iso))],
  { error: 'expected an ISO-8601 date-time such as "2026-11-22T00:00:00Z", or epoch milliseconds' },
);

const SnapshotSchema = z.strictObject({
  name: SnapshotNameSchema,
  status: z.enum(SNAPSHOT_STATUSES).default('READY'),
  /** Application version the snapshot was taken from; default: the application's version. */
  versionId: z.number().int().positive().optional(),
  createdAt: TimestampSchema,
});

const GeneratedSnapshotsSchema = z.strictObject({
  count: z.number().int().min(0).max(SNAPSHOTS_PER_APPLICATION_LIMIT),
  /** Spread the snapshots evenly over this many application versions, ending at the current one. */
  versions: z.number().int().positive().default(1),
  /** Names are `${prefix}${index}`, index 0 being the oldest, zero-padded to 4 digits. */
  prefix: z.string().regex(SNAPSHOT_NAME_PATTERN).max(200).default('snapshot-'),
  /** The newest generated snapshot is this many days old; older ones are `intervalMinutes` apart. */
  olderThanDays: z.number().nonnegative().default(0),
  intervalMinutes: z.number().positive().default(60),
  status: z.enum(['READY', 'FAILED']).default('READY'),
});

/** Fields an application may set and `defaults` may set for every application. */
const ApplicationSettingsShape = {
  status: z.enum(SEEDABLE_APPLICATION_STATUSES).optional(),
  versionId: z.number().int().positive().optional(),
  snapshotsEnabled: z.boolean().optional(),
  runtime: z.enum(RUNTIME_ENVIRONMENTS).optional(),
  snapshotDurationSeconds: DurationSchema.optional(),
  /** Simulated seconds STARTING, STOPPING, UPDATING and DELETING last (STOPPING also waits for its snapshot). */
  transitionSeconds: z.number().nonnegative().optional(),
  /** Simulated seconds a deleted snapshot stays DELETING before it disappears. */
  snapshotDeleteSeconds: z.number().nonnegative().optional(),
  generatedSnapshots: GeneratedSnapshotsSchema.optional(),
};

/** An application's tags, `{ "<key>": "<value>" }`, within MSF's limits. */
const TagsSchema = z.record(z.string(), z.string()).superRefine((tags, ctx) => {
  const keys = Object.keys(tags);
  if (keys.length > TAGS_PER_APPLICATION_LIMIT) {
    ctx.addIssue({
      code: 'custom',
      input: keys.length,
      message: `expected at most ${TAGS_PER_APPLICATION_LIMIT} tags (MSF's limit of user tags per application)`,
    });
  }
  for (const key of keys) {
    const value = tags[key] as string;
    const problem =
      key.length === 0 || key.length > TAG_KEY_MAX_LENGTH
        ? `expected a tag key of 1 to ${TAG_KEY_MAX_LENGTH} characters`
        : isReservedTagKey(key)
          ? 'expected a tag key not starting with "aws:" (reserved for AWS)'
          : value.length > TAG_VALUE_MAX_LENGTH
            ? `expected a tag value of at most ${TAG_VALUE_MAX_LENGTH} characters`
            : undefined;
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [key], input: value, message: problem });
  }
});

/** A role of another account whose trust policy requires an ExternalId (STS refuses AssumeRole without it). */
const RoleSchema = z.strictObject({
  arn: z
    .string()
    .regex(ROLE_ARN_PATTERN, 'expected an IAM role ARN such as "arn:aws:iam::123456789012:role/name"'),
  externalId: z.string().refine((id) => ExternalIdSchema.safeParse(id).success, {
    message: "expected an ExternalId of 2 to 1224 letters, digits or _+=,.@:/- (STS's constraint)",
  }),
});

const ApplicationSchema = z.strictObject({
  name: ApplicationNameSchema,
  ...ApplicationSettingsShape,
  restoreType: z.enum(RESTORE_TYPES).optional(),
  /** Snapshot named in the restore configuration; implies RESTORE_FROM_CUSTOM_SNAPSHOT unless set. */
  restoreSnapshotName: SnapshotNameSchema.optional(),
  snapshots: z.array(SnapshotSchema).optional(),
  /** The application's tags (`flink-snapshots:tenant` binds it to a tenant). */
  tags: TagsSchema.optional(),
});

export const FleetSchema = z
  .strictObject({
    defaults: z.strictObject(ApplicationSettingsShape).optional(),
    applications: z.array(ApplicationSchema),
    /** Roles whose AssumeRole requires an ExternalId. */
    roles: z.array(RoleSchema).optional(),
  })
  .superRefine((fleet, ctx) => {
    const roles = new Set<string>();
    fleet.roles?.forEach((role, index) => {
      if (roles.has(role.arn)) {
        ctx.addIssue({
          code: 'custom',
          path: ['roles', index, 'arn'],
          input: role.arn,
          message: `duplicate role "${role.arn}"; expected each role once, with the one ExternalId it requires`,
        });
      }
      roles.add(role.arn);
    });
    const names = new Set<string>();
    fleet.applications.forEach((app, index) => {
      if (names.has(app.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['applications', index, 'name'],
          input: app.name,
          message: `duplicate application name "${app.name}"; expected each name once`,
        });
      }
      names.add(app.name);
      checkApplicationSnapshots(app, fleet.defaults, (message, path) =>
        ctx.addIssue({ code: 'custom', path: ['applications', index, ...path], message }),
      );
    });
  });

/** A fleet as written (JSON file or object literal); `parseFleet` validates it. */
export type Fleet = z.input<typeof FleetSchema>;
/** A validated fleet: defaults of the schema filled in, timestamps in epoch milliseconds. */
export type ParsedFleet = z.output<typeof FleetSchema>;
export type FleetApplication = z.input<typeof ApplicationSchema>;
export type FleetDefaults = NonNullable<Fleet['defaults']>;
type ParsedApplication = z.output<typeof ApplicationSchema>;
type ParsedDefaults = NonNullable<ParsedFleet['defaults']>;

function checkApplicationSnapshots(
  app: ParsedApplication,
  defaults: ParsedDefaults | undefined,
  report: (message: string, path: (string | number)[]) => void,
): void {
  const versionId = app.versionId ?? defaults?.versionId ?? 1;
  const generated = app.generatedSnapshots ?? defaults?.generatedSnapshots;
  const explicit = app.snapshots ?? [];
  const total = explicit.length + (generated?.count ?? 0);
  if (total > SNAPSHOTS_PER_APPLICATION_LIMIT) {
    report(
      `application "${app.name}" has ${total} snapshots; expected at most ${SNAPSHOTS_PER_APPLICATION_LIMIT} (MSF's limit per application)`,
      ['snapshots'],
    );
  }
  if (generated !== undefined && generated.versions > versionId) {
    report(
      `generatedSnapshots.versions is ${generated.versions} but the application is at version ${versionId}; expected at most ${versionId}`,
      ['generatedSnapshots', 'versions'],
    );
  }
  const names = new Set<string>();
  if (generated !== undefined) {
    for (let i = 0; i < generated.count; i++) names.add(generatedSnapshotName(generated.prefix, i));
  }
  explicit.forEach((snapshot, index) => {
    if (names.has(snapshot.name)) {
      report(`duplicate snapshot name "${snapshot.name}"; expected each name once per application`, [
        'snapshots',
        index,
        'name',
      ]);
    }
    names.add(snapshot.name);
    if (snapshot.versionId !== undefined && snapshot.versionId > versionId) {
      report(
        `snapshot "${snapshot.name}" has versionId ${snapshot.versionId}, newer than the application's version ${versionId}; expected at most ${versionId}`,
        ['snapshots', index, 'versionId'],
      );
    }
  });
}

function generatedSnapshotName(prefix: string, index: number): string {
  return `${prefix}${String(index).padStart(4, '0')}`;
}

/** A fleet that is not valid: the message lists every problem with its path, value and expectation. */
export class FleetError extends Error {
  override readonly name = 'FleetError';
}

/** Validates a fleet (the parsed JSON of a fleet file); throws FleetError naming each bad field. */
export function parseFleet(json: unknown, source = 'fleet'): ParsedFleet {
  const result = FleetSchema.safeParse(json, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 20).map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const value = issue.input as Record<string, unknown> | undefined;
      return issue.keys
        .map(
          (key) =>
            `  ${formatPath([...issue.path, key])}: unknown field (received ${describeValue(value?.[key])}); expected only the fields of the fleet file format`,
        )
        .join('\n');
    }
    const path = issue.path.length === 0 ? '(root)' : formatPath(issue.path);
    const received = 'input' in issue && issue.input !== undefined ? describeValue(issue.input) : 'nothing';
    return `  ${path}: ${issue.message} (received ${received})`;
  });
  const more = result.error.issues.length > 20 ? `\n  … and ${result.error.issues.length - 20} more` : '';
  throw new FleetError(`Invalid ${source}:\n${problems.join('\n')}${more}`, { cause: result.error });
}

/** Reads and validates a fleet file; errors name the file. */
export async function loadFleet(path: string): Promise<ParsedFleet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new FleetError(`Cannot read fleet file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FleetError(`Fleet file ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseFleet(json, `fleet file ${path}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path)
    out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  return out;
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Everything the simulator needs to build one application, defaults resolved. */
export interface ResolvedApplication {
  readonly name: string;
  readonly status: (typeof SEEDABLE_APPLICATION_STATUSES)[number];
  readonly versionId: number;
  readonly snapshotsEnabled: boolean;
  readonly runtime: RuntimeEnvironment;
  readonly snapshotDurationSeconds: { readonly min: number; readonly max: number };
  readonly transitionSeconds: number;
  readonly snapshotDeleteSeconds: number;
  readonly restoreType: ApplicationRestoreType;
  readonly restoreSnapshotName: string | undefined;
  /** Oldest first. */
  readonly snapshots: readonly ResolvedSnapshot[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface ResolvedSnapshot {
  readonly name: string;
  readonly status: SnapshotStatus;
  readonly versionId: number;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

/** What an application is when neither it nor the fleet's defaults say otherwise. */
export const APPLICATION_DEFAULTS = {
  status: 'RUNNING',
  versionId: 1,
  snapshotsEnabled: true,
  runtime: 'FLINK-1_20',
  snapshotDurationSeconds: { min: 30, max: 90 },
  transitionSeconds: 60,
  snapshotDeleteSeconds: 10,
} as const;

const MS_PER_DAY = 86_400_000;

/** Resolves one validated application against the fleet's defaults; `now` anchors generated snapshots. */
export function resolveApplication(
  app: ParsedApplication,
  defaults: ParsedDefaults | undefined,
  now: number,
): ResolvedApplication {
  const versionId = app.versionId ?? defaults?.versionId ?? APPLICATION_DEFAULTS.versionId;
  const duration =
    app.snapshotDurationSeconds ??
    defaults?.snapshotDurationSeconds ??
    APPLICATION_DEFAULTS.snapshotDurationSeconds;
  const snapshots: ResolvedSnapshot[] = [];
  const generated = app.generatedSnapshots ?? defaults?.generatedSnapshots;
  if (generated !== undefined && generated.count > 0) {
    const newest = now - generated.olderThanDays * MS_PER_DAY;
    const interval = generated.intervalMinutes * 60_000;
    const firstVersion = versionId - generated.versions + 1;
    for (let i = 0; i < generated.count; i++) {
      snapshots.push({
        name: generatedSnapshotName(generated.prefix, i),
        status: generated.status,
        versionId: firstVersion + Math.floor((i * generated.versions) / generated.count),
        createdAt: Math.floor(newest - (generated.count - 1 - i) * interval),
      });
    }
  }
  for (const snapshot of app.snapshots ?? []) {
    snapshots.push({
      name: snapshot.name,
      status: snapshot.status,
      versionId: snapshot.versionId ?? versionId,
      createdAt: snapshot.createdAt,
    });
  }
  snapshots.sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    name: app.name,
    status: app.status ?? defaults?.status ?? APPLICATION_DEFAULTS.status,
    versionId,
    snapshotsEnabled:
      app.snapshotsEnabled ?? defaults?.snapshotsEnabled ?? APPLICATION_DEFAULTS.snapshotsEnabled,
    runtime: app.runtime ?? defaults?.runtime ?? APPLICATION_DEFAULTS.runtime,
    snapshotDurationSeconds: typeof duration === 'number' ? { min: duration, max: duration } : duration,
    transitionSeconds:
      app.transitionSeconds ?? defaults?.transitionSeconds ?? APPLICATION_DEFAULTS.transitionSeconds,
    snapshotDeleteSeconds:
      app.snapshotDeleteSeconds ??
      defaults?.snapshotDeleteSeconds ??
      APPLICATION_DEFAULTS.snapshotDeleteSeconds,
    restoreType:
      app.restoreType ??
      (app.restoreSnapshotName === undefined
        ? 'RESTORE_FROM_LATEST_SNAPSHOT'
        : 'RESTORE_FROM_CUSTOM_SNAPSHOT'),
    restoreSnapshotName: app.restoreSnapshotName,
    snapshots,
    tags: app.tags ?? {},
  };
}

/** Validates a fleet and resolves every application; `now` (epoch ms) anchors generated snapshots. */
export function resolveFleet(fleet: Fleet, now: number): ResolvedApplication[] {
  const parsed = parseFleet(fleet);
  return parsed.applications.map((app) => resolveApplication(app, parsed.defaults, now));
}

/** Validates and resolves a single application, as `KinesisAnalyticsService.putApplication` takes it. */
export function resolveFleetApplication(
  app: FleetApplication,
  defaults: FleetDefaults | undefined,
  now: number,
): ResolvedApplication {
  const [resolved] = resolveFleet(
    defaults === undefined ? { applications: [app] } : { defaults, applications: [app] },
    now,
  );
  if (resolved === undefined) throw new FleetError(`application ${app.name} did not resolve`);
  return resolved;
}

export interface GenerateFleetOptions {
  readonly applications: number;
  readonly snapshotsPerApplication: number;
  /** Seeds the per-application choices (current version, snapshot duration); same seed, same fleet. */
  readonly seed?: number;
  /** Application names are `${namePrefix}${index}`, zero-padded to 5 digits. Default `app-`. */
  readonly namePrefix?: string;
  /** Application versions the snapshots of each application spread over. Default 3. */
  readonly versions?: number;
  /** Age in days of each application's newest snapshot. Default 0. */
  readonly olderThanDays?: number;
  /** Minutes between two snapshots of an application. Default 60. */
  readonly intervalMinutes?: number;
  readonly status?: (typeof SEEDABLE_APPLICATION_STATUSES)[number];
  readonly snapshotDurationSeconds?: number | { min: number; max: number };
  readonly transitionSeconds?: number;
  /** Tags of every application (e.g. `{ "flink-snapshots:tenant": "load" }`). */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A large fleet for benchmarks and tests, described compactly: one small entry per application and
 * the snapshots as `generatedSnapshots` in the defaults, so 10,000 × 10 loads in milliseconds.
 */
export function generateFleet(options: GenerateFleetOptions): Fleet {
  const random = seededRandom(options.seed ?? 1);
  const versions = options.versions ?? 3;
  const duration = options.snapshotDurationSeconds ?? APPLICATION_DEFAULTS.snapshotDurationSeconds;
  const base = typeof duration === 'number' ? { min: duration, max: duration } : duration;
  const prefix = options.namePrefix ?? 'app-';
  const applications: FleetApplication[] = [];
  for (let i = 0; i < options.applications; i++) {
    // Versions differ per application so pruning across versions is exercised; durations spread ±25 %.
    const stretch = 0.75 + random() * 0.5;
    applications.push({
      name: `${prefix}${String(i).padStart(5, '0')}`,
      versionId: versions + Math.floor(random() * 3),
      snapshotDurationSeconds: { min: base.min * stretch, max: base.max * stretch },
      ...(options.tags === undefined ? {} : { tags: { ...options.tags } }),
    });
  }
  return {
    defaults: {
      status: options.status ?? 'RUNNING',
      snapshotsEnabled: true,
      ...(options.transitionSeconds === undefined ? {} : { transitionSeconds: options.transitionSeconds }),
      generatedSnapshots: {
        count: options.snapshotsPerApplication,
        versions,
        olderThanDays: options.olderThanDays ?? 0,
        intervalMinutes: options.intervalMinutes ?? 60,
      },
    },
    applications,
  };
}
