/** DynamoDB's errors for the operations answered here, as DynamoDB words them. */
import type { InputErrorFactory } from '../../protocol/input';
import { AwsError } from '../../protocol/service';

const validation = (message: string) => new AwsError('ValidationException', message);

/** "N validation errors detected: Value at '<path>' failed to satisfy constraint: <what>". */
const input: InputErrorFactory = (issues) => {
  const details = issues.map(
    (issue) => `Value at '${issue.path.join('.')}' failed to satisfy constraint: ${issue.message}`,
  );
  return validation(
    `${details.length} validation error${details.length === 1 ? '' : 's'} detected: ${details.join('; ')}`,
  );
};

export const dynamoDbErrors = {
  input,
  unknownOperation: (operation: string) =>
    new AwsError('UnknownOperationException', `Unknown operation ${operation}`),
  ttlAlreadyEnabled: () => validation('TimeToLive is already enabled'),
  ttlAlreadyDisabled: () => validation('TimeToLive is already disabled'),
  ttlOtherAttribute: (enabled: string, given: string) =>
    validation(`TimeToLive is enabled on attribute '${enabled}', got '${given}' to disable`),
  /** An error dynalite answered, passed on with its code, message and status. */
  fromDynalite: (code: string, message: string, status: number) => new AwsError(code, message, status),
} as const;
