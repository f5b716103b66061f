/** Prints a cycle to the terminal: a live progress line while it runs, then the report. */
import type { CycleProgress, CycleResult } from './cycle';
import type { DemoApplication } from './demo-fleet';
import type { InvariantCheck } from './invariants';
import { renderCost, renderInvariants, renderRuns } from './report';

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

/** The whole report; returns true when every invariant held. */
export function presentCycle(
  result: CycleResult,
  checks: readonly InvariantCheck[],
  stories?: readonly DemoApplication[],
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): boolean {
  if (process.stderr.isTTY) process.stderr.write('\n');
  const d = result.dispatch;
  out('');
  out(
    `Cycle ${result.runId}: ${d.configsRead} configurations read, ${d.invalid} invalid, ${d.due} due, ${d.enqueued} enqueued, ${d.disabled} disabled`,
  );
  out('');
  out(renderRuns(result, stories));
  out('');
  out('Cost of the cycle');
  out(renderCost(result));
  out('');
  out('Invariants (DESIGN.md)');
  out(renderInvariants(checks));
  if (result.deadLetters.length > 0) {
    out('');
    out(
      `${result.deadLetters.length} message(s) in the DLQ ${result.resources.dlqUrl}: see the README's DLQ runbook (inspect, fix, redrive with StartMessageMoveTask).`,
    );
  }
  return checks.every((check) => check.ok);
}
