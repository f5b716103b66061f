/** The worker Lambda: one step of a run per SQS record, with partial batch failures. */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { processWorkMessage, type WorkOutcome } from '@flink-snapshots/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type CallTally, tallyCalls } from './call-timing';
import { type Adapters, createAdapters, logOf, metricsOf } from './deps';
import { loadEnv } from './env';

/** What one record cost, for whoever is watching (the local runtime's cost summary). */
export interface RecordReport {
  readonly messageId: string;
  readonly appKey?: string | undefined;
  readonly step?: string | undefined;
  readonly durationMs: number;
  /** AWS calls the record made and the milliseconds they took, retries included. */
  readonly apiCalls: number;
  readonly apiMs: number;
  readonly outcome?: WorkOutcome | undefined;
  readonly error?: unknown;
}

export interface WorkerDeps {
  readonly adapters: Adapters;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly onRecord?: (report: RecordReport) => void;
}

export type WorkerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** Keys for the record's log lines, read leniently: a malformed body still gets logged. */
function keysOf(body: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const keys: Record<string, string> = {};
    for (const name of ['tenant', 'application', 'appKey', 'runId', 'step'] as const) {
      const value = (parsed as Record<string, unknown>)[name];
      if (typeof value === 'string') keys[name] = value;
    }
    return keys;
  } catch {
    return {};
  }
}

/** The handler over injected dependencies. Retryable errors fail only their record; permanent ones are recorded. */
export function createHandler(deps: WorkerDeps): WorkerHandler {
  const processor = new BatchProcessor(EventType.SQS);
  const metrics = metricsOf(deps.metrics);
  return async (event, context) => {
    deps.logger.addContext(context);
    const recordHandler = async (record: SQSRecord): Promise<WorkOutcome> => {
      const keys = keysOf(record.body);
      const logger = deps.logger.createChild({ persistentKeys: { ...keys, messageId: record.messageId } });
      const started = performance.now();
      const tally: CallTally = { calls: 0, ms: 0 };
      let outcome: WorkOutcome | undefined;
      let failure: unknown;
      try {
        outcome = await tallyCalls(tally, () =>
          processWorkMessage(
            { ...deps.adapters, log: logOf(logger), metrics },
            record.body,
            record.messageId,
            {
              remainingMs: () => context.getRemainingTimeInMillis(),
            },
          ),
        );
        return outcome;
      } catch (error) {
        failure = error;
        logger.warn('record failed, SQS will redeliver it', { error });
        throw error;
      } finally {
        const durationMs = performance.now() - started;
        logger.info('record processed', {
          outcome,
          durationMs: Math.round(durationMs),
          apiCalls: tally.calls,
          apiMs: Math.round(tally.ms),
        });
        deps.onRecord?.({
          messageId: record.messageId,
          appKey: keys.appKey,
          step: keys.step,
          durationMs,
          apiCalls: tally.calls,
          apiMs: tally.ms,
          outcome,
          error: failure,
        });
      }
    };
    try {
      return await processPartialResponse(event, recordHandler, processor, {
        context,
        throwOnFullBatchFailure: false,
      });
    } finally {
      // A step that changed nothing (a duplicate delivery) has nothing to publish: no empty-metrics warning.
      if (deps.metrics.hasStoredMetrics()) deps.metrics.publishStoredMetrics();
    }
  };
}

let live: WorkerHandler | undefined;

/** Lambda entry point: dependencies are built once per execution environment, on its first event. */
export const handler: WorkerHandler = (event, context) => {
  live ??= (() => {
    const env = loadEnv(process.env);
    return createHandler({ adapters: createAdapters(env), logger: new Logger(), metrics: new Metrics() });
  })();
  return live(event, context);
};
