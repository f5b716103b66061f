/**
 * What operators read of a stage (the `flink-snapshots` command): every application's status, an
 * application's runs, and the dead letters with the runs they belong to. Read only: nothing here
 * writes, sends or deletes.
 */
import type { AppConfig } from '../domain/config';
import { configPathPrefix } from '../domain/config';
import { type FreshnessState, freshnessObjectiveMinutes, judgeFreshness } from '../domain/freshness';
import { formatIssue } from '../domain/issues';
import type { QuotaStatus } from '../domain/retention';
import type { RunError, RunRecord, ScheduleEntry } from '../domain/run-record';
import type { RunState, RunTrigger } from '../domain/run-state';
import {
  decideSchedule,
  describeSchedule,
  nextSlot,
  ScheduleOutcome,
  scheduledApp,
} from '../domain/schedule';
import { parseWorkMessage } from '../domain/work-message';
import type { DeadLetterQueue, Deps } from '../ports';
import { mapWithConcurrency } from './concurrency';
import { admitConfigs, type PipelineSettings, readAdmission } from './dispatch';

/** Runs read per application for its status: the newest, and the newest that pruned (its quota). */
const STATUS_RUNS = 20;
const READ_CONCURRENCY = 10;

export interface AppStatus {
  readonly appKey: string;
  readonly tenant: string;
  readonly application: string;
  /** The SSM parameter; undefined for a pointer whose parameter is gone (a removed application). */
  readonly parameter?: string | undefined;
  /** The configuration's problems, in the dispatcher's words; empty when it is valid. */
  readonly problems: readonly string[];
  readonly enabled?: boolean | undefined;
  readonly paused?: boolean | undefined;
  /** The schedule in words. */
  readonly schedule?: string | undefined;
  /** Minutes between runs, when the application runs on an interval rather than a cron schedule. */
  readonly intervalMinutes?: number | undefined;
  /** The schedule in a few characters: `every 60 min`, `cron 0 2 * * * Europe/Berlin`. */
  readonly scheduleShort?: string | undefined;
  readonly lastRun?:
    | {
        readonly runId: string;
        readonly state: RunState;
        readonly at: number;
        readonly trigger?: RunTrigger | undefined;
        readonly reason?: string | undefined;
        readonly error?: RunError | undefined;
      }
    | undefined;
  /** Creation time of the newest READY snapshot known (epoch ms). */
  readonly newestReadyAt?: number | undefined;
  readonly freshness?:
    | {
        readonly state: FreshnessState;
        readonly ageMinutes?: number | undefined;
        readonly objectiveMinutes: number;
      }
    | undefined;
  /** When its next run is due (epoch ms); `now` when it is due on the next tick. */
  readonly nextDueAt?: number | undefined;
  /** The snapshot count against MSF's quota, as the last pruning run saw it. */
  readonly quota?: (QuotaStatus & { readonly runId: string }) | undefined;
}

export interface StatusInput extends PipelineSettings {
  readonly now: number;
}

/**
 * Every application of the stage, valid or not, and every pointer whose parameter is gone: its
 * configuration judged as the dispatcher judges it, its last run, freshness, next slot and quota.
 */
export async function fleetStatus(
  deps: Pick<Deps, 'configs' | 'runs' | 'log'>,
  input: StatusInput,
): Promise<AppStatus[]> {
  const [admission, schedule] = await Promise.all([readAdmission(deps, input), deps.runs.readSchedule()]);
  const rows: (Omit<AppStatus, 'lastRun' | 'quota'> & { config?: AppConfig })[] = [];
  for await (const page of deps.configs.pages(configPathPrefix(input.stage))) {
    const { valid, invalid } = admitConfigs(page, admission);
    for (const config of valid) rows.push(validStatus(config, schedule.get(config.appKey), input));
    for (const { parameter, error } of invalid) {
      const appKey = error.appKey ?? parameter.name;
      rows.push({
        appKey,
        tenant: error.tenant ?? '(unknown)',
        application: appKey.slice(appKey.lastIndexOf('/') + 1),
        parameter: parameter.name,
        problems: error.issues.map(formatIssue),
      });
    }
  }
  const known = new Set(rows.map((row) => row.appKey));
  for (const entry of schedule.values()) {
    if (known.has(entry.appKey)) continue;
    const [tenant = '(unknown)', application = entry.appKey] = entry.appKey.split('/');
    rows.push({ appKey: entry.appKey, tenant, application, problems: [] });
  }
  rows.sort((a, b) => (a.appKey < b.appKey ? -1 : a.appKey > b.appKey ? 1 : 0));
  return mapWithConcurrency(rows, READ_CONCURRENCY, async ({ config: _config, ...row }) => {
    const runs = await deps.runs.listByApplication(row.appKey, STATUS_RUNS);
    const last = runs[0];
    const pruned = runs.find((run) => run.prune !== undefined);
    return {
      ...row,
      lastRun:
        last === undefined
          ? undefined
          : {
              runId: last.runId,
              state: last.state,
              at: last.at[last.state] ?? last.updatedAt,
              trigger: last.trigger,
              reason: last.reason,
              error: last.error,
            },
      quota: pruned?.prune === undefined ? undefined : { ...pruned.prune.quota, runId: pruned.runId },
    };
  });
}

function validStatus(
  config: AppConfig,
  entry: ScheduleEntry | undefined,
  input: StatusInput,
): Omit<AppStatus, 'lastRun' | 'quota'> & { config: AppConfig } {
  const { now, tickMinutes } = input;
  const app = scheduledApp(config);
  const objectiveMinutes = freshnessObjectiveMinutes(config, now);
  const verdict = judgeFreshness(entry ?? {}, objectiveMinutes, now);
  const decision = decideSchedule({ ...app, lastRunAt: entry?.lastRunAt }, now, tickMinutes);
  // The slot the dispatcher recorded on its last tick; without one, what the schedule says now.
  const nextDueAt =
    entry?.nextSlotAt !== undefined
      ? Math.max(entry.nextSlotAt, now)
      : decision.outcome === ScheduleOutcome.DUE
        ? now
        : 'until' in decision && decision.until !== undefined
          ? decision.until
          : nextSlot(app, entry?.lastRunAt ?? now, tickMinutes);
  return {
    config,
    appKey: config.appKey,
    tenant: config.tenant,
    application: config.applicationName,
    parameter: config.parameter,
    problems: [],
    enabled: config.enabled,
    paused: config.paused,
    schedule: describeSchedule(app, tickMinutes),
    intervalMinutes: config.schedule === undefined ? config.intervalMinutes : undefined,
    scheduleShort:
      config.schedule === undefined
        ? `every ${config.intervalMinutes} min`
        : `cron ${config.schedule.cron}${config.schedule.timezone === 'UTC' ? '' : ` ${config.schedule.timezone}`}`,
    newestReadyAt: entry?.lastReadyAt,
    freshness: {
      state: verdict.state,
      ageMinutes: verdict.ageMs === undefined ? undefined : Math.floor(verdict.ageMs / 60_000),
      objectiveMinutes,
    },
    nextDueAt,
  };
}

/** An application's runs, newest first (its scheduling pointer left out). */
export async function runHistory(
  deps: Pick<Deps, 'runs'>,
  appKey: string,
  limit: number,
): Promise<RunRecord[]> {
  return deps.runs.listByApplication(appKey, limit);
}

/** A dead letter with the run it belongs to. */
export interface DeadLetterReport {
  readonly messageId: string;
  readonly receiveCount: number;
  readonly sentAt?: number | undefined;
  readonly appKey?: string | undefined;
  readonly runId?: string | undefined;
  readonly step?: string | undefined;
  /** Why the body is not a work message, when it is not one. */
  readonly unreadable?: string | undefined;
  readonly run?:
    | {
        readonly state: RunState;
        readonly attempts?: number | undefined;
        readonly lastRetryableError?: RunError | undefined;
        readonly error?: RunError | undefined;
        readonly reason?: string | undefined;
      }
    | undefined;
}

/** The dead letters (up to `max`, none consumed), each with its run's attempts and last error. */
export async function inspectDeadLetters(
  deps: { readonly deadLetters: DeadLetterQueue; readonly runs: Deps['runs'] },
  max: number,
): Promise<DeadLetterReport[]> {
  const letters = await deps.deadLetters.peek(max);
  return mapWithConcurrency(letters, READ_CONCURRENCY, async (letter) => {
    const base = { messageId: letter.messageId, receiveCount: letter.receiveCount, sentAt: letter.sentAt };
    const parsed = parseWorkMessage(letter.body, letter.messageId);
    if (!parsed.ok) return { ...base, unreadable: parsed.error.message };
    const { appKey, runId, step } = parsed.message;
    const run = await deps.runs.get({ appKey, runId });
    return {
      ...base,
      appKey,
      runId,
      step,
      run:
        run === undefined
          ? undefined
          : {
              state: run.state,
              attempts: run.attempts,
              lastRetryableError: run.lastRetryableError,
              error: run.error,
              reason: run.reason,
            },
    };
  });
}
