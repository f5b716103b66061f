/**
 * `flink-snapshots`: the operators' command line. Every command finds its stage through the deployment
 * parameter and acts through core's use cases and adapters, the same the Lambdas run.
 */
import {
  ApplicationNotConfiguredError,
  ConfigError,
  isPermanent,
  isRetryable,
  RestoreRefusedError,
  WaitTimedOutError,
} from '@flink-snapshots/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { getCommand, listCommand, putCommand, validateCommand } from './commands/config';
import { dlqListCommand, dlqRedriveCommand } from './commands/dlq';
import { historyCommand, showCommand } from './commands/history';
import { registerOperatorCommands } from './commands/operator';
import { pinCommand } from './commands/pin';
import { statusCommand } from './commands/status';
import { type GlobalOptions, openStage } from './context';
import { CliError, ExitCode } from './errors';
import { colors, WIDTH, wrap } from './output';

const EXIT_CODES = `Exit codes:
  0  ok
  1  the action failed (an AWS call failed, a run ended FAILED or TIMED_OUT, a redrive failed)
  2  usage error (unknown command or option, malformed argument)
  3  not found or invalid (stage, application, run, snapshot; an invalid configuration)
  4  refused (a restore's safety check, confirmation declined, or --yes needed without a terminal)
  5  timed out waiting (the action goes on)`;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
}

function instant(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(ms))
    throw new InvalidArgumentError('expected an ISO 8601 instant such as 2026-11-29T12:00:00Z');
  return ms;
}

export function buildProgram(): Command {
  const program = new Command('flink-snapshots')
    .description(
      'Operate a stage of flink-snapshots: status, history, snapshot now, restore, pins, configuration and the DLQ.\nFinds the stage by its deployment parameter /flink-snapshots/<stage>/deployment; uses the usual AWS credential chain, and AWS_ENDPOINT_URL when set (the local AWS).',
    )
    .addOption(
      new Option('--stage <stage>', 'the stage to operate').env('FLINK_SNAPSHOTS_STAGE').default('local'),
    )
    .option('--region <region>', "the stage's region (default: AWS_REGION or your profile's)")
    .option('--json', 'print the result as JSON on stdout (every read command)')
    .addOption(new Option('--now <instant>', 'judge times as of this instant (ISO 8601)').argParser(instant))
    .showHelpAfterError()
    .addHelpText('after', `\n${EXIT_CODES}`)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(colors.red(text)) });

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  const stage = () => openStage(globals());

  program
    .command('status')
    .description('one line per application: schedule, last run, freshness, next run, quota, and what to fix')
    .option('--tenant <tenant>', "only this tenant's applications")
    .option('--stale', 'only applications without a READY snapshot within their objective')
    .option('--failing', 'only applications whose last run failed or whose configuration is invalid')
    .action(async (options) => statusCommand(await stage(), options));

  program
    .command('history')
    .description("an application's runs, newest first")
    .argument('<tenant/app>', 'the application, as its parameter name spells it')
    .option('--limit <n>', 'runs to show', positiveInt, 20)
    .action(async (app, options) => historyCommand(await stage(), app, options));

  program
    .command('show')
    .description('one run whole: states with times, snapshot, duration, pruned and kept snapshots, errors')
    .argument('<tenant/app>', 'the application')
    .argument('<runId>', 'the run (see history)')
    .action(async (app, runId) => showCommand(await stage(), app, runId));

  const config = program.command('config').description("applications' configuration parameters");
  config
    .command('validate')
    .description("check a document with the dispatcher's parser; shows the next runs")
    .argument('[file]', 'the JSON document, or - (default) for stdin')
    .option(
      '--app <tenant/app>',
      'validate as this application of the stage (stage defaults, tenant registry, caps)',
    )
    .action(async (file, options) => validateCommand(globals(), stage, file, options));
  config
    .command('get')
    .description("an application's parameter, or its effective configuration")
    .argument('<tenant/app>', 'the application')
    .option('--effective', 'with stage and tenant defaults applied, and where each field came from')
    .action(async (app, options) => getCommand(await stage(), app, options));
  config
    .command('put')
    .description('validate, show what changes, and write (nothing is written when invalid)')
    .argument('<tenant/app>', 'the application')
    .argument('[file]', 'the JSON document, or - (default) for stdin')
    .option('--dry-run', 'validate and show the changes, write nothing')
    .action(async (app, file, options) => putCommand(await stage(), app, file, options));
  config
    .command('list')
    .description('every configuration of the stage, judged as the dispatcher judges it')
    .option('--invalid', 'only invalid ones, with their problems')
    .action(async (options) => listCommand(await stage(), options));

  program
    .command('pin')
    .description('keep a snapshot whatever the retention policy says (reason pinned)')
    .argument('<tenant/app>', 'the application')
    .argument('<snapshot>', 'the snapshot name (it must exist)')
    .action(async (app, snapshot) => pinCommand(await stage(), app, snapshot, true));
  program
    .command('unpin')
    .description('let retention decide about a pinned snapshot again')
    .argument('<tenant/app>', 'the application')
    .argument('<snapshot>', 'the pinned snapshot')
    .action(async (app, snapshot) => pinCommand(await stage(), app, snapshot, false));

  const dlq = program.command('dlq').description("the work queue's dead-letter queue");
  dlq
    .command('list')
    .description("each dead letter with its run's attempts and last error (read without consuming)")
    .option('--max <n>', 'dead letters to read at most', positiveInt, 100)
    .action(async (options) => dlqListCommand(await stage(), options));
  dlq
    .command('redrive')
    .description('move every dead letter back to the work queue (SQS message move task)')
    .option('--wait', 'follow the move until it ends (progress on stderr)')
    .option('--timeout <seconds>', 'give up waiting after this long', positiveInt, 300)
    .action(async (options) => dlqRedriveCommand(await stage(), options));

  registerOperatorCommands(program, stage);
  return program;
}

/** Runs the command line and returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.OK;
  } catch (error) {
    return report(error);
  }
}

/** `error: …` on stderr, wrapped within WIDTH. */
function printError(message: string): void {
  const lines = wrap(`error: ${message}`, WIDTH).map((line, i) => (i === 0 ? line : `  ${line}`));
  process.stderr.write(`${colors.red(lines.join('\n'))}\n`);
}

/** The exit code of a domain error that is the operator's to fix, not a failure of the action. */
function domainExit(error: unknown): ExitCode | undefined {
  if (error instanceof ApplicationNotConfiguredError || error instanceof ConfigError)
    return ExitCode.NOT_FOUND_OR_INVALID;
  if (error instanceof RestoreRefusedError) return ExitCode.REFUSED;
  if (error instanceof WaitTimedOutError) return ExitCode.TIMED_OUT;
  return undefined;
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version end with 0; everything else commander refuses is a usage error.
    return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  }
  const mapped = domainExit(error);
  if (mapped !== undefined) {
    printError((error as Error).message);
    return mapped;
  }
  if (error instanceof CliError) {
    printError(error.message);
    for (const detail of error.details) process.stderr.write(`  ${detail}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const hint = isRetryable(error)
    ? ' (retryable: try again)'
    : isPermanent(error)
      ? ''
      : /credential/i.test(message)
        ? ' (no AWS credentials: configure a profile, or set AWS_PROFILE / AWS_ACCESS_KEY_ID)'
        : '';
  printError(`${message}${hint}`);
  if (process.env.FLINK_SNAPSHOTS_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return ExitCode.FAILED;
}
