import { describe, expect, it } from 'vitest';
import {
  FilterPolicyError,
  matchesFilterPolicy,
  parseFilterPolicy,
} from '../../../src/services/sns/filter-policy';

describe('SNS filter policies', () => {
  it.each([
    ['an exact string', { severity: ['critical'] }, { severity: 'critical' }, true],
    ['an exact string that differs', { severity: ['critical'] }, { severity: 'warning' }, false],
    ['any of several strings', { severity: ['critical', 'warning'] }, { severity: 'warning' }, true],
    ['a missing attribute', { severity: ['critical'] }, {}, false],
    [
      'every key (AND)',
      { severity: ['critical'], tenant: ['a'] },
      { severity: 'critical', tenant: 'b' },
      false,
    ],
    ['anything-but one value', { severity: [{ 'anything-but': 'info' }] }, { severity: 'critical' }, true],
    [
      'anything-but rejecting the value',
      { severity: [{ 'anything-but': ['info', 'debug'] }] },
      { severity: 'debug' },
      false,
    ],
    [
      'anything-but a prefix',
      { tenant: [{ 'anything-but': { prefix: 'test-' } }] },
      { tenant: 'test-1' },
      false,
    ],
    ['a prefix', { application: [{ prefix: 'orders-' }] }, { application: 'orders-eu' }, true],
    ['a prefix that differs', { application: [{ prefix: 'orders-' }] }, { application: 'billing' }, false],
    ['a suffix', { application: [{ suffix: '-eu' }] }, { application: 'orders-eu' }, true],
    [
      'equals-ignore-case',
      { severity: [{ 'equals-ignore-case': 'CRITICAL' }] },
      { severity: 'critical' },
      true,
    ],
    ['a numeric range', { count: [{ numeric: ['>', 0, '<=', 5] }] }, { count: 5 }, true],
    ['outside a numeric range', { count: [{ numeric: ['>', 0, '<=', 5] }] }, { count: 6 }, false],
    ['an exact number', { count: [3] }, { count: 3 }, true],
    ['exists: true', { tenant: [{ exists: true }] }, { tenant: 'a' }, true],
    ['exists: false on an absent attribute', { tenant: [{ exists: false }] }, {}, true],
    ['a String.Array value with one match', { tags: ['b'] }, { tags: ['a', 'b'] }, true],
    ['$or of two policies', { $or: [{ a: ['1'] }, { b: ['2'] }] }, { b: '2' }, true],
    ['nested body keys', { detail: { state: ['FAILED'] } }, { detail: { state: 'FAILED' } }, true],
  ])('matches %s: %j against %j → %s', (_label, policy, input, expected) => {
    expect(matchesFilterPolicy(parseFilterPolicy(JSON.stringify(policy)), input)).toBe(expected);
  });

  it.each([
    ['not JSON', '{severity'],
    ['not an object', '["a"]'],
    ['an empty value list', '{"severity": []}'],
    ['an unknown operator', '{"severity": [{"regex": "a.*"}]}'],
    ['a bad numeric condition', '{"count": [{"numeric": [">", "x"]}]}'],
  ])('rejects a policy that is %s', (_label, text) => {
    expect(() => parseFilterPolicy(text)).toThrow(FilterPolicyError);
  });
});
