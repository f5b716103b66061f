/** STS's errors, as the STS API reference words them (ValidationError with AWS's validation wording). */
import type { InputErrorFactory } from '../../protocol/input';
import { AwsError } from '../../protocol/service';

/** ValidationError: "1 validation error detected: <detail>". */
function validationError(detail: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: ${detail}`);
}

/** A request whose parameters do not have the shape of the action's (a structure where a value belongs). */
const input: InputErrorFactory = (issues) => {
  const issue = issues[0];
  const member = (issue?.path ?? []).map(String).join('.');
  return validationError(
    `Value at '${member}' failed to satisfy constraint: ${issue?.message ?? 'malformed'}`,
  );
};

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
} as const;
