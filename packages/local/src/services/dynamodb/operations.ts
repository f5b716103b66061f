/** The DynamoDB operations answered here (dynalite answers the rest): UpdateTimeToLive and DescribeTimeToLive. */
import type { OperationTable } from '../../protocol/operations';
import { dynamoDbErrors } from './errors';
import type { DynamoDbInputs } from './inputs';
import type { TtlSettings } from './model';
import type { DynamoDbOutputs } from './outputs';

export type DynamoDbOperationTable = OperationTable<typeof DynamoDbInputs, DynamoDbOutputs>;

/** The handler of each operation answered here, over the TTL settings. */
export function dynamoDbOperations(ttl: TtlSettings): DynamoDbOperationTable {
  return {
    DescribeTimeToLive: async ({ TableName }) => {
      const setting = await ttl.current(TableName);
      return {
        TimeToLiveDescription:
          setting === undefined
            ? { TimeToLiveStatus: 'DISABLED' }
            : { TimeToLiveStatus: 'ENABLED', AttributeName: setting.attributeName },
      };
    },
    UpdateTimeToLive: async ({ TableName, TimeToLiveSpecification: spec }) => {
      const setting = await ttl.current(TableName);
      if (spec.Enabled) {
        if (setting !== undefined) throw dynamoDbErrors.ttlAlreadyEnabled();
        ttl.set(TableName, {
          attributeName: spec.AttributeName,
          tableCreatedAt: await ttl.tableCreatedAt(TableName),
        });
      } else {
        if (setting === undefined) throw dynamoDbErrors.ttlAlreadyDisabled();
        if (setting.attributeName !== spec.AttributeName) {
          throw dynamoDbErrors.ttlOtherAttribute(setting.attributeName, spec.AttributeName);
        }
        ttl.delete(TableName);
      }
      return { TimeToLiveSpecification: spec };
    },
  };
}
