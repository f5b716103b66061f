/**
 * Request shapes of the Kinesis Analytics V2 operations the simulator serves, with the constraints of
 * the API reference. A member of the wrong JSON type is a SerializationException (the request cannot
 * be read); a missing member or a broken constraint is MSF's InvalidArgumentException, worded like
 * AWS's validation messages (`Value '500' at 'limit' failed to satisfy constraint: …`).
 */
import { z } from 'zod';
import { AwsError } from '../../protocol/service';
import {
  APPLICATION_NAME_PATTERN,
  RESTORE_TYPES,
  RUNTIME_ENVIRONMENTS,
  SNAPSHOT_NAME_PATTERN,
} from './fleet';

const ApplicationName = z.string().min(1).max(128).regex(APPLICATION_NAME_PATTERN);
const SnapshotName = z.string().min(1).max(256).regex(SNAPSHOT_NAME_PATTERN);
/** Epoch seconds, as the SDKs send timestamps in AWS JSON. */
const Timestamp = z.number();
const Limit = z.number().int().min(1).max(50);
const NextToken = z.string().min(1).max(512);

const RestoreConfiguration = z.object({
  ApplicationRestoreType: z.enum(RESTORE_TYPES),
  SnapshotName: SnapshotName.optional(),
});
const FlinkRunConfiguration = z.object({ AllowNonRestoredState: z.boolean().optional() });

export const CreateApplicationInput = z.object({
  ApplicationName,
  ApplicationDescription: z.string().max(1024).optional(),
  RuntimeEnvironment: z.enum(RUNTIME_ENVIRONMENTS),
  ServiceExecutionRole: z.string().min(1).max(2048),
  ApplicationConfiguration: z
    .object({
      ApplicationSnapshotConfiguration: z.object({ SnapshotsEnabled: z.boolean() }).optional(),
    })
    .optional(),
  ApplicationMode: z.enum(['STREAMING', 'INTERACTIVE']).optional(),
});

export const DescribeApplicationInput = z.object({
  ApplicationName,
  IncludeAdditionalDetails: z.boolean().optional(),
});

export const ListApplicationsInput = z.object({ Limit: Limit.optional(), NextToken: NextToken.optional() });

export const StartApplicationInput = z.object({
  ApplicationName,
  RunConfiguration: z
    .object({
      ApplicationRestoreConfiguration: RestoreConfiguration.optional(),
      FlinkRunConfiguration: FlinkRunConfiguration.optional(),
    })
    .optional(),
});

export const StopApplicationInput = z.object({ ApplicationName, Force: z.boolean().optional() });

export const UpdateApplicationInput = z.object({
  ApplicationName,
  CurrentApplicationVersionId: z.number().int().min(1).max(999_999_999).optional(),
  ConditionalToken: z.string().min(1).max(512).optional(),
  ApplicationConfigurationUpdate: z
    .object({
      ApplicationSnapshotConfigurationUpdate: z.object({ SnapshotsEnabledUpdate: z.boolean() }).optional(),
    })
    .optional(),
  RunConfigurationUpdate: z
    .object({
      ApplicationRestoreConfiguration: RestoreConfiguration.optional(),
      FlinkRunConfiguration: FlinkRunConfiguration.optional(),
    })
    .optional(),
  RuntimeEnvironmentUpdate: z.enum(RUNTIME_ENVIRONMENTS).optional(),
  ServiceExecutionRoleUpdate: z.string().min(1).max(2048).optional(),
});

export const DeleteApplicationInput = z.object({ ApplicationName, CreateTimestamp: Timestamp });

export const CreateApplicationSnapshotInput = z.object({ ApplicationName, SnapshotName });

export const DescribeApplicationSnapshotInput = z.object({ ApplicationName, SnapshotName });

export const ListApplicationSnapshotsInput = z.object({
  ApplicationName,
  Limit: Limit.optional(),
  NextToken: NextToken.optional(),
});

export const DeleteApplicationSnapshotInput = z.object({
  ApplicationName,
  SnapshotName,
  SnapshotCreationTimestamp: Timestamp,
});

/**
 * Parses a request, or throws the AwsError the service would answer with: `constraintCode` is MSF's
 * InvalidArgumentException by default; SSM passes ValidationException.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: Record<string, unknown>,
  constraintCode = 'InvalidArgumentException',
): z.output<S> {
  const result = schema.safeParse(withoutNulls(input), { reportInput: true });
  if (result.success) return result.data;
  throw inputError(result.error.issues, constraintCode);
}

/** JSON null means "absent" in AWS JSON protocols. */
function withoutNulls(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(withoutNulls);
  let copy: Record<string, unknown> | undefined;
  for (const [key, member] of Object.entries(value)) {
    const cleaned = member === null ? undefined : withoutNulls(member);
    if (cleaned !== member) {
      copy ??= { ...(value as Record<string, unknown>) };
      if (cleaned === undefined) delete copy[key];
      else copy[key] = cleaned;
    }
  }
  return copy ?? value;
}

/**
 * Turns zod issues into AWS's error: SerializationException for a member of the wrong JSON type,
 * else `constraintCode` with AWS's "N validation errors detected: Value … at 'member' …" wording.
 */
export function inputError(issues: readonly z.core.$ZodIssue[], constraintCode: string): AwsError {
  const wrongType = issues.find((issue) => isWrongType(issue));
  if (wrongType !== undefined) {
    const expected = wrongType.code === 'invalid_type' ? wrongType.expected : 'another type';
    return new AwsError(
      'SerializationException',
      `Cannot read member '${memberPath(wrongType.path)}': expected ${expected}, received ${describeJson(wrongType.input)}`,
    );
  }
  const details = issues.map(
    (issue) =>
      `Value ${renderValue(issue.input)} at '${memberPath(issue.path)}' failed to satisfy constraint: ${constraintOf(issue)}`,
  );
  const count = details.length;
  return new AwsError(
    constraintCode,
    `${count} validation error${count === 1 ? '' : 's'} detected: ${details.join('; ')}`,
  );
}

function isWrongType(issue: z.core.$ZodIssue): boolean {
  return (issue.code === 'invalid_type' || issue.code === 'invalid_union') && issue.input !== undefined;
}

function constraintOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return 'Member must not be null';
    case 'too_big':
      return issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint'
        ? `Member must have value less than or equal to ${issue.maximum}`
        : `Member must have length less than or equal to ${issue.maximum}`;
    case 'too_small':
      return issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint'
        ? `Member must have value greater than or equal to ${issue.minimum}`
        : `Member must have length greater than or equal to ${issue.minimum}`;
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue && typeof issue.pattern === 'string'
        ? `Member must satisfy regular expression pattern: ${issue.pattern.replace(/^\/\^?|\$?\/[a-z]*$/g, '')}`
        : `Member must be a valid ${issue.format}`;
    case 'invalid_value':
      return `Member must satisfy enum value set: [${issue.values.map(String).join(', ')}]`;
    default:
      return issue.message;
  }
}

/** `ParameterFilters[0].Key` → `parameterFilters.1.member.key`, as AWS names members in messages. */
function memberPath(path: readonly PropertyKey[]): string {
  return path
    .map((key) =>
      typeof key === 'number' ? `${key + 1}.member` : String(key).replace(/^[A-Z]/, (c) => c.toLowerCase()),
    )
    .join('.');
}

function renderValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return `'${text.length > 100 ? `${text.slice(0, 97)}...` : text}'`;
}

function describeJson(value: unknown): string {
  const type = Array.isArray(value) ? 'array' : typeof value;
  const text = JSON.stringify(value) ?? String(value);
  return `${type} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
