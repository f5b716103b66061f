import { MetricName, RUN_ENDINGS, severityOf } from '../domain/alerts';
import { type AppConfig, configPathPrefix, parseAppConfig } from '../domain/config';
import { ConfigError } from '../domain/errors';
import type { ScheduleEntry } from '../domain/run-record';
import { RunState, runIdFromTick } from '../domain/run-state';
import { selectDue } from '../domain/schedule';
import {
  admitApplication,
  type Deployment,
  readTenantRegistry,
  type TenantMode,
  type TenantRegistry,
  tenantRegistryPrefix,
} from '../domain/tenant';
import { buildSnapshotMessage, chunkSendBatches, workMessageEntry } from '../domain/work-message';
import type { ConfigParameter, Deps } from '../ports';
import { mapWithConcurrency } from './concurrency';
import { recordWithAlert, runError } from './notify';

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
}

/**
 * Pages of configurations dispatched at once while the next pages are read: SSM serves
 * GetParametersByPath at 40 TPS, so the run-table writes and sends of earlier pages overlap the reads.
 */
const PAGES_IN_FLIGHT = 8;
/** Run-table writes at once within a page (a page holds at most 10 parameters). */
const WRITE_CONCURRENCY = 10;

type PageCounts = Omit<DispatchReport, 'runId'>;

const NO_COUNTS: PageCounts = {
  configsRead: 0,
  invalid: 0,
  invalidReported: 0,
  due: 0,
  disabled: 0,
  enqueued: 0,
  alreadyRunning: 0,
};

interface ParsedParameters {
  readonly valid: AppConfig[];
  readonly invalid: { readonly parameter: ConfigParameter; readonly error: ConfigError }[];
}

/**
 * Parses a page of parameters, then admits each valid configuration against the tenant registry and the
 * deployment; what is not admitted is invalid too, with the reason as its issues. Synchronous, and called
 * in page order: `tick.admitted` counts each tenant's configurations in the order SSM returns them.
 */
function parseAll(parameters: readonly ConfigParameter[], tick: Tick): ParsedParameters {
  const { input, registry, admitted } = tick;
  const valid: AppConfig[] = [];
  const invalid: ParsedParameters['invalid'] = [];
  for (const parameter of parameters) {
    const result = parseAppConfig(parameter.name, parameter.value, input, parameter.type);
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

interface Tick {
  readonly input: DispatchInput;
  readonly runId: string;
  readonly now: number;
  readonly schedule: ReadonlyMap<string, ScheduleEntry>;
  readonly registry: TenantRegistry;
  /** Valid configurations read so far on this tick, by tenant: the application cap counts them. */
  readonly admitted: Map<string, number>;
}

/**
 * One dispatcher tick: reads every configuration, records and alerts invalid ones, selects the due
 * applications, records each run DISPATCHED and enqueues one snapshot message per application. A repeated
 * tick (the scheduler retrying) re-sends only the runs no worker has taken yet. Pages are dispatched as
 * they arrive, several at once.
 */
export async function dispatch(deps: Deps, input: DispatchInput): Promise<DispatchReport> {
  const [schedule, registryParameters] = await Promise.all([
    deps.runs.readSchedule(),
    deps.configs.readAll(tenantRegistryPrefix(input.stage)),
  ]);
  const registry = readTenantRegistry(registryParameters, { stage: input.stage, mode: input.tenantMode });
  for (const error of registry.unnamed)
    deps.log.warn('invalid tenant registry entry', { error: error.message });
  const tick: Tick = {
    input,
    runId: runIdFromTick(input.tick),
    now: deps.clock.now(),
    schedule,
    registry,
    admitted: new Map(),
  };
  const totals = { ...NO_COUNTS };
  const inFlight = new Set<Promise<void>>();
  let failure: { readonly error: unknown } | undefined;
  for await (const page of deps.configs.pages(configPathPrefix(input.stage))) {
    if (failure) break;
    const task: Promise<void> = dispatchPage(deps, tick, page).then(
      (counts) => {
        for (const key of Object.keys(totals) as (keyof PageCounts)[]) totals[key] += counts[key];
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

  deps.metrics.count(MetricName.DISPATCHED, totals.enqueued);
  deps.metrics.count(MetricName.CONFIG_INVALID, totals.invalid);
  const report: DispatchReport = { runId: tick.runId, ...totals };
  deps.log.info('dispatched', { ...report });
  return report;
}

async function dispatchPage(deps: Deps, tick: Tick, page: readonly ConfigParameter[]): Promise<PageCounts> {
  const { input, runId, now, schedule } = tick;
  const { valid, invalid } = parseAll(page, tick);
  const invalidReported = await reportInvalid(deps, invalid, schedule, runId, now);

  const candidates = valid.map((config) => {
    const entry = schedule.get(config.appKey);
    // A repeated tick finds its own runId as the last run: the application is due again, and the
    // conditional create below decides whether its run still needs sending.
    const lastRunAt = entry?.lastRunId === runId ? undefined : entry?.lastRunAt;
    return {
      key: config.appKey,
      intervalMinutes: config.intervalMinutes,
      enabled: config.enabled,
      lastRunAt,
      config,
    };
  });
  const { due, disabled } = selectDue(candidates, input.tick, input.tickMinutes);
  const pointer = (config: AppConfig) =>
    deps.runs.markScheduled({
      appKey: config.appKey,
      tenant: config.tenant,
      lastRunId: runId,
      lastRunAt: input.tick,
    });

  await mapWithConcurrency(disabled, WRITE_CONCURRENCY, async ({ config }) => {
    const created = await deps.runs.create(
      {
        ...runIdentity(config, runId),
        state: RunState.SKIPPED,
        reason: 'disabled by its configuration (enabled: false)',
      },
      now,
    );
    if (created) deps.metrics.count(RUN_ENDINGS[RunState.SKIPPED].metric);
    await pointer(config);
  });

  const created = await mapWithConcurrency(due, WRITE_CONCURRENCY, async ({ config }) => {
    const fresh = await deps.runs.create({ ...runIdentity(config, runId), state: RunState.DISPATCHED }, now, [
      RunState.DISPATCHED,
    ]);
    await pointer(config);
    return fresh ? config : undefined;
  });
  const sending = created.filter((config): config is AppConfig => config !== undefined);
  const entries = sending.map((config, index) =>
    workMessageEntry(buildSnapshotMessage({ config, runId, now }), `m${index}`),
  );
  for (const batch of chunkSendBatches(entries)) await deps.queue.sendBatch(batch);

  return {
    configsRead: page.length,
    invalid: invalid.length,
    invalidReported,
    due: due.length,
    disabled: disabled.length,
    enqueued: sending.length,
    alreadyRunning: due.length - sending.length,
  };
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

/** Records each invalid parameter as a FAILED run and alerts, once per version of the parameter. */
async function reportInvalid(
  deps: Deps,
  invalid: ParsedParameters['invalid'],
  schedule: ReadonlyMap<string, ScheduleEntry>,
  runId: string,
  now: number,
): Promise<number> {
  const reported = await mapWithConcurrency(invalid, WRITE_CONCURRENCY, async ({ parameter, error }) => {
    // A parameter whose name is not even under <tenant>/<app> is keyed by its name.
    const appKey = error.appKey ?? parameter.name;
    const tenant = error.tenant ?? '(unknown)';
    deps.log.warn('invalid configuration', {
      parameter: parameter.name,
      version: parameter.version,
      error: error.message,
    });
    if (schedule.get(appKey)?.invalidVersion === parameter.version) return false;
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
    await deps.runs.markScheduled({ appKey, tenant, invalidVersion: parameter.version });
    return created;
  });
  return reported.filter(Boolean).length;
}
