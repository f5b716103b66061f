/**
 * The cycle's report as text, within 100 columns: a row per application (its reason wrapped, never cut),
 * the invalid configurations field by field, the demo's scripted notes apart from the outcomes, the
 * cost of the cycle, and the invariants (ok, FAIL, or not checked).
 */
import type { DispatchReport, RunRecord } from '@flink-snapshots/core';
import type { CycleResult } from './cycle';
import type { DemoApplication } from './demo-fleet';
import type { InvariantCheck } from './invariants';

/** Width of every line of the report. */
export const REPORT_WIDTH = 100;

/** Words of `text` in lines of at most `width` (a longer word stands alone on its line). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines.flatMap((l) => (l.length <= width ? [l] : (l.match(new RegExp(`.{1,${width}}`, 'g')) ?? [])));
}

/**
 * A table whose last column takes what is left of the width and wraps onto indented continuation lines;
 * the other columns are as wide as their widest cell. A last cell that would take more than two lines
 * there goes on lines of its own under the row, nearly the whole width, so a long reason stays readable.
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const fixed = headers
    .slice(0, -1)
    .map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const indent = fixed.reduce((sum, w) => sum + w + 2, 0);
  const last = Math.max(20, REPORT_WIDTH - indent);
  const render = (cells: readonly string[]): string[] => {
    const head = cells
      .slice(0, -1)
      .map((cell, i) => cell.padEnd(fixed[i] ?? 0))
      .join('  ');
    const tail = wrap(cells.at(-1) ?? '', last);
    if (tail.length > 2) {
      return [head.trimEnd(), ...wrap(cells.at(-1) ?? '', REPORT_WIDTH - 4).map((part) => `    ${part}`)];
    }
    return tail.map((part, i) => `${i === 0 ? head : ''.padEnd(head.length)}  ${part}`.trimEnd());
  };
  const rule = [...fixed, Math.min(last, (headers.at(-1) ?? '').length)].map((w) => '-'.repeat(w));
  return [...render(headers), rule.join('  '), ...rows.flatMap(render)].join('\n');
}

function deleted(run: RunRecord | undefined): string {
  const prune = run?.prune;
  if (prune === undefined) return '';
  const failed = prune.failed.length > 0 ? ` (${prune.failed.length} failed)` : '';
  const deferred = prune.deferred > 0 ? ` (${prune.deferred} deferred)` : '';
  return prune.dryRun ? `would ${prune.deleted.length}` : `${prune.deleted.length}${failed}${deferred}`;
}

function why(run: RunRecord | undefined): string {
  if (run === undefined) return '';
  const error = run.error?.message;
  const waited = run.deferredReason === undefined ? '' : ` (waited: ${run.deferredReason})`;
  return `${run.reason ?? error ?? run.notes?.[0] ?? ''}${waited}`.trim();
}

/** A snapshot's duration as the polls bound it: `35 s`, or `240–300 s`. */
function took(run: RunRecord): string {
  if (run.snapshotDurationMs === undefined) return '';
  const max = Math.round(run.snapshotDurationMs / 1000);
  const min = Math.round((run.snapshotDurationMinMs ?? run.snapshotDurationMs) / 1000);
  return min >= max ? `${max} s` : `${min}–${max} s`;
}

/** Handler milliseconds per application: its records in the worker, plus its share of the dispatcher's tick. */
export function busyMsByApplication(result: CycleResult): Map<string, number> {
  const busy = new Map<string, number>();
  for (const record of result.records) {
    if (record.appKey === undefined) continue;
    busy.set(record.appKey, (busy.get(record.appKey) ?? 0) + record.durationMs);
  }
  const share = (result.tick?.durationMs ?? 0) / Math.max(1, result.dispatch.configsRead);
  for (const run of result.runs) busy.set(run.appKey, (busy.get(run.appKey) ?? 0) + share);
  return busy;
}

/** One row per application of the cycle: what happened and why, in words a person can act on. */
export function renderRuns(result: CycleResult): string {
  const busy = busyMsByApplication(result);
  const dead = new Set(result.deadLetters.map((d) => d.appKey));
  const rows = [...result.runs]
    .sort((a, b) => (a.appKey < b.appKey ? -1 : 1))
    .map((run) => [
      run.appKey,
      dead.has(run.appKey) ? `${run.state} (DLQ)` : run.state,
      took(run),
      deleted(run),
      (busy.get(run.appKey) ?? 0).toFixed(0),
      why(run),
    ]);
  return table(['tenant/application', 'state', 'took', 'deleted', 'busy ms', 'reason'], rows);
}

/** Every invalid configuration by name, each problem on its own line: field, value received, expected. */
export function renderInvalid(dispatch: DispatchReport): string {
  const lines: string[] = [];
  for (const { parameter, problems } of dispatch.invalidParameters) {
    lines.push(...wrap(parameter, REPORT_WIDTH));
    for (const problem of problems) {
      lines.push(...wrap(problem, REPORT_WIDTH - 4).map((line, i) => `${i === 0 ? '  - ' : '    '}${line}`));
    }
  }
  const unnamed = dispatch.invalid - dispatch.invalidParameters.length;
  if (unnamed > 0)
    lines.push(`… and ${unnamed} more (the report names the first ${dispatch.invalidParameters.length})`);
  return lines.join('\n');
}

/** The demo's scripted notes: what each application was set up to show (not what happened). */
export function renderStories(stories: readonly DemoApplication[]): string {
  return table(
    ['tenant/application', 'set up to show'],
    stories.map((story) => [`${story.tenant}/${story.key}`, story.story]),
  );
}

/** API calls by operation (total and per application), handler time, wall time. */
export function renderCost(result: CycleResult): string {
  const applications = Math.max(1, result.runs.length);
  const rows: string[][] = [];
  for (const [service, operations] of Object.entries(result.calls.services).sort()) {
    for (const [operation, count] of Object.entries(operations).sort()) {
      rows.push([`${service}:${operation}`, String(count), (count / applications).toFixed(2)]);
    }
  }
  const busy = [...busyMsByApplication(result).values()].sort((a, b) => a - b);
  const total = busy.reduce((a, b) => a + b, 0);
  const median = busy[Math.floor(busy.length / 2)] ?? 0;
  const lines = [
    table(['operation', 'calls', `per application (${applications})`], rows),
    '',
    `API calls by the handlers: ${result.calls.total} (${(result.calls.total / applications).toFixed(1)} per application)`,
    `handler busy time: ${total.toFixed(0)} ms in all; per application median ${median.toFixed(1)} ms, max ${(busy.at(-1) ?? 0).toFixed(1)} ms`,
    `worker invocations: ${result.invocations.length} for ${result.records.length} records; dispatcher: ${(result.tick?.durationMs ?? 0).toFixed(0)} ms`,
    `wall time: ${(result.wallMs / 1000).toFixed(2)} s for ${(result.simulatedMs / 1000).toFixed(0)} simulated s`,
  ];
  return lines.join('\n');
}

/** The invariants: `ok`, `FAIL` with what broke them, or `n/a` when this process could not check one. */
export function renderInvariants(checks: readonly InvariantCheck[]): string {
  return checks
    .map((check) => {
      const mark = !check.checked ? 'n/a ' : check.ok ? 'ok  ' : 'FAIL';
      const head = wrap(`${check.id}. ${check.name}`, REPORT_WIDTH - 5).map(
        (line, i) => `${i === 0 ? mark : '    '} ${line}`,
      );
      const detail = check.detail.flatMap((d) => wrap(d, REPORT_WIDTH - 7).map((line) => `       ${line}`));
      return [...head, ...detail].join('\n');
    })
    .join('\n');
}
