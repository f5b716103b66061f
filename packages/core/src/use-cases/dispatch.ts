import { MetricName, RUN_ENDINGS, severityOf } from '../domain/alerts';
import {
  type AppConfig,
  configPathPrefix,
  parseAppConfig,
  parseStageDefaults,
  type StageDefaultsResult,
} from '../domain/config';
import { type DefaultsLayer, stageDefaultsParameterName } from '../domain/defaults';
import { ConfigError } from '../domain/errors';
import { FreshnessState, freshnessObjectiveMinutes, judgeFreshness } from '../domain/freshness';
import { formatIssue, IssueKind, renderValue } from '../domain/issues';
import type { ScheduleEntry } from '../domain/run-record';
import { RunState, RunTrigger, runIdFromTick } from '../domain/run-state';
import { hashKey, nextSlot, planTick, scheduledApp } from '../domain/schedule';
import {
  admitApplication,
  type Deployment,
  readTenantRegistry,
  type TenantMode,
  type TenantRegistry,
  tenantDefaultsLayer,
  tenantRegistryPrefix,
} from '../domain/tenant';
import { buildSnapshotMessage, chunkSendBatches, workMessageEntry } from '../domain/work-message';
import type { ConfigParameter, Deps } from '../ports';
import { mapWithConcurrency } from './concurrency';
import { recordWithAlert, runAlert, runError } from './notify';

export interface DispatchInput {
  readonly stage: string;
  /** The schedule tick (epoch ms): the runId derives from it. */
  readonly tick: number;
  readonly tickMinutes: number;
  /** Where the pipeline runs: what each configuration's account, region and role are judged against. */
  readonly deployment: Deployment;
  /** Whether every tenant needs a registry entry. */
  readonly tenantMode: TenantMode;
}

export interface DispatchReport {
  readonly runId: string;
  readonly configsRead: number;
  /** Parameters that are not valid configurations. */
  readonly invalid: number;
  /** Of those, the ones recorded and alerted on this tick (a new version of the parameter). */
  readonly invalidReported: number;
  readonly due: number;
  /** Disabled applications whose slot came due, recorded as SKIPPED. */
  readonly disabled: number;
  readonly enqueued: number;
  /** Due applications whose run for this tick had already advanced (a repeated tick). */
  readonly alreadyRunning: number;
  /** Runs of earlier ticks still DISPATCHED with no delivery, whose snapshot message was sent again. */
  readonly resent: number;
  /** Enabled applications without a READY snapshot within their objective. */
  readonly stale: number;
  /** Pointers of applications whose parameter is gone, deleted on this tick (those holding pins stay). */
  readonly forgotten: number;
  /** Age in minutes of the oldest newest-READY snapshot among enabled applications (0 when none). */
  readonly maxSnapshotAgeMinutes: number;
  /** The invalid parameters by name with their problems (the first 50). */
  readonly invalidParameters: readonly { readonly parameter: string; readonly problems: readonly string[] }[];
}

/**
 * Pages of configurations dispatched at once while the next pages are read: SSM serves
 * GetParametersByPath at 40 TPS, so the run-table writes and sends of earlier pages overlap the reads.
 */
const PAGES_IN_FLIGHT = 8;
/** Run-table writes at once within a page (a page holds at most 10 parameters). */
const WRITE_CONCURRENCY = 10;

/** Invalid parameters named in a report; the rest are counted. */
const REPORTED_INVALID = 50;
/** A run still DISPATCHED this long after its tick, never received by a worker, is sent again. */
export const RESEND_AFTER_MS = 10 * 60_000;
/** At most this many resends per run; older runs than RECONCILE_WINDOW_MS are left to the DLQ alarm. */
const MAX_RESENDS = 2;
const RECONCILE_WINDOW_MS = 24 * 3_600_000;
/** An application on its way to RUNNING is waited for until its next slot, and at most an hour. */
const MAX_SETTLE_MS = 3_600_000;
/** Recent snapshot durations kept on the pointer. */
const DURATIONS_KEPT = 5;

type PageCounts = Omit<DispatchReport, 'runId' | 'forgotten' | 'maxSnapshotAgeMinutes' | 'invalidParameters'>;

const NO_COUNTS: PageCounts = {
  configsRead: 0,
  invalid: 0,
  invalidReported: 0,
  due: 0,
  disabled: 0,
  enqueued: 0,
  alreadyRunning: 0,
  resent: 0,
  stale: 0,
};

/** The report of a tick that dispatched nothing (e.g. one whose dispatcher failed): its runId, nothing counted. */
export function emptyDispatchReport(runId: string): DispatchReport {
  return { runId, ...NO_COUNTS, forgotten: 0, maxSnapshotAgeMinutes: 0, invalidParameters: [] };
}

interface PageResult {
  readonly counts: PageCounts;
  /** The pointer key of every parameter of the page, valid or not. */
  readonly appKeys: readonly string[];
  readonly maxSnapshotAgeMinutes: number;
  readonly invalidParameters: DispatchReport['invalidParameters'];
}

export interface ParsedParameters {
  readonly valid: AppConfig[];
  readonly invalid: { readonly parameter: ConfigParameter; readonly error: ConfigError }[];
}

/** The dispatcher's settings other than its tick: what a configuration is parsed and admitted against. */
export type PipelineSettings = Omit<DispatchInput, 'tick'>;

/**
 * What parsing and admitting configurations needs: the pipeline's settings, the tenant registry, the
 * stage defaults, and each tenant's configurations admitted so far (the application cap counts them).
 */
export interface Admission {
  readonly input: PipelineSettings;
  readonly registry: TenantRegistry;
  /** The stage defaults every configuration inherits (undefined when there are none). */
  readonly stageLayer: StageDefaultsResult | undefined;
  readonly admitted: Map<string, number>;
}

/** Reads the tenant registry and the stage defaults: an Admission with nothing admitted yet. */
export async function readAdmission(
  deps: Pick<Deps, 'configs' | 'log'>,
  input: PipelineSettings,
): Promise<Admission> {
  const [registryParameters, stageDefaults] = await Promise.all([
    deps.configs.readAll(tenantRegistryPrefix(input.stage)),
    deps.configs.get(stageDefaultsParameterName(input.stage)),
  ]);
  const registry = readTenantRegistry(registryParameters, { stage: input.stage, mode: input.tenantMode });
  for (const error of registry.unnamed)
    deps.log.warn('invalid tenant registry entry', { error: error.message });
  const stageLayer = readStageLayer(stageDefaults, input.stage);
  if (stageLayer !== undefined && !stageLayer.ok) {
    // Every configuration inherits from it: none is dispatched until it is fixed, and each says why.
    deps.log.error('invalid stage defaults', { error: stageLayer.error.message });
  }
  return { input, registry, stageLayer, admitted: new Map() };
}

/**
 * Parses a page of parameters, then admits each valid configuration against the tenant registry and the
 * deployment; what is not admitted is invalid too, with the reason as its issues. Synchronous, and called
 * in page order: `admission.admitted` counts each tenant's configurations in the order SSM returns them.
 * The dispatcher and the operator's commands (a manual snapshot, a restore) read configurations through it.
 */
export function admitConfigs(parameters: readonly ConfigParameter[], tick: Admission): ParsedParameters {
  const { input, registry, admitted } = tick;
  const valid: AppConfig[] = [];
  const invalid: ParsedParameters['invalid'] = [];
  for (const parameter of parameters) {
    const layers = layersOf(tick, parameter.name);
    if (!Array.isArray(layers)) {
      invalid.push({ parameter, error: layers });
      continue;
    }
    const result = parseAppConfig(parameter.name, parameter.value, { ...input, layers }, parameter.type);
    if (!result.ok) {
      invalid.push({ parameter, error: result.error });
      continue;
    }
    const config = result.config;
    const ordinal = (admitted.get(config.tenant) ?? 0) + 1;
    admitted.set(config.tenant, ordinal);
    const issues = admitApplication(config, input.deployment, registry, ordinal);
    if (issues.length === 0) {
      valid.push(config);
      continue;
    }
    const { tenant, appKey } = config;
    invalid.push({
      parameter,
      error: new ConfigError({ parameter: parameter.name, issues, tenant, appKey }),
    });
  }
  return { valid, invalid };
}

/**
 * What a parameter's configuration inherits, least specific first: the stage defaults, then its tenant's
 * registry entry's; or the error saying the stage defaults are invalid (nothing inherits from them then).
 */
export function layersOf(tick: Admission, parameter: string): DefaultsLayer[] | ConfigError {
  const layers: DefaultsLayer[] = [];
  if (tick.stageLayer !== undefined) {
    if (!tick.stageLayer.ok) {
      const error = tick.stageLayer.error;
      return new ConfigError({
        parameter,
        issues: [
          {
            field: '(stage defaults)',
            kind: IssueKind.CONSTRAINT,
            value: renderValue(error.parameter),
            expected: `valid stage defaults, which every application inherits; an administrator must fix ${error.parameter}: ${error.issues.map(formatIssue).join('; ')}`,
          },
        ],
        ...tenantOf(tick.input.stage, parameter),
      });
    }
    layers.push(tick.stageLayer.layer);
  }
  const tenant = tenantOf(tick.input.stage, parameter).tenant;
  const entry = tenant === undefined ? undefined : tick.registry.entries.get(tenant);
  if (entry !== undefined) layers.push(tenantDefaultsLayer(entry));
  return layers;
}

/** The tenant and application key a parameter name spells, if it spells them. */
function tenantOf(stage: string, parameter: string): { tenant?: string; appKey?: string } {
  const [tenant, app, ...rest] = parameter.slice(configPathPrefix(stage).length).split('/');
  if (
    tenant === undefined ||
    app === undefined ||
    rest.length > 0 ||
    !parameter.startsWith(configPathPrefix(stage))
  )
    return {};
  return { tenant, appKey: `${tenant}/${app}` };
}

/** The stage defaults parameter, parsed; undefined when there is none. */
function readStageLayer(
  parameter: ConfigParameter | undefined,
  stage: string,
): StageDefaultsResult | undefined {
  if (parameter === undefined) return undefined;
  return parseStageDefaults(parameter.name, parameter.value, { stage, type: parameter.type });
}

interface Tick extends Admission {
  readonly input: DispatchInput;
  readonly runId: string;
  readonly now: number;
  readonly schedule: ReadonlyMap<string, ScheduleEntry>;
}

/**
 * One dispatcher tick: reads every configuration, records and alerts invalid ones, selects the due
 * applications, records each run DISPATCHED and enqueues one snapshot message per application. A repeated
 * tick (the scheduler retrying) re-sends only the runs no worker has taken yet. Pages are dispatched as
 * they arrive, several at once.
 */
export async function dispatch(deps: Deps, input: DispatchInput): Promise<DispatchReport> {
  const [schedule, admission] = await Promise.all([deps.runs.readSchedule(), readAdmission(deps, input)]);
  const tick: Tick = {
    ...admission,
    input,
    runId: runIdFromTick(input.tick),
    now: deps.clock.now(),
    schedule,
  };
  const totals = { ...NO_COUNTS };
  let maxSnapshotAgeMinutes = 0;
  const invalidParameters: DispatchReport['invalidParameters'][number][] = [];
  const inFlight = new Set<Promise<void>>();
  const seen = new Set<string>();
  let failure: { readonly error: unknown } | undefined;
  for await (const page of deps.configs.pages(configPathPrefix(input.stage))) {
    if (failure) break;
    const task: Promise<void> = dispatchPage(deps, tick, page).then(
      (result) => {
        for (const key of Object.keys(totals) as (keyof PageCounts)[]) totals[key] += result.counts[key];
        maxSnapshotAgeMinutes = Math.max(maxSnapshotAgeMinutes, result.maxSnapshotAgeMinutes);
        for (const appKey of result.appKeys) seen.add(appKey);
        invalidParameters.push(...result.invalidParameters);
      },
      (error: unknown) => {
        failure ??= { error };
      },
    );
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
    if (inFlight.size >= PAGES_IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  // A failed page fails the tick: the scheduler retries it, and the repeat re-sends what is still DISPATCHED.
  if (failure) throw failure.error;
  const forgotten = await forgetRemoved(deps, schedule, seen);

  deps.metrics.count(MetricName.DISPATCHED, totals.enqueued);
  deps.metrics.count(MetricName.CONFIG_INVALID, totals.invalid);
  // Published on every tick, zeros included: the freshness alarm treats a missing datapoint as breaching.
  deps.metrics.count(MetricName.STALE_APPLICATIONS, totals.stale);
  deps.metrics.gauge(MetricName.SNAPSHOT_AGE_MAX, maxSnapshotAgeMinutes, 'None');
  const report: DispatchReport = {
    runId: tick.runId,
    ...totals,
    forgotten,
    maxSnapshotAgeMinutes,
    invalidParameters: invalidParameters
      .sort((a, b) => (a.parameter < b.parameter ? -1 : 1))
      .slice(0, REPORTED_INVALID),
  };
  const { invalidParameters: _named, ...counts } = report;
  deps.log.info('dispatched', counts);
  return report;
}

/**
 * Deletes the pointers of applications whose parameter this tick did not read (every page was read: a
 * failed read fails the tick first), so removed applications are not read on every tick for ever. A
 * pointer that holds pins or a restore point stays (`status` shows it as removed).
 */
async function forgetRemoved(
  deps: Deps,
  schedule: ReadonlyMap<string, ScheduleEntry>,
  seen: ReadonlySet<string>,
): Promise<number> {
  const removed = [...schedule.keys()].filter((appKey) => !seen.has(appKey));
  const forgotten = await mapWithConcurrency(removed, WRITE_CONCURRENCY, (appKey) =>
    deps.runs.forget(appKey),
  );
  const count = forgotten.filter(Boolean).length;
  if (removed.length > 0)
    deps.log.info('forgot removed applications', { removed: removed.length, forgotten: count });
  return count;
}

async function dispatchPage(deps: Deps, tick: Tick, page: readonly ConfigParameter[]): Promise<PageResult> {
  const { input, runId, now, schedule } = tick;
  const { valid, invalid } = admitConfigs(page, tick);
  const invalidReported = await reportInvalid(deps, invalid, tick);
  const enabled = valid.filter((config) => config.enabled);
  const freshness = await watchFreshness(deps, tick, enabled);
  const resent = await resendLostRuns(deps, tick, enabled);

  const candidates = valid.map((config) => {
    const entry = schedule.get(config.appKey);
    // A repeated tick finds its own runId as the last run: the application is due again, and the
    // conditional create below decides whether its run still needs sending.
    const lastRunAt = entry?.lastRunId === runId ? undefined : entry?.lastRunAt;
    return { ...scheduledApp(config), lastRunAt, config };
  });
  const plan = planTick(candidates, input.tick, input.tickMinutes);
  const { due } = plan;
  // Disabled, or a slot a "skip" blackout drops: recorded SKIPPED once per slot, with the reason.
  const disabled = [...plan.disabled, ...plan.skipped];
  const reasonOf = (config: AppConfig) => {
    const decision = plan.decisions.get(config.appKey);
    return decision !== undefined && 'reason' in decision ? decision.reason : '';
  };
  const pointer = (config: AppConfig) => {
    const durations = schedule.get(config.appKey)?.durationsMs;
    return deps.runs.markScheduled({
      appKey: config.appKey,
      tenant: config.tenant,
      lastRunId: runId,
      lastRunAt: input.tick,
      firstSeenAt: now,
      nextSlotAt: nextSlot(scheduledApp(config), input.tick, input.tickMinutes),
      // Trimmed here, where the pointer was read: the worker only appends.
      ...(durations !== undefined && durations.length > DURATIONS_KEPT
        ? { durationsMs: durations.slice(-DURATIONS_KEPT) }
        : {}),
    });
  };

  await mapWithConcurrency(disabled, WRITE_CONCURRENCY, async ({ config }) => {
    const reason = reasonOf(config);
    const created = await deps.runs.create(
      { ...runIdentity(config, runId), state: RunState.SKIPPED, reason },
      now,
    );
    if (created) deps.metrics.count(RUN_ENDINGS[RunState.SKIPPED].metric);
    await pointer(config);
    await deps.runs.recordEnding(config, { runId, state: RunState.SKIPPED, at: now, reason });
  });

  const created = await mapWithConcurrency(due, WRITE_CONCURRENCY, async ({ config }) => {
    const fresh = await deps.runs.create(
      {
        ...runIdentity(config, runId),
        state: RunState.DISPATCHED,
        trigger: RunTrigger.SCHEDULE,
        notes: [reasonOf(config)],
      },
      now,
      [RunState.DISPATCHED],
    );
    await pointer(config);
    return fresh ? config : undefined;
  });
  const sending = created.filter((config): config is AppConfig => config !== undefined);
  const entries = sending.map((config, index) =>
    workMessageEntry(snapshotMessage(tick, config, runId), `m${index}`),
  );
  for (const batch of chunkSendBatches(entries)) await deps.queue.sendBatch(batch);

  return {
    counts: {
      configsRead: page.length,
      invalid: invalid.length,
      invalidReported,
      due: due.length,
      disabled: disabled.length,
      enqueued: sending.length,
      alreadyRunning: due.length - sending.length,
      resent,
      stale: freshness.stale,
    },
    appKeys: [
      ...valid.map((config) => config.appKey),
      ...invalid.map(({ parameter, error }) => error.appKey ?? parameter.name),
    ],
    maxSnapshotAgeMinutes: freshness.maxAgeMinutes,
    invalidParameters: invalid.map(({ parameter, error }) => ({
      parameter: parameter.name,
      problems: error.issues.map(formatIssue),
    })),
  };
}

/**
 * The snapshot message of a run: how long to wait for an application on its way to RUNNING (until the
 * application's next slot, at most an hour), and how long its recent snapshots took.
 */
function snapshotMessage(tick: Tick, config: AppConfig, runId: string) {
  const { input, now, schedule } = tick;
  const slotEnd = nextSlot(scheduledApp(config), input.tick, input.tickMinutes);
  const durations = schedule.get(config.appKey)?.durationsMs ?? [];
  return buildSnapshotMessage({
    config,
    runId,
    now,
    retryUntil: Math.min(slotEnd, now + MAX_SETTLE_MS),
    slotEndsAt: slotEnd,
    expectedDurationMs: durations.length === 0 ? undefined : Math.max(...durations.slice(-DURATIONS_KEPT)),
  });
}

/**
 * Judges every enabled application's freshness: counts the stale ones and the oldest snapshot age, and
 * alerts once when an application becomes stale and once when it recovers. The alert is published
 * before the pointer records the episode, so a failure repeats it on the next tick (at least once).
 */
async function watchFreshness(
  deps: Deps,
  tick: Tick,
  enabled: readonly AppConfig[],
): Promise<{ stale: number; maxAgeMinutes: number }> {
  const { now, runId, schedule } = tick;
  let stale = 0;
  let maxAgeMinutes = 0;
  await mapWithConcurrency(enabled, WRITE_CONCURRENCY, async (config) => {
    const entry = schedule.get(config.appKey) ?? { appKey: config.appKey };
    const objective = freshnessObjectiveMinutes(config, now);
    const verdict = judgeFreshness(entry, objective, now);
    if (verdict.state === FreshnessState.STALE) stale++;
    if (verdict.ageMs !== undefined)
      maxAgeMinutes = Math.max(maxAgeMinutes, Math.round(verdict.ageMs / 60_000));
    if (verdict.transition === undefined) return;
    const age =
      verdict.ageMs === undefined
        ? 'no READY snapshot yet'
        : `its newest READY snapshot is ${formatMinutes(verdict.ageMs / 60_000)} old`;
    const last =
      entry.lastEnded === undefined
        ? ''
        : `; its last run (${entry.lastEnded.runId}) ended ${entry.lastEnded.state}${entry.lastEnded.reason === undefined ? '' : `: ${entry.lastEnded.reason}`}`;
    const stalled = verdict.transition === 'became-stale';
    const alert = runAlert(config, runId, stalled ? 'stale' : 'recovered', {
      reason: stalled
        ? `application ${config.applicationName} is not recoverable from a recent snapshot: ${age}, beyond its objective of ${formatMinutes(objective)} (maxSnapshotAgeMinutes)${last}`
        : `application ${config.applicationName} is recoverable again: ${age}, within its objective of ${formatMinutes(objective)}`,
    });
    if (alert !== undefined) await deps.alerts.publish(alert);
    await deps.runs.markScheduled({
      appKey: config.appKey,
      tenant: config.tenant,
      staleSince: stalled ? now : null,
    });
  });
  return { stale, maxAgeMinutes };
}

function formatMinutes(minutes: number): string {
  if (minutes < 120) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h`;
  return `${(minutes / 1440).toFixed(1)} days`;
}

/**
 * Sends again the snapshot message of an earlier tick's run that is still DISPATCHED and was never
 * received by a worker (the tick's send failed after the run was recorded, or the message was lost):
 * the run is claimed by a conditional write, so a message that was only late changes nothing twice.
 */
async function resendLostRuns(deps: Deps, tick: Tick, enabled: readonly AppConfig[]): Promise<number> {
  const { now, runId, schedule } = tick;
  const suspects = enabled.filter((config) => {
    const entry = schedule.get(config.appKey);
    if (entry?.lastRunId === undefined || entry.lastRunId === runId) return false;
    if (entry.lastEnded?.runId === entry.lastRunId) return false;
    const age = now - (entry.lastRunAt ?? now);
    return age >= RESEND_AFTER_MS && age <= RECONCILE_WINDOW_MS;
  });
  const resent = await mapWithConcurrency(suspects, WRITE_CONCURRENCY, async (config) => {
    const key = {
      appKey: config.appKey,
      runId: (schedule.get(config.appKey) as ScheduleEntry).lastRunId as string,
    };
    const run = await deps.runs.get(key);
    if (run?.state !== RunState.DISPATCHED) return undefined;
    // A delivery that failed means SQS has the message (or the DLQ does, with its alarm).
    if ((run.attempts ?? 0) > 0) return undefined;
    // Anything written on the run lately (a resend, a deferral, a retry) means it is not lost yet.
    if (now - run.updatedAt < RESEND_AFTER_MS) return undefined;
    if (run.deferredUntil !== undefined && run.deferredUntil + RESEND_AFTER_MS > now) return undefined;
    const resends = run.resends ?? 0;
    if (resends >= MAX_RESENDS || !(await deps.runs.countResend(key, resends, now))) return undefined;
    deps.log.warn('run never reached a worker, sending it again', { appKey: key.appKey, runId: key.runId });
    return buildSnapshotMessage({ config, runId: key.runId, now });
  });
  const messages = resent.filter((message) => message !== undefined);
  const entries = messages.map((message, index) => workMessageEntry(message, `r${index}`));
  for (const batch of chunkSendBatches(entries)) await deps.queue.sendBatch(batch);
  return messages.length;
}

function runIdentity(config: AppConfig, runId: string) {
  return {
    appKey: config.appKey,
    runId,
    tenant: config.tenant,
    application: config.applicationName,
    parameter: config.parameter,
  };
}

/** What identifies an invalid parameter's problem: its value, type and problems (not its version). */
function invalidDigest(parameter: ConfigParameter, error: ConfigError): string {
  return hashKey(`${parameter.type ?? ''}\u0000${parameter.value}\u0000${error.message}`).toString(36);
}

/**
 * Records each invalid parameter as a FAILED run and alerts, once per distinct value and problem: a
 * parameter deleted and written again at version 1 with another mistake is alerted again.
 */
async function reportInvalid(deps: Deps, invalid: ParsedParameters['invalid'], tick: Tick): Promise<number> {
  const { runId, now, schedule } = tick;
  const reported = await mapWithConcurrency(invalid, WRITE_CONCURRENCY, async ({ parameter, error }) => {
    // A parameter whose name is not even under <tenant>/<app> is keyed by its name.
    const appKey = error.appKey ?? parameter.name;
    const tenant = error.tenant ?? '(unknown)';
    deps.log.warn('invalid configuration', {
      parameter: parameter.name,
      version: parameter.version,
      error: error.message,
    });
    const digest = invalidDigest(parameter, error);
    if (schedule.get(appKey)?.invalidDigest === digest) return false;
    const application = appKey.slice(appKey.lastIndexOf('/') + 1);
    const created = await recordWithAlert(
      deps,
      {
        appKey,
        runId,
        tenant,
        application,
        parameter: parameter.name,
        state: RunState.FAILED,
        reason: `invalid configuration (parameter version ${parameter.version})`,
        error: runError(error),
      },
      {
        event: 'config-invalid',
        severity: severityOf('config-invalid'),
        tenant,
        application,
        appKey,
        runId,
        state: RunState.FAILED,
        reason: `SSM parameter ${parameter.name} (version ${parameter.version}) is not a valid configuration`,
        error: runError(error),
      },
      now,
    );
    await deps.runs.markScheduled({ appKey, tenant, invalidDigest: digest });
    return created;
  });
  return reported.filter(Boolean).length;
}
