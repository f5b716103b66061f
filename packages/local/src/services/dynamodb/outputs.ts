/** What the DynamoDB operations answered here return, in their JSON 1.0 shape. */
import type { DynamoDbInput } from './inputs';

export interface DynamoDbOutputs {
  DescribeTimeToLive: {
    TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED' | 'DISABLED'; AttributeName?: string };
  };
  UpdateTimeToLive: { TimeToLiveSpecification: DynamoDbInput<'UpdateTimeToLive'>['TimeToLiveSpecification'] };
}
