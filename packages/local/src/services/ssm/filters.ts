/**
 * ParameterFilters as predicates over stored parameters: the keys, options and values DescribeParameters
 * and GetParametersByPath accept, refused with SSM's InvalidFilterKey / InvalidFilterOption /
 * InvalidFilterValue otherwise.
 */
import { ssmErrors } from './errors';
import { PARAMETER_TYPES, type ParameterFilterInput } from './inputs';
import type { Predicate } from './model';
import { parameterKey } from './names';

const DESCRIBE_KEYS = ['Name', 'Path', 'Type', 'KeyId', 'Tier', 'DataType', 'Label', 'tag:<key>'] as const;
const PATH_QUERY_KEYS = ['Type', 'KeyId', 'Label'] as const;

/** A GetParametersByPath filter (Type, KeyId, Label, tag:<key>) as a predicate. */
export function pathQueryPredicate(filter: ParameterFilterInput): Predicate {
  if (!(PATH_QUERY_KEYS as readonly string[]).includes(filter.Key) && !filter.Key.startsWith('tag:')) {
    throw ssmErrors.invalidFilterKey(filter.Key, [...PATH_QUERY_KEYS, 'tag:<key>']);
  }
  return describePredicate(filter);
}

/** The option a legacy DescribeParameters `Filters` entry implies. */
export function legacyOption(key: 'Name' | 'Type' | 'KeyId'): string {
  return key === 'Name' ? 'BeginsWith' : 'Equals';
}

/** A DescribeParameters filter (Name, Type, KeyId, Tier, DataType, Label, tag:<key>) as a predicate. */
export function describePredicate(filter: ParameterFilterInput): Predicate {
  const values = filter.Values ?? [];
  const option = filter.Option ?? 'Equals';
  const requireOption = (allowed: readonly string[]) => {
    if (!allowed.includes(option))
      throw ssmErrors.invalidFilterOption(filter.Key, option, allowed.join(', '));
  };
  const requireValues = () => {
    if (values.length === 0) throw ssmErrors.filterValueMissing(filter.Key);
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
        if (!(PARAMETER_TYPES as readonly string[]).includes(value))
          throw ssmErrors.invalidTypeFilterValue(value);
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
      throw ssmErrors.invalidFilterKey(filter.Key, DESCRIBE_KEYS);
  }
}
