/**
 * STS's errors, as the STS API reference and STS itself word them: ValidationError with AWS's
 * validation wording, InvalidParameterValue for session tags that cannot go together, AccessDenied (403)
 * for a role the caller may not assume.
 */
import { validationError as awsValidation, type InputErrorFactory } from '../../protocol/input';
import { AwsError } from '../../protocol/service';

/** ValidationError: "1 validation error detected: <detail>". */
function validationError(detail: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: ${detail}`);
}

const constraints = awsValidation('ValidationError');

/**
 * A request whose parameters break a constraint (`Value 'x' at 'tags.1.member.key' failed to satisfy
 * constraint: …`), or do not have the shape of the action's (a structure where a value belongs).
 */
const input: InputErrorFactory = (issues, raw) => {
  const error = constraints(issues, raw);
  if (error.code === 'ValidationError') return error;
  const issue = issues[0];
  const member = (issue?.path ?? []).map(String).join('.');
  return validationError(
    `Value at '${member}' failed to satisfy constraint: ${issue?.message ?? 'malformed'}`,
  );
};

const invalidParameterValue = (message: string) => new AwsError('InvalidParameterValue', message);

export const stsErrors = {
  input,
  invalidAction: (action: string, version: string) =>
    new AwsError('InvalidAction', `Could not find operation ${action} for version ${version}`),
  missing: (member: string) =>
    validationError(`Value null at '${member}' failed to satisfy constraint: Member must not be null`),
  invalidRoleArn: (roleArn: string) =>
    validationError(
      `Value '${roleArn}' at 'roleArn' failed to satisfy constraint: expected an IAM role ARN (arn:aws:iam::123456789012:role/name)`,
    ),
  invalidSessionName: (sessionName: string) =>
    validationError(
      `Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must have length 2..64 and match [\\w+=,.@-]*`,
    ),
  invalidDuration: (raw: string, min: number, max: number) =>
    validationError(
      `Value '${raw}' at 'durationSeconds' failed to satisfy constraint: Member must be an integer from ${min} to ${max}`,
    ),
  duplicateTagKeys: () =>
    invalidParameterValue('Duplicate tag keys found. Please note that Tag keys are case insensitive.'),
  transitiveKeyNotTagged: () =>
    invalidParameterValue('The specified transitive tag key must be included in the requested tags.'),
  transitiveKeyConflict: () =>
    invalidParameterValue(
      "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    ),
  /** The role's trust policy does not let the caller assume it (here: a required ExternalId missing or wrong). */
  assumeRoleDenied: (callerArn: string, roleArn: string) =>
    new AwsError(
      'AccessDenied',
      `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    ),
} as const;
