/**
 * `snapshot` (now, outside the schedule) and `restore` (to a snapshot, the newest, or the newest before a
 * time): core's requestSnapshot / awaitRun and planRestore / restoreApplication, the same worker and
 * safety checks as everything else. A restore prints its plan and asks before it acts.
 */
import { createInterface } from 'node:readline/promises';
import {
  awaitRun,
  planRestore,
  type RestorePlan,
  type RestoreSelector,
  RunState,
  requestSnapshot,
  restoreApplication,
} from '@flink-snapshots/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseAppRef } from '../app-key';
import type { Stage } from '../context';
import { CliError, ExitCode } from '../errors';
import {
  colors,
  duration,
  isoUtc,
  paintState,
  printJson,
  println,
  progress,
  renderFields,
  say,
  WIDTH,
  when,
  wrap,
} from '../output';
import { describeRun } from './history';

const ENDED_WELL: readonly string[] = [RunState.COMPLETED];

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a whole number of seconds >= 1');
  return n;
}

function instant(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new InvalidArgumentError(
      'expected an ISO 8601 instant with its offset, such as 2026-11-29T12:00:00Z',
    );
  }
  return ms;
}

export function registerOperatorCommands(program: Command, stage: () => Promise<Stage>): void {
  program
    .command('snapshot')
    .description('take a snapshot now, outside the schedule (the schedule is unchanged)')
    .argument('<tenant/app>', 'the application')
    .option('--wait', 'wait for the run to end (progress on stderr); exit 1 unless it COMPLETED')
    .option('--timeout <seconds>', 'give up waiting after this long', seconds, 1800)
    .action(async (app, options) => snapshotCommand(await stage(), app, options));

  program
    .command('restore')
    .description(
      'restore an application from a snapshot: prints the plan, asks, stops it and starts it from the snapshot',
    )
    .argument('<tenant/app>', 'the application')
    .addOption(new Option('--snapshot <name>', 'this snapshot').conflicts(['latest', 'before']))
    .addOption(new Option('--latest', 'the newest READY snapshot').conflicts(['snapshot', 'before']))
    .addOption(
      new Option('--before <time>', 'the newest READY snapshot created before this instant (ISO 8601)')
        .argParser(instant)
        .conflicts(['snapshot', 'latest']),
    )
    .option('--allow-non-restored-state', 'drop state the program no longer maps (AllowNonRestoredState)')
    .option('--allow-version-mismatch', 'restore a snapshot of another application version')
    .option('--dry-run', 'print the plan and do nothing')
    .option('--yes', 'do not ask (required when stdin is not a terminal)')
    .option(
      '--wait',
      'follow the stop and the start until done (a restore always does; bounded by --timeout)',
    )
    .option('--timeout <seconds>', 'bound of the whole restore', seconds, 1800)
    .action(async (app, options) => restoreCommand(await stage(), app, options));
}

async function snapshotCommand(
  stage: Stage,
  app: string,
  options: { readonly wait?: boolean; readonly timeout: number },
): Promise<void> {
  const ref = parseAppRef(app);
  const { runId } = await requestSnapshot(stage.deps, {
    ...stage.settings,
    appKey: ref.appKey,
    now: stage.now,
  });
  const key = { appKey: ref.appKey, runId };
  if (!options.wait) {
    if (stage.options.json)
      printJson({ appKey: ref.appKey, runId, state: RunState.DISPATCHED, waited: false });
    else {
      say(`Snapshot requested: run ${runId} of ${ref.appKey} is on the work queue.`);
      say(`Follow it with \`flink-snapshots show ${ref.appKey} ${runId}\`, or ask again with --wait.`);
    }
    return;
  }
  progress(`run ${runId} of ${ref.appKey} requested; waiting up to ${options.timeout} s`);
  const run = await awaitRun(stage.deps, key, {
    timeoutMs: options.timeout * 1000,
    onProgress: (seen) => progress(`run ${runId}: ${seen.state}`),
  });
  if (stage.options.json) printJson({ appKey: ref.appKey, runId, state: run.state, waited: true, run });
  else println(describeRun(run, stage.deps.clock.now()));
  if (!ENDED_WELL.includes(run.state)) {
    throw new CliError(
      `Run ${runId} of ${ref.appKey} ended ${run.state}: ${run.reason ?? 'see above'}`,
      ExitCode.FAILED,
    );
  }
}

interface RestoreOptions {
  readonly snapshot?: string;
  readonly latest?: boolean;
  readonly before?: number;
  readonly allowNonRestoredState?: boolean;
  readonly allowVersionMismatch?: boolean;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly timeout: number;
}

function selectorOf(options: RestoreOptions): RestoreSelector {
  if (options.snapshot !== undefined) return { snapshot: options.snapshot };
  if (options.latest) return { latest: true };
  if (options.before !== undefined) return { before: options.before };
  throw new CliError(
    'Which snapshot? Pass one of --snapshot NAME, --latest or --before TIME',
    ExitCode.USAGE,
  );
}

function renderPlan(plan: RestorePlan, now: number): string {
  const s = plan.snapshot;
  const fields = renderFields([
    ['Application', `${plan.application} (${plan.appKey}), ${plan.status}, version ${plan.currentVersionId}`],
    ['Snapshot', `${s.name}, created ${when(s.createdAt, now)}, ${duration(s.ageMs)} old`],
    ['Made by', s.runId === undefined ? 'not this tool' : `run ${s.runId} (${s.trigger ?? 'schedule'})`],
    [
      'Version',
      plan.versionMismatch
        ? colors.red(`snapshot of version ${s.applicationVersionId}, application at ${plan.currentVersionId}`)
        : `${s.applicationVersionId} (same as the application)`,
    ],
    ['Stop', plan.stop.detail],
    ['Then', `StartApplication with RESTORE_FROM_CUSTOM_SNAPSHOT ${s.name}, wait for RUNNING`],
    [
      'Restore now',
      plan.current.restoreType === undefined
        ? undefined
        : `${plan.current.restoreType}${plan.current.restoreSnapshotName === undefined ? '' : ` ${plan.current.restoreSnapshotName}`}`,
    ],
  ]);
  const warnings = plan.warnings
    .map((w) =>
      wrap(`${colors.yellow('!')} ${w}`, WIDTH - 4)
        .map((line, i) => `${i === 0 ? '  ' : '    '}${line}`)
        .join('\n'),
    )
    .join('\n');
  return `${colors.bold('Restore plan')} (as of ${isoUtc(plan.plannedAt)})\n${fields}\n${colors.bold('Warnings')}\n${warnings}`;
}

async function confirm(plan: RestorePlan): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(
      `Type the application name (${plan.application}) to stop it and restore it from ${plan.snapshot.name}: `,
    );
    return answer.trim() === plan.application;
  } finally {
    rl.close();
  }
}

async function restoreCommand(stage: Stage, app: string, options: RestoreOptions): Promise<void> {
  const ref = parseAppRef(app);
  const selector = selectorOf(options);
  const plan = await planRestore(stage.deps, {
    ...stage.settings,
    appKey: ref.appKey,
    selector,
    now: stage.now,
  });
  if (options.dryRun) {
    if (stage.options.json) printJson({ plan, restored: false, dryRun: true });
    else {
      println(renderPlan(plan, stage.now));
      println('\nDry run: nothing was done.');
    }
    return;
  }
  if (!stage.options.json) println(renderPlan(plan, stage.now));
  if (plan.versionMismatch && !options.allowVersionMismatch) {
    if (stage.options.json) printJson({ plan, restored: false, refused: 'version mismatch' });
    throw new CliError(
      `Refused: snapshot ${plan.snapshot.name} is of application version ${plan.snapshot.applicationVersionId}, the application is at ${plan.currentVersionId}; pass --allow-version-mismatch to restore it anyway`,
      ExitCode.REFUSED,
    );
  }
  if (!options.yes) {
    if (!process.stdin.isTTY) {
      if (stage.options.json) printJson({ plan, restored: false, refused: 'needs --yes' });
      throw new CliError(
        'Refused: stdin is not a terminal, so nobody can confirm; pass --yes to restore without asking',
        ExitCode.REFUSED,
      );
    }
    if (!(await confirm(plan))) throw new CliError('Not confirmed: nothing was done', ExitCode.REFUSED);
  }
  const result = await restoreApplication(stage.deps, plan, {
    allowNonRestoredState: options.allowNonRestoredState,
    allowVersionMismatch: options.allowVersionMismatch,
    timeoutMs: options.timeout * 1000,
    onProgress: (step) => progress(`${step.runId} ${step.state}: ${step.message}`),
  });
  if (stage.options.json) printJson({ plan, restored: result.state === RunState.COMPLETED, result });
  else {
    println(
      `\nRestore run ${result.runId}: ${paintState(result.state)}${result.reason === undefined ? '' : ` — ${result.reason}`}`,
    );
    if (result.previousRestorePoint !== undefined)
      println(`Previous restore point ${result.previousRestorePoint} is no longer pinned as one.`);
  }
  if (result.state !== RunState.COMPLETED) {
    throw new CliError(`Restore of ${ref.appKey} ended ${result.state}`, ExitCode.FAILED);
  }
}
