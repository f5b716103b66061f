/**
 * Request shapes of the Kinesis Analytics V2 operations the simulator serves, with the constraints of
 * the API reference. A member of the wrong JSON type is a SerializationException (the request cannot
 * be read); a missing member or a broken constraint is MSF's InvalidArgumentException, worded like
 * AWS's validation messages (`Value '500' at 'limit' failed to satisfy constraint: …`; errors.ts).
 */
import { z } from 'zod';
import {
  APPLICATION_NAME_PATTERN,
  RESTORE_TYPES,
  RUNTIME_ENVIRONMENTS,
  SNAPSHOT_NAME_PATTERN,
  TAG_KEY_MAX_LENGTH,
  TAG_VALUE_MAX_LENGTH,
} from './fleet';

const ApplicationName = z.string().min(1).max(128).regex(APPLICATION_NAME_PATTERN);
const SnapshotName = z.string().min(1).max(256).regex(SNAPSHOT_NAME_PATTERN);
/** Epoch seconds, as the SDKs send timestamps in AWS JSON. */
const Timestamp = z.number();
const Limit = z.number().int().min(1).max(50);
const NextToken = z.string().min(1).max(512);

/** An application's ARN, as DescribeApplication's ApplicationARN gives it. */
const ResourceARN = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^arn:.*/);
const TagKey = z.string().min(1).max(TAG_KEY_MAX_LENGTH);
/** 1 to 200 tags per request; at most 50 on an application (TooManyTagsException, operations.ts). */
const Tags = z
  .array(z.object({ Key: TagKey, Value: z.string().max(TAG_VALUE_MAX_LENGTH).optional() }))
  .min(1)
  .max(200);

const RestoreConfiguration = z.object({
  ApplicationRestoreType: z.enum(RESTORE_TYPES),
  SnapshotName: SnapshotName.optional(),
});
const FlinkRunConfiguration = z.object({ AllowNonRestoredState: z.boolean().optional() });

const CreateApplicationInput = z.object({
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
  Tags: Tags.optional(),
});

const DescribeApplicationInput = z.object({
  ApplicationName,
  IncludeAdditionalDetails: z.boolean().optional(),
});

const ListApplicationsInput = z.object({ Limit: Limit.optional(), NextToken: NextToken.optional() });

const StartApplicationInput = z.object({
  ApplicationName,
  RunConfiguration: z
    .object({
      ApplicationRestoreConfiguration: RestoreConfiguration.optional(),
      FlinkRunConfiguration: FlinkRunConfiguration.optional(),
    })
    .optional(),
});

const StopApplicationInput = z.object({ ApplicationName, Force: z.boolean().optional() });

const UpdateApplicationInput = z.object({
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

const DeleteApplicationInput = z.object({ ApplicationName, CreateTimestamp: Timestamp });

const CreateApplicationSnapshotInput = z.object({ ApplicationName, SnapshotName });

const DescribeApplicationSnapshotInput = z.object({ ApplicationName, SnapshotName });

const ListApplicationSnapshotsInput = z.object({
  ApplicationName,
  Limit: Limit.optional(),
  NextToken: NextToken.optional(),
});

const DeleteApplicationSnapshotInput = z.object({
  ApplicationName,
  SnapshotName,
  SnapshotCreationTimestamp: Timestamp,
});

const TagResourceInput = z.object({ ResourceARN, Tags });

const UntagResourceInput = z.object({ ResourceARN, TagKeys: z.array(TagKey).min(1).max(200) });

const ListTagsForResourceInput = z.object({ ResourceARN });

export const KinesisAnalyticsInputs = {
  CreateApplication: CreateApplicationInput,
  DescribeApplication: DescribeApplicationInput,
  ListApplications: ListApplicationsInput,
  StartApplication: StartApplicationInput,
  StopApplication: StopApplicationInput,
  UpdateApplication: UpdateApplicationInput,
  DeleteApplication: DeleteApplicationInput,
  CreateApplicationSnapshot: CreateApplicationSnapshotInput,
  DescribeApplicationSnapshot: DescribeApplicationSnapshotInput,
  ListApplicationSnapshots: ListApplicationSnapshotsInput,
  DeleteApplicationSnapshot: DeleteApplicationSnapshotInput,
  TagResource: TagResourceInput,
  UntagResource: UntagResourceInput,
  ListTagsForResource: ListTagsForResourceInput,
} as const;

export type KinesisAnalyticsOperation = keyof typeof KinesisAnalyticsInputs;
export type KinesisAnalyticsInput<O extends KinesisAnalyticsOperation> = z.output<
  (typeof KinesisAnalyticsInputs)[O]
>;
