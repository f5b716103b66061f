/** `dlq list` (dead letters read without consuming them) and `dlq redrive` (back to the work queue). */
import { inspectDeadLetters, type RedriveTask } from '@flink-snapshots/core';
import type { Stage } from '../context';
import { CliError, ExitCode } from '../errors';
import { colors, compactRelative, printJson, println, progress, renderTable, WIDTH, wrap } from '../output';

export async function dlqListCommand(stage: Stage, options: { readonly max: number }): Promise<void> {
  const letters = await inspectDeadLetters(
    { deadLetters: stage.deadLetters, runs: stage.adapters.runs },
    options.max,
  );
  if (stage.options.json) {
    printJson({ queueUrl: stage.descriptor.deadLetterQueueUrl, deadLetters: letters });
    return;
  }
  if (letters.length === 0) {
    println('The dead-letter queue is empty.');
    return;
  }
  const now = stage.now;
  println(
    renderTable(
      [
        { head: 'APPLICATION', width: 24 },
        { head: 'RUN', width: 25 },
        { head: 'STEP', width: 9 },
        { head: 'RUN STATE', width: 19 },
        { head: 'ATTEMPTS', width: 9 },
        { head: 'SENT', width: 12 },
      ],
      letters.map((letter) => {
        const run = letter.run;
        const error = run?.lastRetryableError ?? run?.error;
        const notes: string[] = [];
        if (letter.unreadable !== undefined)
          notes.push(colors.red(`not a work message: ${letter.unreadable}`));
        if (error !== undefined) notes.push(`last error: ${colors.red(`${error.name}: ${error.message}`)}`);
        else if (letter.runId !== undefined && run === undefined)
          notes.push('its run is not in the runs table (expired?)');
        return {
          cells: [
            letter.appKey ?? '?',
            letter.runId ?? '?',
            letter.step ?? '?',
            run?.state ?? '-',
            `${run?.attempts ?? '-'} / ${letter.receiveCount}`,
            letter.sentAt === undefined ? '-' : compactRelative(letter.sentAt, now),
          ],
          notes,
        };
      }),
    ),
  );
  println();
  println(
    wrap(
      `${letters.length} dead letter(s). ATTEMPTS: failed deliveries the run recorded / SQS receives (reading the DLQ counts as a receive too). Fix the cause, then \`flink-snapshots dlq redrive\`.`,
      WIDTH,
    ).join('\n'),
  );
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

export async function dlqRedriveCommand(
  stage: Stage,
  options: { readonly wait?: boolean; readonly timeout: number },
): Promise<void> {
  const depth = await stage.deadLetters.depth();
  if (depth === 0) {
    if (stage.options.json) printJson({ started: false, moved: 0, reason: 'the dead-letter queue is empty' });
    else println('The dead-letter queue is empty: nothing to redrive.');
    return;
  }
  const started = await stage.deadLetters.redrive();
  progress(`redrive started: ${depth} message(s) back to the work queue`);
  let task: RedriveTask = started;
  if (options.wait) {
    const until = Date.now() + options.timeout * 1000;
    for (;;) {
      const [latest] = await stage.deadLetters.redriveTasks();
      if (latest !== undefined) task = latest;
      progress(`redrive ${task.status}: ${task.moved} of ${task.toMove ?? depth} moved`);
      if (TERMINAL.has(task.status)) break;
      if (Date.now() >= until) {
        if (stage.options.json) printJson({ started: true, waited: true, task });
        throw new CliError(
          `The redrive did not finish within ${options.timeout} s; it goes on in SQS: \`flink-snapshots dlq list\` shows what is left`,
          ExitCode.TIMED_OUT,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  if (stage.options.json) printJson({ started: true, waited: options.wait === true, task });
  else if (options.wait)
    println(`Redrive ${task.status}: ${task.moved} message(s) moved back to the work queue.`);
  else
    println(`Redrive started: ${depth} message(s) moving back to the work queue. Add --wait to follow it.`);
  if (task.status === 'FAILED') {
    throw new CliError(`The redrive failed: ${task.failureReason ?? 'no reason given'}`, ExitCode.FAILED);
  }
}
