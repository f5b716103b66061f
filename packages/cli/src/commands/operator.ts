/** `snapshot` and `restore`: operator actions through core's manual-run and restore use cases. */
import type { Command } from 'commander';
import type { Stage } from '../context';
import { CliError, ExitCode } from '../errors';

export function registerOperatorCommands(program: Command, stage: () => Promise<Stage>): void {
  program
    .command('snapshot')
    .description('take a snapshot now, outside the schedule (the schedule is unchanged)')
    .argument('<tenant/app>', 'the application')
    .option('--wait', 'wait for the run to end (progress on stderr)')
    .action(async () => {
      await stage();
      throw new CliError('snapshot is not available in this build', ExitCode.FAILED);
    });
}
