/**
 * Request shapes of the SSM Parameter Store operations served, with the constraints of the API reference
 * (lengths, list sizes, enums); the operations check the rest and word it as SSM does.
 */
import { z } from 'zod';

export const PARAMETER_TYPES = ['String', 'StringList', 'SecureString'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];
export const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const;
export type RequestedTier = (typeof TIERS)[number];
export const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'] as const;

const ParameterName = z.string().min(1).max(2048);

const ParameterFilter = z.object({
  Key: z.string().min(1).max(132),
  Option: z.string().min(1).max(10).optional(),
  Values: z.array(z.string().min(1).max(1024)).min(1).max(50).optional(),
});
export type ParameterFilterInput = z.output<typeof ParameterFilter>;

const GetParameterInput = z.object({ Name: ParameterName, WithDecryption: z.boolean().optional() });
const NamesInput = z.object({
  Names: z.array(ParameterName).min(1).max(10),
  WithDecryption: z.boolean().optional(),
});

export const SsmInputs = {
  PutParameter: z.object({
    Name: ParameterName,
    Description: z.string().max(1024).optional(),
    Value: z.string(),
    Type: z.enum(PARAMETER_TYPES).optional(),
    KeyId: z.string().min(1).max(256).optional(),
    Overwrite: z.boolean().optional(),
    AllowedPattern: z.string().max(1024).optional(),
    Tags: z
      .array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) }))
      .max(1000)
      .optional(),
    Tier: z.enum(TIERS).optional(),
    Policies: z.string().min(1).max(4096).optional(),
    DataType: z.string().min(0).max(128).optional(),
  }),
  GetParameter: GetParameterInput,
  GetParameters: NamesInput,
  GetParametersByPath: z.object({
    Path: ParameterName,
    Recursive: z.boolean().optional(),
    ParameterFilters: z.array(ParameterFilter).optional(),
    WithDecryption: z.boolean().optional(),
    MaxResults: z.number().int().min(1).max(10).optional(),
    NextToken: z.string().optional(),
  }),
  DeleteParameter: GetParameterInput,
  DeleteParameters: NamesInput,
  DescribeParameters: z.object({
    Filters: z
      .array(
        z.object({
          Key: z.enum(['Name', 'Type', 'KeyId']),
          Values: z.array(z.string().min(1).max(1024)).min(1).max(50),
        }),
      )
      .optional(),
    ParameterFilters: z.array(ParameterFilter).optional(),
    MaxResults: z.number().int().min(1).max(50).optional(),
    NextToken: z.string().optional(),
    Shared: z.boolean().optional(),
  }),
} as const;

export type SsmOperation = keyof typeof SsmInputs;
export type SsmInput<O extends SsmOperation> = z.output<(typeof SsmInputs)[O]>;
