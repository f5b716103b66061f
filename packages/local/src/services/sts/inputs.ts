/**
 * Request shapes of the STS actions served, from the query protocol's parameters. Every member is
 * optional here: the operations check what is required and word it as STS does.
 */
import { z } from 'zod';

const Text = z.string().optional();

export const StsInputs = {
  GetCallerIdentity: z.object({}),
  AssumeRole: z.object({
    RoleArn: Text,
    RoleSessionName: Text,
    DurationSeconds: Text,
    Policy: Text,
    SourceIdentity: Text,
  }),
  GetSessionToken: z.object({ DurationSeconds: Text }),
} as const;

export type StsOperation = keyof typeof StsInputs;
export type StsInput<O extends StsOperation> = z.output<(typeof StsInputs)[O]>;
