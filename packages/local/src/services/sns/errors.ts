/**
 * SNS's errors, with the codes of the SNS API reference (the SDK maps InvalidParameter to
 * InvalidParameterException, NotFound to NotFoundException), each naming what failed and what was
 * expected.
 */
import type { InputErrorFactory } from '../../protocol/input';
import { AwsError } from '../../protocol/service';

/** InvalidParameter, as SNS words it: "Invalid parameter: <member>: <detail>". */
function invalidParameter(detail: string): AwsError {
  return new AwsError('InvalidParameter', `Invalid parameter: ${detail}`);
}

/** A request whose parameters do not have the shape of the action's (a value where a list belongs). */
const input: InputErrorFactory = (issues) => {
  const issue = issues[0];
  const member = (issue?.path ?? []).map(String).join('.');
  return invalidParameter(`${member}: ${issue?.message ?? 'malformed parameter'}`);
};

export const snsErrors = {
  input,
  invalidParameter,
  invalidAction: (action: string, version: string) =>
    new AwsError('InvalidAction', `Could not find operation ${action} for version ${version}`),
  required: (name: string) => invalidParameter(`${name} Reason: no value for required parameter`),
  topicNotFound: (arn: string) => new AwsError('NotFound', `Topic does not exist: ${arn}`, 404),
  subscriptionNotFound: (arn: string) => new AwsError('NotFound', `Subscription does not exist: ${arn}`, 404),
  parameterValueInvalid: (message: string) => new AwsError('ParameterValueInvalid', message),
  emptyBatch: () => new AwsError('EmptyBatchRequest', 'The batch request does not contain any entries.'),
  tooManyEntries: (count: number, max: number) =>
    new AwsError(
      'TooManyEntriesInBatchRequest',
      `The batch request contains ${count} entries; the maximum is ${max}.`,
    ),
  invalidBatchEntryId: (id: string) =>
    new AwsError(
      'InvalidBatchEntryId',
      `The Id of a batch entry in a batch request doesn't abide by the specification: got '${id}', expected 1-80 letters, digits, '-' or '_'.`,
    ),
  batchEntryIdsNotDistinct: () =>
    new AwsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.'),
  batchTooLong: (max: number) =>
    new AwsError(
      'BatchRequestTooLong',
      `The length of all the messages put together is more than the limit of ${max} bytes.`,
    ),
  invalidNextToken: (token: string) =>
    invalidParameter(`NextToken: got '${token}', expected a token from a previous page`),
} as const;

/** The value of a required parameter: InvalidParameter when it is absent or empty. */
export function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw snsErrors.required(name);
  return value;
}
