import { describe, expect, it } from 'vitest';
import {
  describeJsonError,
  fieldPath,
  formatIssue,
  locateJsonError,
  renderValue,
} from '../../src/domain/issues';

describe('locateJsonError', () => {
  it.each([
    ['{"enabled": tru}', 12],
    ['', 0],
    ['   ', 3],
    ['{', 1],
    ['{"a"', 4],
    ['{"a" 1}', 5],
    ['{"a":', 5],
    ['{"a":1', 6],
    ['{"a":1,}', 7],
    ['{a:1}', 1],
    ['{"a":1]', 6],
    ['{"a":1}}', 7],
    ['[1,]', 3],
    ['[1 2]', 3],
    ['[1}', 2],
    ['01', 1],
    ['1.', 1],
    ['"abc', 0],
    ['"a\\x"', 0],
    ['x', 0],
    ['[[[[', 4],
  ])('finds where %j stops being JSON: position %i', (text, position) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(locateJsonError(text)?.position).toBe(position);
  });

  it.each(['{}', '[]', ' {"a": [1, {"b": null}], "c": "\\u00e9", "d": -1.5e3, "e": true, "f": false} '])(
    'finds nothing wrong in valid JSON %j',
    (text) => {
      expect(locateJsonError(text)).toBeUndefined();
    },
  );

  it('gives the line and column of the position', () => {
    expect(locateJsonError('{\n  "a": 1,\n  "b": }')).toEqual({ position: 19, line: 3, column: 8 });
  });
});

describe('describeJsonError', () => {
  it('says where the text stops being JSON and why', () => {
    expect(describeJsonError('{"a":', new SyntaxError('Unexpected end of JSON input'))).toBe(
      'not JSON at position 5 (line 1, column 6): Unexpected end of JSON input',
    );
  });

  it('truncates a long parser message and omits a position it cannot find', () => {
    expect(describeJsonError('{}', new SyntaxError('m'.repeat(100)))).toBe(`not JSON: ${'m'.repeat(80)}…`);
  });
});

describe('renderValue', () => {
  it.each([
    [undefined, 'nothing'],
    [0, '0'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    ['x', '"x"'],
    [null, 'null'],
    [{ a: [1] }, '{"a":[1]}'],
    ['y'.repeat(100), `"${'y'.repeat(79)}… (102 characters)`],
  ])('renders %j as %s', (value, rendered) => {
    expect(renderValue(value)).toBe(rendered);
  });
});

describe('fieldPath and formatIssue', () => {
  it.each([
    [[], ''],
    [['retention', 'count'], 'retention.count'],
    [['notify', 'on', 1], 'notify.on[1]'],
    [[0, 'id'], '[0].id'],
  ])('joins %j as %j', (path, field) => {
    expect(fieldPath(path)).toBe(field);
  });

  it('formats an issue as field, value received and expectation', () => {
    expect(
      formatIssue({ field: 'enabled', kind: 'wrong-type', value: '"yes"', expected: 'true or false' }),
    ).toBe('enabled: received "yes", expected true or false');
  });
});
