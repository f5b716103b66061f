/**
 * Request shapes of the STS actions served, from the query protocol's parameters (`Tags.member.N.Key`
 * read into a list by `stsInput`). The constraints are those of the STS API reference, worded as STS's
 * request validation words them (errors.ts); RoleArn, RoleSessionName and DurationSeconds are checked
 * by the operations, which word what is required and malformed as STS does.
 */
import { z } from 'zod';
import { type QueryTree, queryMembers } from '../../protocol/query';

const Text = z.string().optional();

/** An IAM role ARN: `arn:aws:iam::<12-digit account>:role/<path/><name>`. */
export const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

/** AssumeRole's `ExternalId`: 2 to 1,224 of `[\w+=,.@:\/-]`. */
export const ExternalIdSchema = z
  .string()
  .min(2)
  .max(1224)
  .regex(/^[\w+=,.@:/-]*$/);

/** A session tag key: 1 to 128 letters, spaces, digits or `_.:/=+-@`. */
const TagKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u);
const TagValue = z
  .string()
  .max(256)
  .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);

/** At most this many session tags, and transitive keys, per AssumeRole. */
export const SESSION_TAGS_LIMIT = 50;

export const StsInputs = {
  GetCallerIdentity: z.object({}),
  AssumeRole: z.object({
    RoleArn: Text,
    RoleSessionName: Text,
    DurationSeconds: Text,
    Policy: Text,
    SourceIdentity: Text,
    ExternalId: ExternalIdSchema.optional(),
    Tags: z
      .array(z.object({ Key: TagKey, Value: TagValue }))
      .max(SESSION_TAGS_LIMIT)
      .optional(),
    TransitiveTagKeys: z.array(TagKey).max(SESSION_TAGS_LIMIT).optional(),
  }),
  GetSessionToken: z.object({ DurationSeconds: Text }),
} as const;

export type StsOperation = keyof typeof StsInputs;
export type StsInput<O extends StsOperation> = z.output<(typeof StsInputs)[O]>;
export type SessionTag = NonNullable<StsInput<'AssumeRole'>['Tags']>[number];

/** The JSON shape of an action's input from its parameters' tree: `Foo.member.N` lists become lists. */
export function stsInput(tree: QueryTree): Record<string, unknown> {
  return { ...tree, Tags: queryMembers(tree.Tags), TransitiveTagKeys: queryMembers(tree.TransitiveTagKeys) };
}
