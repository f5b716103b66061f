/** `history` (an application's runs, newest first) and `show` (one run whole: its audit trail). */
import { type RunRecord, RunState, runHistory } from '@flink-snapshots/core';
import { parseAppRef } from '../app-key';
import type { Stage } from '../context';
import { CliError, ExitCode } from '../errors';
import {
  colors,
  compactRelative,
  duration,
  isoUtc,
  paintState,
  printJson,
  println,
  renderFields,
  renderTable,
  WIDTH,
  when,
  wrap,
} from '../output';

export async function historyCommand(stage: Stage, app: string, options: { limit: number }): Promise<void> {
  const ref = parseAppRef(app);
  const runs = await runHistory(stage.deps, ref.appKey, options.limit);
  if (stage.options.json) {
    printJson({ appKey: ref.appKey, runs });
    return;
  }
  if (runs.length === 0) {
    throw new CliError(
      `No runs of ${ref.appKey} on stage ${stage.descriptor.stage}; check the name with \`flink-snapshots status\``,
      ExitCode.NOT_FOUND_OR_INVALID,
    );
  }
  const now = stage.now;
  println(
    renderTable(
      [
        { head: 'RUN', width: 25 },
        { head: 'TRIGGER', width: 9 },
        { head: 'STATE', width: 19 },
        { head: 'ENDED', width: 28 },
        { head: 'DELETED', width: 8 },
        { head: 'QUOTA', width: 10 },
      ],
      runs.map((run) => {
        const ended = run.at[run.state] ?? run.updatedAt;
        const notes: string[] = [];
        if (run.reason !== undefined && run.state !== 'COMPLETED') notes.push(run.reason);
        if (run.error !== undefined) notes.push(colors.red(`${run.error.name}: ${run.error.message}`));
        return {
          cells: [
            run.runId,
            run.trigger ?? 'schedule',
            paintState(run.state),
            `${isoUtc(ended).slice(0, 16)}Z ${colors.dim(compactRelative(ended, now))}`,
            run.prune === undefined ? '-' : String(run.prune.deleted.length),
            run.prune === undefined ? '-' : `${run.prune.quota.total}/${run.prune.quota.limit}`,
          ],
          notes,
        };
      }),
    ),
  );
}

export async function showCommand(stage: Stage, app: string, runId: string): Promise<void> {
  const ref = parseAppRef(app);
  const run = await stage.adapters.runs.get({ appKey: ref.appKey, runId });
  if (run === undefined || run.runId === 'SCHEDULE') {
    throw new CliError(
      `No run ${runId} of ${ref.appKey} on stage ${stage.descriptor.stage}; list them with \`flink-snapshots history ${ref.appKey}\``,
      ExitCode.NOT_FOUND_OR_INVALID,
    );
  }
  if (stage.options.json) {
    printJson(run);
    return;
  }
  println(describeRun(run, stage.now));
}

/** One run whole, as sections of `key: value` lines. */
export function describeRun(run: RunRecord, now: number): string {
  const sections: string[] = [];
  sections.push(
    renderFields([
      ['Run', `${run.runId} of ${run.appKey} (application ${run.application})`],
      ['Trigger', run.trigger ?? 'schedule'],
      ['State', paintState(run.state)],
      ['Reason', run.reason],
      ['Error', run.error === undefined ? undefined : colors.red(`${run.error.name}: ${run.error.message}`)],
      ['Parameter', run.parameter],
      ['Snapshot', run.snapshotName],
      [
        'Duration',
        run.snapshotDurationMs === undefined
          ? undefined
          : `between ${duration(run.snapshotDurationMinMs ?? 0)} and ${duration(run.snapshotDurationMs)} (bounded by the polls: ${run.polls ?? 0})`,
      ],
      ['App version', run.applicationVersionId === undefined ? undefined : String(run.applicationVersionId)],
      ['Restore from', run.restoreSnapshotName],
      [
        'Attempts',
        run.attempts === undefined ? undefined : `${run.attempts} failed deliveries (SQS redelivered them)`,
      ],
      [
        'Last retryable',
        run.lastRetryableError === undefined
          ? undefined
          : `${run.lastRetryableError.name}: ${run.lastRetryableError.message}`,
      ],
      ['Resends', run.resends === undefined ? undefined : String(run.resends)],
      [
        'Deferred',
        run.deferredUntil === undefined
          ? undefined
          : `until ${when(run.deferredUntil, now)}: ${run.deferredReason ?? ''}`,
      ],
      ['Notes', run.notes === undefined || run.notes.length === 0 ? undefined : run.notes.join('\n')],
      ['Alerted', run.alertedAt === undefined ? undefined : when(run.alertedAt, now)],
      ['Expires', when(run.expiresAt * 1000, now)],
    ]),
  );
  const states = Object.values(RunState).filter((state) => run.at[state] !== undefined);
  sections.push(
    `${colors.bold('States')}\n${renderFields(states.map((state) => [`  ${state}`, when(run.at[state], now)]))}`,
  );
  const prune = run.prune;
  if (prune !== undefined) {
    const lines = [
      `${colors.bold('Prune')}${prune.dryRun ? ' (dry run: nothing was deleted)' : ''}: ${prune.deleted.length} deleted, ${prune.kept} kept, ${prune.failed.length} failed, ${prune.deferred} deferred; quota ${prune.quota.total}/${prune.quota.limit}${prune.quota.warning ? colors.yellow(' (warning)') : ''}, ${prune.quota.afterPrune} after pruning`,
    ];
    for (const deleted of prune.deleted) {
      lines.push(
        `  - ${deleted.name} (${isoUtc(deleted.createdAt)}, v${deleted.applicationVersionId}) ${deleted.reason}: ${deleted.detail}`,
      );
    }
    for (const failed of prune.failed) {
      lines.push(colors.red(`  ! ${failed.name} (${failed.reason}) not deleted: ${failed.error}`));
    }
    for (const [reason, kept] of Object.entries(prune.keptBy ?? {})) {
      if (kept === undefined) continue;
      lines.push(
        `  = kept ${kept.count} (${reason}): ${kept.names.join(', ')}${kept.count > kept.names.length ? ', …' : ''}`,
      );
    }
    // Each line wrapped within WIDTH, continuation lines under the snapshot name.
    sections.push(
      lines
        .flatMap((line) => wrap(line, WIDTH).map((part, i) => (i === 0 ? part : `      ${part}`)))
        .join('\n'),
    );
  }
  const alerts = run.pendingAlerts ?? [];
  if (alerts.length > 0) {
    sections.push(
      `${colors.bold('Alerts pending')}\n${alerts.map((a) => `  ${a.event} (${a.severity}): ${a.reason}`).join('\n')}`,
    );
  }
  return sections.join('\n\n');
}
