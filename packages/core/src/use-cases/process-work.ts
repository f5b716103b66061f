import { MetricName, RUN_ENDINGS, severityOf } from '../domain/alerts';
import {
  type InvalidMessageError,
  isRetryable,
  PermanentError,
  type RetryableError,
  SnapshotQuotaExceededError,
} from '../domain/errors';
import { RunState, statesLeadingTo } from '../domain/run-state';
import { parseWorkMessage, type WorkMessage, WorkStep } from '../domain/work-message';
import type { Deps } from '../ports';
import { endRun } from './end-run';
import { recordWithAlert, runError } from './notify';
import { runPollStep } from './poll-step';
import { runSnapshotStep, type StepContext, type StepOutcome } from './snapshot-step';

/** States a permanent failure can end a run from: every state the transition table lets fail. */
const FAILABLE = statesLeadingTo(RunState.FAILED);

/** Where malformed messages are recorded: one item per SQS message id under this application key. */
export const INVALID_MESSAGES_KEY = '(invalid)/messages';

export type WorkOutcome = StepOutcome | 'invalid-message';

/**
 * Handles one work message. Retryable errors are thrown (the record fails, SQS redelivers it, and after
 * maxReceiveCount it lands in the DLQ with an alarm). Permanent errors end the run FAILED, are alerted,
 * and the message is consumed. A malformed body is recorded and alerted once, and consumed.
 */
export async function processWorkMessage(
  deps: Deps,
  body: string,
  messageId: string,
  context: StepContext,
): Promise<WorkOutcome> {
  const parsed = parseWorkMessage(body, messageId);
  if (!parsed.ok) {
    await recordInvalidMessage(deps, body, messageId, parsed.error);
    return 'invalid-message';
  }
  const message = parsed.message;
  try {
    return message.step === WorkStep.SNAPSHOT
      ? await runSnapshotStep(deps, message, context)
      : await runPollStep(deps, message, context);
  } catch (error) {
    if (isRetryable(error)) {
      await noteRetry(deps, message, error);
      throw error;
    }
    if (!(error instanceof PermanentError)) throw error;
    return await failRun(deps, message, error);
  }
}

/**
 * Counts a retryable failure on the run (its attempts and last error answer "why is it in the DLQ?") and
 * in the metrics, then lets the original error go on to SQS. Counting is best effort: a failure to count
 * must not replace the error SQS retries on.
 */
async function noteRetry(deps: Deps, message: WorkMessage, error: RetryableError): Promise<void> {
  deps.metrics.count(MetricName.STEP_RETRIED);
  try {
    await deps.runs.noteRetry(
      { appKey: message.appKey, runId: message.runId },
      runError(error),
      deps.clock.now(),
    );
  } catch (failure) {
    deps.log.warn('could not count the retry on the run', { error: runError(failure) });
  }
}

async function failRun(deps: Deps, message: WorkMessage, error: PermanentError): Promise<StepOutcome> {
  const reason =
    error instanceof SnapshotQuotaExceededError
      ? `snapshot quota reached: ${error.message}`
      : `${message.step} step: ${error.message}`;
  return endRun(
    deps,
    message,
    FAILABLE,
    RunState.FAILED,
    { reason, error: runError(error) },
    {
      level: 'error',
      message: 'run failed',
    },
  );
}

async function recordInvalidMessage(
  deps: Deps,
  body: string,
  messageId: string,
  error: InvalidMessageError,
): Promise<void> {
  const now = deps.clock.now();
  // Keyed by the SQS message id: a redelivery of the same message finds it recorded and alerts no more.
  const runId = messageId;
  const reason = `malformed work message ${messageId}: ${body.slice(0, 1024)}`;
  deps.log.error('malformed work message', { messageId, error: runError(error) });
  const created = await recordWithAlert(
    deps,
    {
      appKey: INVALID_MESSAGES_KEY,
      runId,
      tenant: '(unknown)',
      application: '(unknown)',
      state: RunState.FAILED,
      reason,
      error: runError(error),
    },
    {
      event: 'message-invalid',
      severity: severityOf('message-invalid'),
      tenant: '(unknown)',
      application: '(unknown)',
      appKey: INVALID_MESSAGES_KEY,
      runId,
      state: RunState.FAILED,
      reason: `work message ${messageId} is malformed and was dropped after being recorded`,
      error: runError(error),
    },
    now,
  );
  if (created) deps.metrics.count(RUN_ENDINGS[RunState.FAILED].metric);
}
