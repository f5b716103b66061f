import { describe, expect, it } from 'vitest';
import { parseAppRef } from '../src/app-key';
import { diffDocuments } from '../src/commands/config';
import { CliError, ExitCode } from '../src/errors';
import { compactRelative, renderTable, WIDTH, wrap } from '../src/output';

describe('renderTable', () => {
  const columns = [
    { head: 'APPLICATION', width: 20 },
    { head: 'STATE', width: 12 },
  ];

  it('splits a name longer than its column after its slash instead of cutting it', () => {
    const out = renderTable(columns, [{ cells: ['payments/indexer-by-mistake', 'FAILED'] }]);
    expect(out).toContain('payments/');
    expect(out).toContain('indexer-by-mistake');
    expect(out).not.toContain('…');
  });

  it('puts a note on lines of its own, wrapped within the table and never cut', () => {
    const reason = `snapshot step: ${'a reason that goes on '.repeat(10)}until here`;
    const out = renderTable(columns, [{ cells: ['ops/app', 'FAILED'], notes: [reason] }]);
    const lines = out.split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(32);
    expect(lines.slice(2).join(' ').replace(/\s+/g, ' ')).toContain(reason.replace(/\s+/g, ' '));
  });
});

describe('wrap', () => {
  it.each([
    ['short', 10, ['short']],
    ['two words here', 9, ['two words', 'here']],
  ])('wraps %j at %i columns', (text, width, expected) => {
    expect(wrap(text, width)).toEqual(expected);
  });

  it('keeps every line of a long paragraph within the width', () => {
    const lines = wrap('word '.repeat(100), WIDTH);
    expect(lines.every((line) => line.length <= WIDTH)).toBe(true);
  });
});

describe('compactRelative', () => {
  it.each([
    [-30_000, '30s ago'],
    [-51 * 60_000, '51m ago'],
    [5 * 3_600_000, 'in 5.0h'],
    [-3 * 86_400_000, '3.0d ago'],
  ])('says %i ms as %s', (delta, expected) => {
    expect(compactRelative(1_000_000_000 + delta, 1_000_000_000)).toBe(expected);
  });
});

describe('diffDocuments', () => {
  it('lists added, changed and removed fields by path', () => {
    expect(
      diffDocuments(
        '{"retention":{"count":3},"paused":true}',
        '{"retention":{"count":5},"intervalMinutes":60}',
      ),
    ).toEqual([
      { path: 'intervalMinutes', after: 60 },
      { path: 'paused', before: true },
      { path: 'retention.count', before: 3, after: 5 },
    ]);
  });

  it('treats a new parameter as every field added', () => {
    expect(diffDocuments(undefined, '{"enabled":false}')).toEqual([{ path: 'enabled', after: false }]);
  });
});

describe('parseAppRef', () => {
  it('fails with a usage error naming what was expected', () => {
    const error = (() => {
      try {
        parseAppRef('no-slash');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.USAGE);
    expect((error as CliError).message).toContain('<tenant>/<app>');
  });
});
