/**
 * One problem with an input (a configuration value, a work message, a batch entry): the field, what was
 * received and what was expected. Shared by ConfigError and InvalidMessageError so that audits and alerts
 * render every problem the same way.
 */
import type { z } from 'zod';

export const IssueKind = {
  NOT_JSON: 'not-json',
  NOT_OBJECT: 'not-object',
  UNKNOWN_FIELD: 'unknown-field',
  MISSING: 'missing',
  WRONG_TYPE: 'wrong-type',
  OUT_OF_RANGE: 'out-of-range',
  INVALID_FORMAT: 'invalid-format',
  INVALID_VALUE: 'invalid-value',
  CONSTRAINT: 'constraint',
  BAD_PATH: 'bad-path',
  TOO_LARGE: 'too-large',
  DUPLICATE_KEY: 'duplicate-key',
  PARAMETER_TYPE: 'parameter-type',
} as const;
export type IssueKind = (typeof IssueKind)[keyof typeof IssueKind];

export interface FieldIssue {
  /** Dotted path of the field (`retention.count`, `notify.on[1]`), or a `(name)`-style pseudo field. */
  readonly field: string;
  readonly kind: IssueKind;
  /** The value received, rendered and truncated (`nothing` when the field is absent). */
  readonly value: string;
  /** What was expected, in words a person can act on. */
  readonly expected: string;
}

/** Longest rendering of a received value kept in an issue. */
export const MAX_RENDERED_VALUE = 80;

/** Renders a received value for an issue: JSON-like, truncated to MAX_RENDERED_VALUE characters. */
export function renderValue(value: unknown): string {
  const text =
    value === undefined ? 'nothing' : typeof value === 'number' ? String(value) : JSON.stringify(value);
  if (text.length <= MAX_RENDERED_VALUE) return text;
  return `${text.slice(0, MAX_RENDERED_VALUE)}… (${text.length} characters)`;
}

/** `retention.count: received 0, expected an integer from 1 to 1000`. */
export function formatIssue(issue: FieldIssue): string {
  return `${issue.field}: received ${issue.value}, expected ${issue.expected}`;
}

const WHITESPACE = /[ \t\n\r]*/y;
const STRING =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in strings.
  /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER_OR_LITERAL = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null/y;

/**
 * Where `text` stops being JSON: the offset of the first character no JSON text could continue with
 * (text.length when it ends too early), with its line and column; undefined for valid JSON. JSON.parse
 * does not say where on every Node version, so the position is found here.
 */
export function locateJsonError(
  text: string,
): { position: number; line: number; column: number } | undefined {
  const position = jsonErrorOffset(text);
  if (position === undefined) return undefined;
  const before = text.slice(0, position).split('\n');
  return { position, line: before.length, column: (before.at(-1) as string).length + 1 };
}

function jsonErrorOffset(text: string): number | undefined {
  const open: string[] = [];
  let i = 0;
  const take = (token: RegExp): boolean => {
    token.lastIndex = i;
    if (!token.test(text)) return false;
    i = token.lastIndex;
    return true;
  };
  const key = (): boolean => {
    take(WHITESPACE);
    if (!take(STRING)) return false;
    take(WHITESPACE);
    if (text.charAt(i) !== ':') return false;
    i++;
    return true;
  };
  for (;;) {
    // A value is expected here.
    take(WHITESPACE);
    const c = text.charAt(i);
    if (c === '{' || c === '[') {
      i++;
      take(WHITESPACE);
      if (text.charAt(i) !== (c === '{' ? '}' : ']')) {
        open.push(c);
        if (c === '{' && !key()) return i;
        continue;
      }
      i++;
    } else if (!(take(STRING) || take(NUMBER_OR_LITERAL))) {
      return i;
    }
    // A value ended: close containers until one takes a comma, or the text ends.
    for (;;) {
      take(WHITESPACE);
      const container = open.at(-1);
      if (container === undefined) return i < text.length ? i : undefined;
      const d = text.charAt(i);
      i++;
      if (d === ',') {
        if (container === '{' && !key()) return i;
        break;
      }
      if (d !== (container === '{' ? '}' : ']')) return i - 1;
      open.pop();
    }
  }
}

/**
 * The first key that appears twice in one object of a valid JSON text, with its dotted path and offset;
 * undefined when every object's keys are distinct. JSON.parse keeps the last value silently.
 */
export function findDuplicateKey(text: string): { key: string; path: string; position: number } | undefined {
  interface Frame {
    readonly kind: '{' | '[';
    readonly keys: Set<string>;
    key: string;
    index: number;
  }
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '"') {
      STRING.lastIndex = i;
      STRING.test(text);
      const token = text.slice(i, STRING.lastIndex);
      const top = stack.at(-1);
      if (top?.kind === '{' && expectKey) {
        const key = JSON.parse(token) as string;
        if (top.keys.has(key)) return { key, path: framePath(stack, key), position: i };
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = STRING.lastIndex - 1;
    } else if (c === '{' || c === '[') {
      stack.push({ kind: c, keys: new Set(), key: '', index: 0 });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack.at(-1) as Frame;
      if (top.kind === '{') expectKey = true;
      else top.index++;
    }
  }
  return undefined;

  function framePath(frames: readonly Frame[], key: string): string {
    const path: PropertyKey[] = [];
    for (const frame of frames.slice(0, -1)) path.push(frame.kind === '{' ? frame.key : frame.index);
    return fieldPath([...path, key]);
  }
}

/** What a JSON parse failure means, with where it happened: `not JSON at position 14 (line 1, column 15): …`. */
export function describeJsonError(text: string, error: unknown): string {
  const at = locateJsonError(text);
  const where = at === undefined ? '' : ` at position ${at.position} (line ${at.line}, column ${at.column})`;
  const message = (error as Error).message;
  const reason = message.length > MAX_RENDERED_VALUE ? `${message.slice(0, MAX_RENDERED_VALUE)}…` : message;
  return `not JSON${where}: ${reason}`;
}

/** Dotted field path of a zod issue path: `['notify', 'on', 1]` → `notify.on[1]`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** The value an issue path points at; `Object()` makes a step through null or a primitive yield undefined. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) current = (Object(current) as Record<PropertyKey, unknown>)[key];
  return current;
}

function kindOf(issue: z.core.$ZodIssue, value: unknown): IssueKind {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return IssueKind.MISSING;
      return issue.path.length === 0 ? IssueKind.NOT_OBJECT : IssueKind.WRONG_TYPE;
    case 'too_small':
    case 'too_big':
      return IssueKind.OUT_OF_RANGE;
    case 'invalid_format':
      return IssueKind.INVALID_FORMAT;
    case 'custom':
      return IssueKind.CONSTRAINT;
    default:
      return IssueKind.INVALID_VALUE;
  }
}

/**
 * Translates zod issues into FieldIssues. Schemas carry their "expected" text as their error message;
 * `root` is the parsed input, so values are read where each issue points. `rootField` names the whole input.
 */
export function issuesFromZod(
  issues: readonly z.core.$ZodIssue[],
  root: unknown,
  rootField: string,
  knownFields: (path: readonly PropertyKey[]) => readonly string[],
): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownFields(issue.path);
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        out.push({
          field: fieldPath(path),
          kind: IssueKind.UNKNOWN_FIELD,
          value: renderValue(valueAt(root, path)),
          expected: unknownFieldExpectation(key, known),
        });
      }
      continue;
    }
    const value = valueAt(root, issue.path);
    out.push({
      field: issue.path.length === 0 ? rootField : fieldPath(issue.path),
      kind: kindOf(issue, value),
      value: renderValue(value),
      expected: issue.message,
    });
  }
  return out;
}

function unknownFieldExpectation(key: string, known: readonly string[]): string {
  const near = nearest(key, known);
  const hint = near.length === 0 ? '' : ` (did you mean ${near.map((name) => `"${name}"`).join(' or ')}?)`;
  return `no field "${key}"${hint}; known fields here: ${known.join(', ')}`;
}

/** Known names near enough to `key` to be what a typo meant (`retian` → region or retention), nearest first. */
function nearest(key: string, known: readonly string[]): string[] {
  return known
    .map((name) => ({ name, distance: editDistance(key.toLowerCase(), name.toLowerCase()) }))
    .filter(({ name, distance }) => distance <= Math.max(2, Math.floor(name.length / 2)))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map(({ name }) => name);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
