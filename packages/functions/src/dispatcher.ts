/** The dispatcher Lambda: on each schedule tick, enqueue one snapshot run per due application. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type DispatchInput, type DispatchReport, dispatch } from '@flink-snapshots/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { type Adapters, createAdapters, logOf, metricsOf } from './deps';
import { dispatchSettings, loadEnv } from './env';

export interface DispatcherDeps {
  readonly adapters: Adapters;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Everything a tick needs but the tick itself: stage, tick length, deployment, tenant mode. */
  readonly dispatch: Omit<DispatchInput, 'tick'>;
}

export type DispatcherHandler = (event: ScheduledEvent, context: Context) => Promise<DispatchReport>;

/** The handler over injected dependencies: the runId is the scheduled tick's minute (`event.time`). */
export function createHandler(deps: DispatcherDeps): DispatcherHandler {
  return async (event, context) => {
    const tick = Date.parse(event.time);
    if (Number.isNaN(tick)) {
      throw new Error(
        `scheduled event ${event.id} has time ${JSON.stringify(event.time)}; expected an ISO 8601 timestamp`,
      );
    }
    deps.logger.addContext(context);
    try {
      return await dispatch(
        { ...deps.adapters, log: logOf(deps.logger), metrics: metricsOf(deps.metrics) },
        { ...deps.dispatch, tick },
      );
    } finally {
      // A step that changed nothing (a duplicate delivery) has nothing to publish: no empty-metrics warning.
      if (deps.metrics.hasStoredMetrics()) deps.metrics.publishStoredMetrics();
    }
  };
}

let live: DispatcherHandler | undefined;

/** Lambda entry point: dependencies are built once per execution environment, on its first event. */
export const handler: DispatcherHandler = (event, context) => {
  live ??= (() => {
    const env = loadEnv(process.env);
    return createHandler({
      adapters: createAdapters(env),
      logger: new Logger(),
      metrics: new Metrics(),
      dispatch: dispatchSettings(env),
    });
  })();
  return live(event, context);
};
