/** Prints a cycle to the terminal: a live progress line while it runs, then the report. */
import type { CycleProgress, CycleResult } from './cycle';
import type { DemoApplication } from './demo-fleet';
import type { InvariantCheck } from './invariants';
import {
  REPORT_WIDTH,
  renderCost,
  renderInvalid,
  renderInvariants,
  renderRuns,
  renderStories,
  wrap,
} from './report';

/** A progress callback: one line rewritten in place on a terminal, a line a second otherwise. */
export function progressLine(stream: NodeJS.WriteStream = process.stderr): (progress: CycleProgress) => void {
  let lastPrinted = 0;
  return (p) => {
    const text = `run ${p.runId}: ${p.terminal}/${p.runs} runs ended · ${p.deadLettered} in DLQ · ${p.invocations} worker invocations · ${(p.elapsedMs / 1000).toFixed(1)} s`;
    if (stream.isTTY) {
      stream.write(`\r${text.padEnd(100)}`);
    } else if (p.elapsedMs - lastPrinted >= 1000 || p.terminal === p.runs) {
      lastPrinted = p.elapsedMs;
      stream.write(`${text}\n`);
    }
  };
}

/** The whole report; returns true when no invariant broke. */
export function presentCycle(
  result: CycleResult,
  checks: readonly InvariantCheck[],
  stories?: readonly DemoApplication[],
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): boolean {
  if (process.stderr.isTTY) process.stderr.write('\n');
  const d = result.dispatch;
  out('');
  for (const line of wrap(
    `Cycle ${result.runId}: ${d.configsRead} configurations read, ${d.invalid} invalid, ${d.due} due, ${d.enqueued} enqueued, ${d.disabled} disabled, ${d.stale} stale, ${d.resent} sent again`,
    REPORT_WIDTH,
  )) {
    out(line);
  }
  out('');
  out(renderRuns(result));
  if (d.invalidParameters.length > 0) {
    out('');
    out('Invalid configurations (fix the parameter; the others ran)');
    out(renderInvalid(d));
  }
  if (stories !== undefined && stories.length > 0) {
    out('');
    out('Demo notes: what each application was set up to show (scripted, not an outcome)');
    out(renderStories(stories));
  }
  out('');
  out('Cost of the cycle');
  out(renderCost(result));
  out('');
  out('Invariants (README, "How it works")');
  out(renderInvariants(checks));
  if (result.deadLetters.length > 0) {
    out('');
    for (const line of wrap(
      `${result.deadLetters.length} message(s) in the DLQ ${result.resources.dlqUrl}: see "Runbook: messages in the dead-letter queue" in the README (inspect, fix, redrive).`,
      REPORT_WIDTH,
    )) {
      out(line);
    }
  }
  return checks.every((check) => check.ok);
}
