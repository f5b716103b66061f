/** The cycle's report as text: a row per application, the cost of the cycle, and the invariants. */
import type { RunRecord } from '@flink-snapshots/core';
import type { CycleResult } from './cycle';
import type { DemoApplication } from './demo-fleet';
import type { InvariantCheck } from './invariants';

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
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
  return run.reason ?? error ?? run.notes?.[0] ?? '';
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

/** One row per application of the cycle. */
export function renderRuns(result: CycleResult, stories?: readonly DemoApplication[]): string {
  const busy = busyMsByApplication(result);
  const dead = new Map(result.deadLetters.map((d) => [d.appKey, d]));
  const rows = [...result.runs]
    .sort((a, b) => (a.appKey < b.appKey ? -1 : 1))
    .map((run) => {
      const [tenant = '', application = run.application] = run.appKey.split('/');
      const letter = dead.get(run.appKey);
      const state = letter ? `${run.state} (in DLQ)` : run.state;
      const duration = run.snapshotDurationMs === undefined ? '' : (run.snapshotDurationMs / 1000).toFixed(0);
      const story = stories?.find((s) => `${s.tenant}/${s.key}` === run.appKey)?.story;
      return [
        tenant,
        application,
        state,
        run.snapshotName ?? '',
        duration,
        deleted(run),
        (busy.get(run.appKey) ?? 0).toFixed(1),
        truncate(why(run) || story || '', 140),
      ];
    });
  return table(
    ['tenant', 'application', 'state', 'snapshot', 'took s', 'deleted', 'busy ms', 'reason'],
    rows,
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

export function renderInvariants(checks: readonly InvariantCheck[]): string {
  return checks
    .map((check) => {
      const head = `${check.ok ? 'ok  ' : 'FAIL'} ${check.id}. ${check.name}`;
      return [head, ...check.detail.map((d) => `       ${d}`)].join('\n');
    })
    .join('\n');
}
