/** SSM Parameter Store's operations: a typed handler per operation over the parameter store (model.ts). */
import type { OperationTable } from '../../protocol/operations';
import { ssmErrors } from './errors';
import { describePredicate, legacyOption, pathQueryPredicate } from './filters';
import { DATA_TYPES, type SsmInput, type SsmInputs } from './inputs';
import { type ParameterStore, type Predicate, type ScanRange, type StoredParameter, tierFor } from './model';
import { checkName, parameterKey, parseSelector, pathPrefix, validName, validPath } from './names';
import { type ParameterOutput, type SsmOutputs, toMetadata, toParameter } from './outputs';

export type SsmOperationTable = OperationTable<typeof SsmInputs, SsmOutputs>;

const DEFAULT_KEY_ID = 'alias/aws/ssm';

/** The handler of every SSM operation, over `store`. */
export function ssmOperations(store: ParameterStore): SsmOperationTable {
  return {
    PutParameter: (input) => putParameter(store, input),
    GetParameter: (input, ctx) => {
      const { name, version } = parseSelector(input.Name);
      const parameter = store.indexOf(name).get(parameterKey(name));
      if (parameter === undefined) throw ssmErrors.notFound(name);
      if (version !== undefined && version !== parameter.version) {
        throw ssmErrors.versionNotFound(parameter.name, version, parameter.version);
      }
      return {
        Parameter: {
          ...toParameter(parameter, ctx),
          ...(version === undefined ? {} : { Selector: `:${version}` }),
        },
      };
    },
    GetParameters: (input, ctx) => {
      const parameters: ParameterOutput[] = [];
      const invalid: string[] = [];
      const seen = new Set<string>();
      for (const requested of input.Names) {
        if (seen.has(requested)) continue;
        seen.add(requested);
        const name = requested.trim();
        const parameter = validName(name, 'read') ? store.indexOf(name).get(parameterKey(name)) : undefined;
        if (parameter === undefined) invalid.push(requested);
        else parameters.push(toParameter(parameter, ctx));
      }
      return { Parameters: parameters, InvalidParameters: invalid };
    },
    GetParametersByPath: (input, ctx) => {
      const path = input.Path.trim();
      if (!validPath(path, 'read')) throw ssmErrors.invalidPath(path);
      const predicates = (input.ParameterFilters ?? []).map(pathQueryPredicate);
      const range: ScanRange = { prefix: pathPrefix(path), oneLevel: input.Recursive !== true };
      const { items, nextToken } = store
        .indexOf(path)
        .scan(range, predicates, input.MaxResults ?? 10, input.NextToken);
      return {
        Parameters: items.map((parameter) => toParameter(parameter, ctx)),
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      };
    },
    DeleteParameter: (input) => {
      checkName(input.Name.trim(), 'write');
      if (!store.remove(input.Name.trim())) throw ssmErrors.notFound(input.Name);
      return {};
    },
    DeleteParameters: (input) => {
      const deleted: string[] = [];
      const invalid: string[] = [];
      for (const name of new Set(input.Names)) {
        if (validName(name, 'write') && store.remove(name.trim())) deleted.push(name);
        else invalid.push(name);
      }
      return { DeletedParameters: deleted, InvalidParameters: invalid };
    },
    DescribeParameters: (input, ctx) => {
      const { range, predicates } = describeScan(input);
      const { items, nextToken } = store.own.scan(range, predicates, input.MaxResults ?? 10, input.NextToken);
      return {
        Parameters: items.map((parameter) => toMetadata(parameter, ctx)),
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      };
    },
  };
}

function putParameter(store: ParameterStore, input: SsmInput<'PutParameter'>): SsmOutputs['PutParameter'] {
  const name = input.Name.trim();
  checkName(name, 'write');
  const existing = store.own.get(parameterKey(name));
  if (existing !== undefined && input.Overwrite !== true) throw ssmErrors.alreadyExists(existing.name);
  if (input.Tags !== undefined && input.Overwrite === true) throw ssmErrors.tagsWithOverwrite();
  const type = input.Type ?? existing?.type;
  if (type === undefined) throw ssmErrors.typeRequired(name);
  if (existing !== undefined && type !== existing.type) {
    throw ssmErrors.typeMismatch(existing.name, existing.type, type);
  }
  if (input.Value.length === 0) throw ssmErrors.emptyValue();
  if (input.KeyId !== undefined && type !== 'SecureString') throw ssmErrors.keyIdNotSecure(type);
  const dataType = input.DataType ?? existing?.dataType ?? 'text';
  if (!(DATA_TYPES as readonly string[]).includes(dataType)) throw ssmErrors.unsupportedDataType(dataType);
  const tier = tierFor(name, input.Tier, existing?.tier, Buffer.byteLength(input.Value));
  const allowedPattern = input.AllowedPattern ?? existing?.allowedPattern;
  if (allowedPattern !== undefined) checkAllowedPattern(name, input.Value, allowedPattern);

  const now = store.now();
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
    store.add(parameter);
    return { Version: 1, Tier: tier };
  }
  store.retier(existing, tier);
  existing.value = input.Value;
  existing.version += 1;
  existing.lastModified = now;
  existing.dataType = dataType;
  existing.allowedPattern = allowedPattern;
  if (input.Description !== undefined) existing.description = input.Description;
  if (input.KeyId !== undefined) existing.keyId = input.KeyId;
  return { Version: existing.version, Tier: tier };
}

function checkAllowedPattern(name: string, value: string, pattern: string): void {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (error) {
    throw ssmErrors.invalidAllowedPattern(name, pattern, (error as Error).message);
  }
  if (!regex.test(value)) throw ssmErrors.patternMismatch(name, pattern);
}

/** Where DescribeParameters scans (one Path filter narrows the range) and what it keeps. */
function describeScan(input: SsmInput<'DescribeParameters'>): { range: ScanRange; predicates: Predicate[] } {
  if (input.Filters !== undefined && input.ParameterFilters !== undefined) throw ssmErrors.filtersTogether();
  let range: ScanRange = { prefix: '', oneLevel: false };
  const predicates: Predicate[] = [];
  for (const filter of input.Filters ?? []) {
    predicates.push(
      describePredicate({ Key: filter.Key, Values: filter.Values, Option: legacyOption(filter.Key) }),
    );
  }
  const pathFilters = (input.ParameterFilters ?? []).filter((filter) => filter.Key === 'Path');
  if (pathFilters.length > 1) throw ssmErrors.pathFilterTwice();
  for (const filter of input.ParameterFilters ?? []) {
    if (filter.Key !== 'Path') predicates.push(describePredicate(filter));
  }
  const [pathFilter] = pathFilters;
  if (pathFilter !== undefined) {
    const option = pathFilter.Option ?? 'OneLevel';
    if (option !== 'OneLevel' && option !== 'Recursive') {
      throw ssmErrors.invalidFilterOption('Path', option, 'OneLevel and Recursive');
    }
    const paths = pathFilter.Values ?? ['/'];
    for (const path of paths) {
      if (!validPath(path, 'write')) throw ssmErrors.invalidPathFilterValue(path);
    }
    const prefixes = paths.map(pathPrefix);
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
  return { range, predicates };
}
