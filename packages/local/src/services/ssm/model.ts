/**
 * The parameters: the account's own, and AWS's public ones under `/aws/` (readable by everyone, listed by
 * no DescribeParameters). Each set is kept in a Map by key and in a sorted array of keys, so a path
 * query is a binary search plus a walk over the matching range, however many parameters there are;
 * pagination tokens carry the last key returned, so pages stay stable while parameters come and go.
 */
import type { SimClock } from '../../common/clock';
import { lowerBound, upperBound } from '../../common/sorted';
import { decodePageToken, encodePageToken } from '../../protocol/pagination';
import { ssmErrors } from './errors';
import type { ParameterType, RequestedTier } from './inputs';
import { isPublicName, parameterKey } from './names';

export type StoredTier = 'Standard' | 'Advanced';

export interface StoredParameter {
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

export type Predicate = (parameter: StoredParameter) => boolean;

/** Where a scan walks: keys starting with `prefix`, only direct children when `oneLevel`. */
export interface ScanRange {
  readonly prefix: string;
  readonly oneLevel: boolean;
}

const STANDARD_VALUE_BYTES = 4096;
const ADVANCED_VALUE_BYTES = 8192;
const ADVANCED_PARAMETER_LIMIT = 100_000;

/** Parameters by key, with every key sorted by code unit so a path query is a range scan. */
export class ParameterIndex {
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
    if (token !== undefined) {
      const after = decodePageToken(
        token,
        (value): value is string => typeof value === 'string',
        ssmErrors.invalidNextToken,
      );
      index = Math.max(index, upperBound(keys, after));
    }
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
          return { items, nextToken: encodePageToken(parameterKey(last.name)) };
        }
        items.push(parameter);
      }
      index++;
    }
    return { items, nextToken: undefined };
  }
}

/** The account's parameters and AWS's public ones, with the tier quotas the account is held to. */
export class ParameterStore {
  /** The account's own parameters. */
  readonly own = new ParameterIndex();
  /** AWS's public parameters under `/aws/`. */
  readonly public: ParameterIndex;
  #standardCount = 0;

  constructor(
    readonly clock: SimClock,
    /** Standard-tier parameters allowed; AWS's quota is 10,000. */
    private readonly maxStandard: number,
  ) {
    this.public = publicParameters(this.now());
  }

  /** Simulated epoch ms, whole milliseconds. */
  now(): number {
    return Math.floor(this.clock.now());
  }

  /** Where a name lives: public parameters under `/aws/`, the account's own elsewhere. */
  indexOf(name: string): ParameterIndex {
    return isPublicName(name) ? this.public : this.own;
  }

  /** Adds a new parameter of the account, within its tier's quota. */
  add(parameter: StoredParameter): void {
    const limit = parameter.tier === 'Standard' ? this.maxStandard : ADVANCED_PARAMETER_LIMIT;
    const count = parameter.tier === 'Standard' ? this.#standardCount : this.own.size - this.#standardCount;
    if (count >= limit) throw ssmErrors.limitExceeded(parameter.tier, limit);
    this.own.insert(parameterKey(parameter.name), parameter);
    if (parameter.tier === 'Standard') this.#standardCount++;
  }

  /** Moves an existing parameter to `tier` (a standard one may become advanced, not back). */
  retier(parameter: StoredParameter, tier: StoredTier): void {
    if (parameter.tier === 'Standard' && tier === 'Advanced') this.#standardCount--;
    parameter.tier = tier;
  }

  /** Deletes one of the account's parameters; false if there is none of that name. */
  remove(name: string): boolean {
    const parameter = this.own.delete(parameterKey(name));
    if (parameter === undefined) return false;
    if (parameter.tier === 'Standard') this.#standardCount--;
    return true;
  }
}

/**
 * The tier a value of `bytes` gets: the one requested (Intelligent-Tiering picks the cheapest that
 * fits), the current one when none is, never from advanced back to standard.
 */
export function tierFor(
  name: string,
  requested: RequestedTier | undefined,
  current: StoredTier | undefined,
  bytes: number,
): StoredTier {
  if (bytes > ADVANCED_VALUE_BYTES) throw ssmErrors.valueTooLarge(name, bytes, ADVANCED_VALUE_BYTES);
  if (requested === 'Intelligent-Tiering') {
    return current === 'Advanced' || bytes > STANDARD_VALUE_BYTES ? 'Advanced' : 'Standard';
  }
  const tier = requested ?? current ?? 'Standard';
  if (current === 'Advanced' && tier === 'Standard') throw ssmErrors.tierDowngrade(name);
  if (tier === 'Standard' && bytes > STANDARD_VALUE_BYTES) {
    throw ssmErrors.standardValueTooLarge(name, bytes, STANDARD_VALUE_BYTES);
  }
  return tier;
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
