/**
 * SSM Parameter Store in AWS JSON 1.1: PutParameter, GetParameter(s), GetParametersByPath,
 * DeleteParameter(s), DescribeParameters. Parameters are kept in a Map by name and in a sorted array
 * of names, so a path query is a binary search plus a walk over the matching range, however many
 * parameters there are; pagination tokens carry the last name returned, so pages stay stable while
 * parameters come and go.
 */
import { z } from 'zod';
import type { SimClock } from '../../common/clock';
import { lowerBound, upperBound } from '../../common/sorted';
import { AwsError, type JsonService, type ServiceContext, type ServiceOptions } from '../../protocol/service';
import { parseInput } from '../kinesis-analytics/inputs';

export interface SsmOptions extends ServiceOptions {
  /** Standard-tier parameters allowed per account and region; AWS's quota is 10,000. */
  readonly maxStandardParameters?: number;
}

const PARAMETER_TYPES = ['String', 'StringList', 'SecureString'] as const;
type ParameterType = (typeof PARAMETER_TYPES)[number];
const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const;
type StoredTier = 'Standard' | 'Advanced';
const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'] as const;

const STANDARD_VALUE_BYTES = 4096;
const ADVANCED_VALUE_BYTES = 8192;
const ADVANCED_PARAMETER_LIMIT = 100_000;
/** AWS reserves part of the 2,048 characters of a name; 1,011 are left to the caller. */
const MAX_NAME_LENGTH = 1011;
const MAX_HIERARCHY_LEVELS = 15;
const DEFAULT_KEY_ID = 'alias/aws/ssm';

interface StoredParameter {
  /** The name as created (a name without a leading slash keeps it so). */
  readonly name: string;
  type: ParameterType;
  value: string;
  version: number;
  /** Simulated epoch ms. */
  lastModified: number;
  tier: StoredTier;
  dataType: string;
  description: string | undefined;
  keyId: string | undefined;
  allowedPattern: string | undefined;
  tags: ReadonlyMap<string, string>;
}

const ParameterFilter = z.object({
  Key: z.string().min(1).max(132),
  Option: z.string().min(1).max(10).optional(),
  Values: z.array(z.string().min(1).max(1024)).min(1).max(50).optional(),
});

const PutParameterInput = z.object({
  Name: z.string().min(1).max(2048),
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
});
const GetParameterInput = z.object({
  Name: z.string().min(1).max(2048),
  WithDecryption: z.boolean().optional(),
});
const NamesInput = z.object({
  Names: z.array(z.string().min(1).max(2048)).min(1).max(10),
  WithDecryption: z.boolean().optional(),
});
const GetParametersByPathInput = z.object({
  Path: z.string().min(1).max(2048),
  Recursive: z.boolean().optional(),
  ParameterFilters: z.array(ParameterFilter).optional(),
  WithDecryption: z.boolean().optional(),
  MaxResults: z.number().int().min(1).max(10).optional(),
  NextToken: z.string().optional(),
});
const DescribeParametersInput = z.object({
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
});

type ParameterFilterInput = z.output<typeof ParameterFilter>;
type Predicate = (parameter: StoredParameter) => boolean;

/** Where a scan walks: keys starting with `prefix`, only direct children when `oneLevel`. */
interface ScanRange {
  readonly prefix: string;
  readonly oneLevel: boolean;
}

const NAME_RULES =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';

export class SsmService implements JsonService {
  readonly signingName = 'ssm';
  readonly targetPrefix = 'AmazonSSM';
  readonly #clock: SimClock;
  readonly #maxStandard: number;
  /** The account's own parameters. */
  readonly #own = new ParameterIndex();
  /** AWS's public parameters under `/aws/`: readable by everyone, listed by no DescribeParameters. */
  readonly #public: ParameterIndex;
  #standardCount = 0;

  constructor(options: SsmOptions) {
    this.#clock = options.clock;
    this.#maxStandard = options.maxStandardParameters ?? 10_000;
    this.#public = publicParameters(Math.floor(options.clock.now()));
  }

  handle(operation: string, input: Record<string, unknown>, ctx: ServiceContext): unknown {
    switch (operation) {
      case 'PutParameter':
        return this.#put(parseInput(PutParameterInput, input, 'ValidationException'));
      case 'GetParameter':
        return this.#get(parseInput(GetParameterInput, input, 'ValidationException'), ctx);
      case 'GetParameters':
        return this.#getMany(parseInput(NamesInput, input, 'ValidationException'), ctx);
      case 'GetParametersByPath':
        return this.#getByPath(parseInput(GetParametersByPathInput, input, 'ValidationException'), ctx);
      case 'DeleteParameter':
        return this.#delete(parseInput(GetParameterInput, input, 'ValidationException'));
      case 'DeleteParameters':
        return this.#deleteMany(parseInput(NamesInput, input, 'ValidationException'));
      case 'DescribeParameters':
        return this.#describe(parseInput(DescribeParametersInput, input, 'ValidationException'), ctx);
      default:
        throw new AwsError(
          'UnknownOperationException',
          `Operation ${operation} is not supported by the local SSM; supported: PutParameter, GetParameter, GetParameters, GetParametersByPath, DeleteParameter, DeleteParameters, DescribeParameters`,
        );
    }
  }

  /** Number of parameters stored. */
  get size(): number {
    return this.#own.size;
  }

  #put(input: z.output<typeof PutParameterInput>): unknown {
    const name = input.Name.trim();
    checkName(name, 'write');
    const key = parameterKey(name);
    const existing = this.#own.get(key);
    if (existing !== undefined && input.Overwrite !== true) {
      throw new AwsError(
        'ParameterAlreadyExists',
        `The parameter ${existing.name} already exists. To overwrite this value, set the overwrite option in the request to true.`,
      );
    }
    if (input.Tags !== undefined && input.Overwrite === true) {
      throw new AwsError(
        'ValidationException',
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
      );
    }
    const type = input.Type ?? existing?.type;
    if (type === undefined) {
      throw new AwsError(
        'ValidationException',
        `Parameter ${name} does not exist yet, so a Type is required (one of ${PARAMETER_TYPES.join(', ')})`,
      );
    }
    if (existing !== undefined && type !== existing.type) {
      throw new AwsError(
        'HierarchyTypeMismatchException',
        `Parameter ${existing.name} is of type ${existing.type}; changing it to ${type} is not supported. Create a new parameter instead.`,
      );
    }
    if (input.Value.length === 0) {
      throw new AwsError(
        'ValidationException',
        "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    }
    if (input.KeyId !== undefined && type !== 'SecureString') {
      throw new AwsError(
        'ValidationException',
        `KeyId applies to SecureString parameters only, not to ${type}`,
      );
    }
    const dataType = input.DataType ?? existing?.dataType ?? 'text';
    if (!(DATA_TYPES as readonly string[]).includes(dataType)) {
      throw new AwsError(
        'ValidationException',
        `The following data type is not supported: ${dataType} (supported data types are: ${DATA_TYPES.join(', ')})`,
      );
    }
    const tier = this.#tierFor(name, input.Tier, existing?.tier, Buffer.byteLength(input.Value));
    const allowedPattern = input.AllowedPattern ?? existing?.allowedPattern;
    if (allowedPattern !== undefined) checkAllowedPattern(name, input.Value, allowedPattern);
    if (existing === undefined) this.#checkCapacity(tier);
    else if (existing.tier === 'Standard' && tier === 'Advanced') this.#standardCount--;

    const now = this.#now();
    if (existing === undefined) {
      const parameter: StoredParameter = {
        name,
        type,
        value: input.Value,
        version: 1,
        lastModified: now,
        tier,
        dataType,
        description: input.Description,
        keyId: type === 'SecureString' ? (input.KeyId ?? DEFAULT_KEY_ID) : undefined,
        allowedPattern,
        tags: new Map((input.Tags ?? []).map((tag) => [tag.Key, tag.Value])),
      };
      this.#own.insert(key, parameter);
      if (tier === 'Standard') this.#standardCount++;
      return { Version: 1, Tier: tier };
    }
    existing.value = input.Value;
    existing.version += 1;
    existing.lastModified = now;
    existing.tier = tier;
    existing.dataType = dataType;
    existing.allowedPattern = allowedPattern;
    if (input.Description !== undefined) existing.description = input.Description;
    if (input.KeyId !== undefined) existing.keyId = input.KeyId;
    return { Version: existing.version, Tier: tier };
  }

  #get(input: { Name: string }, ctx: ServiceContext): unknown {
    const { name, version } = parseSelector(input.Name);
    const parameter = this.#index(name).get(parameterKey(name));
    if (parameter === undefined) {
      throw new AwsError('ParameterNotFound', `Parameter ${name} not found.`);
    }
    if (version !== undefined && version !== parameter.version) {
      throw new AwsError(
        'ParameterVersionNotFound',
        `Systems Manager could not find version ${version} of ${parameter.name}; the local SSM keeps only the latest version, ${parameter.version}.`,
      );
    }
    return {
      Parameter: {
        ...toParameter(parameter, ctx),
        ...(version === undefined ? {} : { Selector: `:${version}` }),
      },
    };
  }

  #getMany(input: { Names: string[] }, ctx: ServiceContext): unknown {
    const parameters: unknown[] = [];
    const invalid: string[] = [];
    const seen = new Set<string>();
    for (const requested of input.Names) {
      if (seen.has(requested)) continue;
      seen.add(requested);
      const name = requested.trim();
      const parameter = validName(name, 'read') ? this.#index(name).get(parameterKey(name)) : undefined;
      if (parameter === undefined) invalid.push(requested);
      else parameters.push(toParameter(parameter, ctx));
    }
    return { Parameters: parameters, InvalidParameters: invalid };
  }

  #getByPath(input: z.output<typeof GetParametersByPathInput>, ctx: ServiceContext): unknown {
    const path = input.Path.trim();
    if (!validPath(path, 'read')) {
      throw new AwsError(
        'ValidationException',
        `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can't be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Got Path '${path}'.`,
      );
    }
    const predicates = (input.ParameterFilters ?? []).map((filter) =>
      pathQueryPredicate(filter, ['Type', 'KeyId', 'Label']),
    );
    const range: ScanRange = {
      prefix: path === '/' ? '/' : `${path.replace(/\/+$/, '')}/`,
      oneLevel: input.Recursive !== true,
    };
    const { items, nextToken } = this.#index(path).scan(
      range,
      predicates,
      input.MaxResults ?? 10,
      input.NextToken,
    );
    return {
      Parameters: items.map((parameter) => toParameter(parameter, ctx)),
      ...(nextToken === undefined ? {} : { NextToken: nextToken }),
    };
  }

  #delete(input: { Name: string }): unknown {
    checkName(input.Name.trim(), 'write');
    if (!this.#remove(input.Name.trim())) {
      throw new AwsError('ParameterNotFound', `Parameter ${input.Name} not found.`);
    }
    return {};
  }

  #deleteMany(input: { Names: string[] }): unknown {
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const name of new Set(input.Names)) {
      if (validName(name, 'write') && this.#remove(name.trim())) deleted.push(name);
      else invalid.push(name);
    }
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  }

  #describe(input: z.output<typeof DescribeParametersInput>, ctx: ServiceContext): unknown {
    if (input.Filters !== undefined && input.ParameterFilters !== undefined) {
      throw new AwsError(
        'ValidationException',
        'Filters and ParameterFilters cannot be used together; use ParameterFilters',
      );
    }
    let range: ScanRange = { prefix: '', oneLevel: false };
    const predicates: Predicate[] = [];
    for (const filter of input.Filters ?? []) {
      predicates.push(
        describePredicate({ Key: filter.Key, Values: filter.Values, Option: legacyOption(filter.Key) }),
      );
    }
    const pathFilters = (input.ParameterFilters ?? []).filter((filter) => filter.Key === 'Path');
    if (pathFilters.length > 1) {
      throw new AwsError('InvalidFilterKey', 'The Path filter may be given only once.');
    }
    for (const filter of input.ParameterFilters ?? []) {
      if (filter.Key !== 'Path') predicates.push(describePredicate(filter));
    }
    const [pathFilter] = pathFilters;
    if (pathFilter !== undefined) {
      const option = pathFilter.Option ?? 'OneLevel';
      if (option !== 'OneLevel' && option !== 'Recursive') {
        throw new AwsError(
          'InvalidFilterOption',
          `The option ${option} is not valid for the Path filter. Valid options are OneLevel and Recursive.`,
        );
      }
      const paths = pathFilter.Values ?? ['/'];
      for (const path of paths) {
        if (!validPath(path, 'write')) {
          throw new AwsError('InvalidFilterValue', `The Path filter value ${path} is not a valid path.`);
        }
      }
      const prefixes = paths.map((path) => (path === '/' ? '/' : `${path.replace(/\/+$/, '')}/`));
      const [only] = prefixes;
      if (prefixes.length === 1 && only !== undefined) {
        range = { prefix: only, oneLevel: option === 'OneLevel' };
      } else {
        predicates.push((parameter) => {
          const key = parameterKey(parameter.name);
          return prefixes.some(
            (prefix) =>
              key.startsWith(prefix) && (option === 'Recursive' || !key.slice(prefix.length).includes('/')),
          );
        });
      }
    }
    const { items, nextToken } = this.#own.scan(range, predicates, input.MaxResults ?? 10, input.NextToken);
    return {
      Parameters: items.map((parameter) => toMetadata(parameter, ctx)),
      ...(nextToken === undefined ? {} : { NextToken: nextToken }),
    };
  }

  /** Where a name lives: public parameters under `/aws/`, the account's own elsewhere. */
  #index(name: string): ParameterIndex {
    return isPublicName(name) ? this.#public : this.#own;
  }

  #remove(name: string): boolean {
    const parameter = this.#own.delete(parameterKey(name));
    if (parameter === undefined) return false;
    if (parameter.tier === 'Standard') this.#standardCount--;
    return true;
  }

  #tierFor(
    name: string,
    requested: (typeof TIERS)[number] | undefined,
    current: StoredTier | undefined,
    bytes: number,
  ): StoredTier {
    if (bytes > ADVANCED_VALUE_BYTES) {
      throw new AwsError(
        'ValidationException',
        `Parameter ${name}: the value is ${bytes} bytes; advanced-tier parameters support a maximum parameter value of ${ADVANCED_VALUE_BYTES} bytes.`,
      );
    }
    if (requested === 'Intelligent-Tiering') {
      return current === 'Advanced' || bytes > STANDARD_VALUE_BYTES ? 'Advanced' : 'Standard';
    }
    const tier = requested ?? current ?? 'Standard';
    if (current === 'Advanced' && tier === 'Standard') {
      throw new AwsError(
        'ValidationException',
        `Parameter ${name} uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier.`,
      );
    }
    if (tier === 'Standard' && bytes > STANDARD_VALUE_BYTES) {
      throw new AwsError(
        'ValidationException',
        `Parameter ${name}: the value is ${bytes} bytes; standard tier parameters support a maximum parameter value of ${STANDARD_VALUE_BYTES} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`,
      );
    }
    return tier;
  }

  #checkCapacity(tier: StoredTier): void {
    const limit = tier === 'Standard' ? this.#maxStandard : ADVANCED_PARAMETER_LIMIT;
    const count = tier === 'Standard' ? this.#standardCount : this.#own.size - this.#standardCount;
    if (count >= limit) {
      throw new AwsError(
        'ParameterLimitExceeded',
        `You have exceeded the number of ${tier.toLowerCase()}-tier parameters for this account (${limit}). Delete one or more parameters and try again.`,
      );
    }
  }

  #now(): number {
    return Math.floor(this.#clock.now());
  }
}

/** Parameters by key, with every key sorted by code unit so a path query is a range scan. */
class ParameterIndex {
  /** By key: the name with a leading slash (AWS gives `a` and `/a` the same ARN: one parameter). */
  readonly #byKey = new Map<string, StoredParameter>();
  readonly #sortedKeys: string[] = [];

  get size(): number {
    return this.#byKey.size;
  }

  get(key: string): StoredParameter | undefined {
    return this.#byKey.get(key);
  }

  /** Adds a parameter under a key not in use. */
  insert(key: string, parameter: StoredParameter): void {
    this.#byKey.set(key, parameter);
    this.#sortedKeys.splice(lowerBound(this.#sortedKeys, key), 0, key);
  }

  /** Removes the parameter of that key; returns it, or undefined if there was none. */
  delete(key: string): StoredParameter | undefined {
    const parameter = this.#byKey.get(key);
    if (parameter === undefined) return undefined;
    this.#byKey.delete(key);
    this.#sortedKeys.splice(lowerBound(this.#sortedKeys, key), 1);
    return parameter;
  }

  /**
   * Walks the sorted keys of `range` from the token on, collecting up to `max` parameters that pass
   * every predicate. One-level scans jump over each child's subtree with one binary search.
   */
  scan(
    range: ScanRange,
    predicates: readonly Predicate[],
    max: number,
    token: string | undefined,
  ): { items: StoredParameter[]; nextToken: string | undefined } {
    const keys = this.#sortedKeys;
    let index = lowerBound(keys, range.prefix);
    if (token !== undefined) index = Math.max(index, upperBound(keys, decodeToken(token)));
    const items: StoredParameter[] = [];
    while (index < keys.length) {
      const key = keys[index] as string;
      if (!key.startsWith(range.prefix)) break;
      if (range.oneLevel) {
        const slash = key.indexOf('/', range.prefix.length);
        if (slash !== -1) {
          // '0' follows '/' in code-unit order: this skips every key under `key.slice(0, slash)/`.
          index = lowerBound(keys, `${key.slice(0, slash)}0`);
          continue;
        }
      }
      const parameter = this.#byKey.get(key) as StoredParameter;
      if (predicates.every((matches) => matches(parameter))) {
        if (items.length === max) {
          const last = items.at(-1) as StoredParameter;
          return { items, nextToken: encodeToken(parameterKey(last.name)) };
        }
        items.push(parameter);
      }
      index++;
    }
    return { items, nextToken: undefined };
  }
}

/** Regions whose `/aws/service/global-infrastructure/regions/<region>` public parameter is served. */
const PUBLIC_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-north-1',
  'ap-northeast-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-south-1',
  'sa-east-1',
] as const;

/** A few of AWS's public parameters (the region list), so tools that read them work offline. */
function publicParameters(now: number): ParameterIndex {
  const index = new ParameterIndex();
  for (const region of PUBLIC_REGIONS) {
    const name = `/aws/service/global-infrastructure/regions/${region}`;
    index.insert(name, {
      name,
      type: 'String',
      value: region,
      version: 1,
      lastModified: now,
      tier: 'Standard',
      dataType: 'text',
      description: undefined,
      keyId: undefined,
      allowedPattern: undefined,
      tags: new Map(),
    });
  }
  return index;
}

/** The identity of a parameter: `a` and `/a` are one parameter (they share an ARN). */
function parameterKey(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

/**
 * Reading or writing a name. AWS refuses to create names beginning with "aws" or "ssm" (PutParameter:
 * "can't be prefixed with aws or ssm (case-insensitive)") but serves its public parameters under
 * `/aws/` to every reader.
 */
type Access = 'read' | 'write';

/** A name under `/aws/`, where AWS keeps its public parameters. */
function isPublicName(name: string): boolean {
  return /^\/aws(\/|$)/.test(name);
}

function validName(name: string, access: Access): boolean {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_NAME_LENGTH) return false;
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(trimmed)) return false;
  if (trimmed.includes('/') && !trimmed.startsWith('/')) return false;
  if (trimmed.endsWith('/') || trimmed.includes('//')) return false;
  if (access === 'read' && isPublicName(trimmed)) return true;
  return !/^\/?(aws|ssm)/i.test(trimmed);
}

function validPath(path: string, access: Access): boolean {
  return path === '/' || (path.startsWith('/') && validName(path.replace(/\/+$/, ''), access));
}

/** `name` or `name:version`; throws AWS's errors for a malformed name or a too deep hierarchy. */
function parseSelector(raw: string): { name: string; version: number | undefined } {
  const trimmed = raw.trim();
  const colon = trimmed.lastIndexOf(':');
  const name = colon === -1 ? trimmed : trimmed.slice(0, colon);
  const selector = colon === -1 ? undefined : trimmed.slice(colon + 1);
  checkName(name, 'read');
  if (selector === undefined) return { name, version: undefined };
  if (!/^[1-9][0-9]*$/.test(selector)) {
    throw new AwsError(
      'ParameterVersionLabelNotFound',
      `The local SSM has no parameter labels; selector ':${selector}' of ${name} cannot be resolved (use a version number)`,
    );
  }
  return { name, version: Number(selector) };
}

function checkName(name: string, access: Access): void {
  if (!validName(name, access)) {
    throw new AwsError('ValidationException', `Parameter name '${name}' is not valid. ${NAME_RULES}`);
  }
  const levels = name.split('/').filter((segment) => segment !== '').length;
  if (levels > MAX_HIERARCHY_LEVELS) {
    throw new AwsError(
      'HierarchyLevelLimitExceededException',
      `Parameter ${name} has ${levels} levels; a hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels.`,
    );
  }
}

function checkAllowedPattern(name: string, value: string, pattern: string): void {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (error) {
    throw new AwsError(
      'InvalidAllowedPatternException',
      `AllowedPattern ${pattern} of ${name} is not a valid regular expression: ${(error as Error).message}`,
    );
  }
  if (!regex.test(value)) {
    throw new AwsError(
      'ParameterPatternMismatchException',
      `Parameter value, cannot be validated against allowedPattern: ${pattern} (parameter ${name})`,
    );
  }
}

function parameterArn(name: string, ctx: ServiceContext): string {
  // Public parameters belong to no account: their ARNs leave the account empty.
  const account = isPublicName(parameterKey(name)) ? '' : ctx.accountId;
  return `arn:aws:ssm:${ctx.region}:${account}:parameter${parameterKey(name)}`;
}

function toParameter(parameter: StoredParameter, ctx: ServiceContext): Record<string, unknown> {
  return {
    Name: parameter.name,
    Type: parameter.type,
    Value: parameter.value,
    Version: parameter.version,
    LastModifiedDate: parameter.lastModified / 1000,
    ARN: parameterArn(parameter.name, ctx),
    DataType: parameter.dataType,
  };
}

function toMetadata(parameter: StoredParameter, ctx: ServiceContext): Record<string, unknown> {
  return {
    Name: parameter.name,
    ARN: parameterArn(parameter.name, ctx),
    Type: parameter.type,
    ...(parameter.keyId === undefined ? {} : { KeyId: parameter.keyId }),
    LastModifiedDate: parameter.lastModified / 1000,
    LastModifiedUser: `arn:aws:iam::${ctx.accountId}:root`,
    ...(parameter.description === undefined ? {} : { Description: parameter.description }),
    ...(parameter.allowedPattern === undefined ? {} : { AllowedPattern: parameter.allowedPattern }),
    Version: parameter.version,
    Tier: parameter.tier,
    Policies: [],
    DataType: parameter.dataType,
  };
}

/** Filters GetParametersByPath accepts: Type, KeyId, Label and tag:<key>. */
function pathQueryPredicate(filter: ParameterFilterInput, keys: readonly string[]): Predicate {
  if (!keys.includes(filter.Key) && !filter.Key.startsWith('tag:')) {
    throw new AwsError(
      'InvalidFilterKey',
      `The following filter key is not valid: ${filter.Key}. Valid filter keys include: [${keys.join(', ')}, tag:<key>].`,
    );
  }
  return describePredicate(filter);
}

function legacyOption(key: 'Name' | 'Type' | 'KeyId'): string {
  return key === 'Name' ? 'BeginsWith' : 'Equals';
}

/** A DescribeParameters filter (Name, Type, KeyId, Tier, DataType, Label, tag:<key>) as a predicate. */
function describePredicate(filter: ParameterFilterInput): Predicate {
  const values = filter.Values ?? [];
  const option = filter.Option ?? 'Equals';
  const requireOption = (allowed: readonly string[]) => {
    if (!allowed.includes(option)) {
      throw new AwsError(
        'InvalidFilterOption',
        `The option ${option} is not valid for the ${filter.Key} filter. Valid options are ${allowed.join(', ')}.`,
      );
    }
  };
  const requireValues = () => {
    if (values.length === 0) {
      throw new AwsError('InvalidFilterValue', `The ${filter.Key} filter needs at least one value.`);
    }
  };
  if (filter.Key.startsWith('tag:')) {
    const tag = filter.Key.slice(4);
    requireOption(['Equals']);
    return (parameter) => {
      const value = parameter.tags.get(tag);
      return value !== undefined && (values.length === 0 || values.includes(value));
    };
  }
  switch (filter.Key) {
    case 'Name': {
      requireOption(['Equals', 'BeginsWith', 'Contains']);
      requireValues();
      if (option === 'Equals') {
        const keys = new Set(values.map(parameterKey));
        return (parameter) => keys.has(parameterKey(parameter.name));
      }
      if (option === 'BeginsWith') {
        return (parameter) => values.some((value) => parameter.name.startsWith(value));
      }
      return (parameter) => values.some((value) => parameter.name.includes(value));
    }
    case 'Type':
      requireOption(['Equals']);
      requireValues();
      for (const value of values) {
        if (!(PARAMETER_TYPES as readonly string[]).includes(value)) {
          throw new AwsError(
            'InvalidFilterValue',
            `The Type filter value ${value} is not valid. Valid values are ${PARAMETER_TYPES.join(', ')}.`,
          );
        }
      }
      return (parameter) => values.includes(parameter.type);
    case 'KeyId':
      requireOption(['Equals']);
      requireValues();
      return (parameter) => parameter.keyId !== undefined && values.includes(parameter.keyId);
    case 'Tier':
      requireOption(['Equals']);
      requireValues();
      return (parameter) => values.includes(parameter.tier);
    case 'DataType':
      requireOption(['Equals']);
      requireValues();
      return (parameter) => values.includes(parameter.dataType);
    case 'Label':
      requireValues();
      // The local SSM keeps no labels: no parameter carries one.
      return () => false;
    default:
      throw new AwsError(
        'InvalidFilterKey',
        `The following filter key is not valid: ${filter.Key}. Valid filter keys include: [Name, Path, Type, KeyId, Tier, DataType, Label, tag:<key>].`,
      );
  }
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key })).toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      typeof decoded === 'object' &&
      decoded !== null &&
      'after' in decoded &&
      typeof decoded.after === 'string'
    ) {
      return decoded.after;
    }
  } catch {
    // Not ours: fall through to AWS's error.
  }
  throw new AwsError(
    'InvalidNextToken',
    `The specified token isn't valid: '${token.slice(0, 64)}'. Pass the NextToken of the previous response unchanged.`,
  );
}
