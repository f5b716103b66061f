/** Request shapes of the DynamoDB operations answered here rather than by dynalite (the TTL ones). */
import { z } from 'zod';

const TableName = z
  .string()
  .min(3)
  .max(255)
  .regex(/^[a-zA-Z0-9_.-]+$/);

export const DynamoDbInputs = {
  DescribeTimeToLive: z.object({ TableName }),
  UpdateTimeToLive: z.object({
    TableName,
    TimeToLiveSpecification: z.object({ Enabled: z.boolean(), AttributeName: z.string().min(1).max(255) }),
  }),
} as const;

export type DynamoDbOperation = keyof typeof DynamoDbInputs;
export type DynamoDbInput<O extends DynamoDbOperation> = z.output<(typeof DynamoDbInputs)[O]>;
