/**
 * SNS subscription filter policies: exact strings and numbers, `prefix`, `suffix`, `anything-but`,
 * `numeric` ranges, `exists`, `equals-ignore-case` and `$or`, on message attributes (the default scope)
 * or on the JSON message body (`FilterPolicyScope: MessageBody`, nested keys).
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Condition = Json;

export type FilterPolicy = { readonly [key: string]: readonly Condition[] | FilterPolicy };

/** The values filtered on: attribute name → value(s); String.Array attributes give several. */
export type FilterInput = { readonly [key: string]: unknown };

const OPERATORS = new Set(['prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'equals-ignore-case']);
const NUMERIC_OPERATORS = new Set(['<', '<=', '=', '>', '>=']);

export class FilterPolicyError extends Error {}

/** Parses and checks a FilterPolicy attribute value; throws FilterPolicyError saying what is wrong. */
export function parseFilterPolicy(text: string): FilterPolicy {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FilterPolicyError(
      `failed to parse JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  checkPolicy(parsed, 'policy');
  return parsed as FilterPolicy;
}

function checkPolicy(policy: unknown, where: string): void {
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) {
    throw new FilterPolicyError(`${where} must be a JSON object, got ${JSON.stringify(policy)}`);
  }
  for (const [key, value] of Object.entries(policy)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) {
        throw new FilterPolicyError(
          `"$or" must be an array of at least two policies, got ${JSON.stringify(value)}`,
        );
      }
      for (const [i, branch] of value.entries()) checkPolicy(branch, `"$or"[${i}]`);
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) throw new FilterPolicyError(`"${key}" must list at least one value`);
      for (const condition of value) checkCondition(key, condition);
      continue;
    }
    checkPolicy(value, `"${key}"`);
  }
}

function checkCondition(key: string, condition: unknown): void {
  if (condition === null || typeof condition !== 'object') return;
  if (Array.isArray(condition)) throw new FilterPolicyError(`"${key}" has a nested array; expected values`);
  const entries = Object.entries(condition);
  const [operator, operand] = entries[0] ?? [];
  if (entries.length !== 1 || operator === undefined || !OPERATORS.has(operator)) {
    throw new FilterPolicyError(
      `"${key}" has an unknown condition ${JSON.stringify(condition)}; expected one of ${[...OPERATORS].join(', ')}`,
    );
  }
  if (operator === 'numeric') parseNumeric(key, operand);
  if (
    (operator === 'prefix' || operator === 'suffix' || operator === 'equals-ignore-case') &&
    typeof operand !== 'string'
  ) {
    throw new FilterPolicyError(`"${key}": ${operator} takes a string, got ${JSON.stringify(operand)}`);
  }
  if (operator === 'exists' && typeof operand !== 'boolean') {
    throw new FilterPolicyError(`"${key}": exists takes true or false, got ${JSON.stringify(operand)}`);
  }
}

function parseNumeric(key: string, operand: unknown): Array<[string, number]> {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0 || operand.length > 4) {
    throw new FilterPolicyError(
      `"${key}": numeric takes [op, number] or [op, number, op, number], got ${JSON.stringify(operand)}`,
    );
  }
  const pairs: Array<[string, number]> = [];
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i];
    const value = operand[i + 1];
    if (typeof op !== 'string' || !NUMERIC_OPERATORS.has(op) || typeof value !== 'number') {
      throw new FilterPolicyError(`"${key}": bad numeric condition ${JSON.stringify(operand)}`);
    }
    pairs.push([op, value]);
  }
  return pairs;
}

/** Whether a message with these values passes the policy: every key matches (AND), any of its conditions (OR). */
export function matchesFilterPolicy(policy: FilterPolicy, input: FilterInput): boolean {
  for (const [key, rule] of Object.entries(policy)) {
    if (key === '$or') {
      const branches = rule as unknown as FilterPolicy[];
      if (!branches.some((branch) => matchesFilterPolicy(branch, input))) return false;
      continue;
    }
    const value = input[key];
    if (!Array.isArray(rule)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
      if (!matchesFilterPolicy(rule as FilterPolicy, value as FilterInput)) return false;
      continue;
    }
    if (!(rule as readonly Condition[]).some((condition) => matchesCondition(condition, value, key)))
      return false;
  }
  return true;
}

function matchesCondition(condition: Condition, value: unknown, key: string): boolean {
  if (condition !== null && typeof condition === 'object' && !Array.isArray(condition)) {
    const [operator, operand] = Object.entries(condition)[0] ?? [];
    if (operator === 'exists') return (value !== undefined) === operand;
    if (value === undefined) return false;
    const values = Array.isArray(value) ? value : [value];
    switch (operator) {
      case 'prefix':
        return values.some((v) => typeof v === 'string' && v.startsWith(operand as string));
      case 'suffix':
        return values.some((v) => typeof v === 'string' && v.endsWith(operand as string));
      case 'equals-ignore-case':
        return values.some(
          (v) => typeof v === 'string' && v.toLowerCase() === (operand as string).toLowerCase(),
        );
      case 'numeric': {
        const ranges = parseNumeric(key, operand);
        return values.some((v) => {
          const n =
            typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
          return !Number.isNaN(n) && ranges.every(([op, bound]) => compare(n, op, bound));
        });
      }
      case 'anything-but':
        return values.every((v) => !matchesAnythingBut(operand as Json, v, key));
      default:
        return false;
    }
  }
  if (value === undefined) return false;
  const values = Array.isArray(value) ? value : [value];
  return values.some((v) => equalsValue(condition, v));
}

/** True when `v` is one of the excluded values (so anything-but rejects it). */
function matchesAnythingBut(excluded: Json, v: unknown, key: string): boolean {
  if (excluded !== null && typeof excluded === 'object' && !Array.isArray(excluded)) {
    return matchesCondition(excluded, v, key);
  }
  const list = Array.isArray(excluded) ? excluded : [excluded];
  return list.some((item) => equalsValue(item, v));
}

function equalsValue(condition: Json, v: unknown): boolean {
  if (typeof condition === 'number') {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    return n === condition;
  }
  return condition === v;
}

function compare(n: number, op: string, bound: number): boolean {
  switch (op) {
    case '<':
      return n < bound;
    case '<=':
      return n <= bound;
    case '=':
      return n === bound;
    case '>':
      return n > bound;
    default:
      return n >= bound;
  }
}
