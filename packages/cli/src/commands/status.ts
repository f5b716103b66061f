/** `status`: one line per application, with the reason to act on under it. */
import { type AppStatus, fleetStatus, RunState } from '@flink-snapshots/core';
import type { Stage } from '../context';
import {
  colors,
  compact,
  compactRelative,
  duration,
  isoUtc,
  paintState,
  printJson,
  println,
  renderTable,
  WIDTH,
  wrap,
} from '../output';

export interface StatusOptions {
  readonly tenant?: string;
  readonly stale?: boolean;
  readonly failing?: boolean;
}

const FAILING: readonly string[] = [RunState.FAILED, RunState.TIMED_OUT];

export async function statusCommand(stage: Stage, options: StatusOptions): Promise<void> {
  const all = await fleetStatus(stage.deps, { ...stage.settings, now: stage.now });
  const shown = all.filter(
    (row) =>
      (options.tenant === undefined || row.tenant === options.tenant) &&
      (!options.stale || row.freshness?.state === 'stale') &&
      (!options.failing || row.problems.length > 0 || FAILING.includes(row.lastRun?.state ?? '')),
  );
  if (stage.options.json) {
    printJson({ stage: stage.descriptor.stage, now: stage.now, applications: shown });
    return;
  }
  if (shown.length === 0) {
    println(
      all.length === 0 ? `No applications on stage ${stage.descriptor.stage}.` : 'No application matches.',
    );
    return;
  }
  const now = stage.now;
  println(
    renderTable(
      [
        { head: 'APPLICATION', width: 26 },
        { head: 'ON', width: 4 },
        { head: 'SCHEDULE', width: 13 },
        { head: 'LAST RUN', width: 20 },
        { head: 'NEWEST READY', width: 14 },
        { head: 'NEXT', width: 11 },
        { head: 'QUOTA', width: 10 },
      ],
      shown.map((row) => ({ cells: cells(row, now), notes: notes(row) })),
    ),
  );
  const stale = all.filter((row) => row.freshness?.state === 'stale').length;
  const invalid = all.filter((row) => row.problems.length > 0).length;
  println();
  println(
    wrap(
      `${all.length} applications on ${stage.descriptor.stage}; ${stale} stale, ${invalid} with an invalid configuration (as of ${isoUtc(now)})`,
      WIDTH,
    ).join('\n'),
  );
}

function cells(row: AppStatus, now: number): string[] {
  const name = row.appKey;
  if (row.parameter === undefined)
    return [name, '-', colors.dim('(removed)'), lastRun(row, now), '-', '-', quota(row)];
  if (row.problems.length > 0)
    return [name, '-', colors.red('invalid'), lastRun(row, now), '-', '-', quota(row)];
  const on = row.paused ? colors.yellow('paused') : row.enabled ? 'yes' : colors.yellow('no');
  return [name, on, scheduleOf(row), lastRun(row, now), freshness(row), next(row, now), quota(row)];
}

/** `every 24h`, `cron 0 2 * * * Europe/Berlin`. */
function scheduleOf(row: AppStatus): string {
  if (row.intervalMinutes !== undefined) return `every ${compact(row.intervalMinutes * 60_000)}`;
  return row.scheduleShort ?? '-';
}

function lastRun(row: AppStatus, now: number): string {
  if (row.lastRun === undefined) return colors.dim('never');
  return `${paintState(row.lastRun.state)} ${compactRelative(row.lastRun.at, now)}`;
}

function freshness(row: AppStatus): string {
  const f = row.freshness;
  if (f === undefined) return '-';
  const age = f.ageMinutes === undefined ? 'none' : compact(f.ageMinutes * 60_000);
  const text = `${age}/${compact(f.objectiveMinutes * 60_000)}`;
  return f.state === 'stale'
    ? colors.red(text)
    : f.state === 'grace'
      ? colors.yellow(text)
      : colors.green(text);
}

function next(row: AppStatus, now: number): string {
  if (row.nextDueAt === undefined || row.enabled === false || row.paused) return '-';
  return row.nextDueAt <= now ? 'next tick' : compactRelative(row.nextDueAt, now);
}

function quota(row: AppStatus): string {
  if (row.quota === undefined) return '-';
  const text = `${row.quota.total}/${row.quota.limit}`;
  return row.quota.full ? colors.red(text) : row.quota.warning ? colors.yellow(text) : text;
}

/** What the reader must act on, each on its own line: configuration problems, or why the last run failed. */
function notes(row: AppStatus): string[] {
  if (row.parameter === undefined)
    return [
      colors.dim('no parameter: the application was removed; its runs and pointer stay until their TTL'),
    ];
  if (row.problems.length > 0) return row.problems.map((problem) => `${colors.red('config:')} ${problem}`);
  const run = row.lastRun;
  const out: string[] = [];
  if (run !== undefined && run.state !== RunState.COMPLETED && (run.reason ?? run.error) !== undefined) {
    // The reason usually quotes the error already; the error is added when it says more.
    const error =
      run.error === undefined || (run.reason ?? '').includes(run.error.message)
        ? ''
        : ` (${run.error.name}: ${run.error.message})`;
    out.push(`${paintState(run.state)} ${run.runId}: ${run.reason ?? ''}${error}`.trim());
  }
  if (row.freshness?.state === 'stale') {
    out.push(
      colors.red(
        `stale: newest READY snapshot older than the objective of ${duration(row.freshness.objectiveMinutes * 60_000)}`,
      ),
    );
  }
  return out;
}
