/**
 * The one input parser: a request checked against its operation's zod schema (each service's
 * inputs.ts), its failures worded by the service (each service's errors.ts): MSF's
 * InvalidArgumentException, SSM's and DynamoDB's ValidationException, SQS's MissingParameter, …
 */
import type { z } from 'zod';
import { protocolErrors } from './errors';
import { AwsError } from './service';

export type InputIssue = z.core.$ZodIssue;

/** Words the failure of a request that does not fit its schema; `input` is the request as received. */
export type InputErrorFactory = (issues: readonly InputIssue[], input: unknown) => AwsError;

export interface ParseOptions {
  /** JSON null stands for an absent member, as in AWS JSON (default true); SQS reads null as given. */
  readonly nullIsAbsent?: boolean;
}

/** Parses a request with its schema, or throws the AwsError the service words with `toError`. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  toError: InputErrorFactory,
  options: ParseOptions = {},
): z.output<S> {
  const cleaned = options.nullIsAbsent === false ? input : withoutNulls(input);
  const result = schema.safeParse(cleaned, { reportInput: true });
  if (result.success) return result.data;
  throw toError(result.error.issues, input);
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
 * AWS JSON's wording of a request that does not fit: SerializationException for a member of the wrong
 * JSON type, else `code` with "N validation errors detected: Value … at 'member' failed to satisfy
 * constraint: …", as AWS's request validation words it.
 */
export function validationError(code: string): InputErrorFactory {
  return (issues) => {
    const wrongType = issues.find((issue) => isWrongType(issue));
    if (wrongType !== undefined) {
      const expected = wrongType.code === 'invalid_type' ? wrongType.expected : 'another type';
      return protocolErrors.serialization(
        `Cannot read member '${memberPath(wrongType.path)}': expected ${expected}, received ${describeJson(wrongType.input)}`,
      );
    }
    const details = issues.map(
      (issue) =>
        `Value ${renderValue(issue.input)} at '${memberPath(issue.path)}' failed to satisfy constraint: ${constraintOf(issue)}`,
    );
    const count = details.length;
    return new AwsError(
      code,
      `${count} validation error${count === 1 ? '' : 's'} detected: ${details.join('; ')}`,
    );
  };
}

function isWrongType(issue: InputIssue): boolean {
  return (issue.code === 'invalid_type' || issue.code === 'invalid_union') && issue.input !== undefined;
}

function constraintOf(issue: InputIssue): string {
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
