/**
 * End-to-end scenarios: a local AWS in this process, a fleet, SSM parameters, one real cycle through
 * the dispatcher and worker handlers, then the invariants. Each scenario has its own stage, so the
 * scenarios of a file share one server without sharing queues, table or configurations.
 */
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { configParameterName, TENANT_TAG_KEY, tenantParameterName } from '@flink-snapshots/core';
import type { FaultRuleInput, FleetApplication, LocalAws } from '@flink-snapshots/local';
import { PIPELINE } from '@flink-snapshots/settings';
import { eventually, sdkClient, startLocal } from '@flink-snapshots/testkit';
import { type CycleOptions, type CycleResult, runCycle } from '../../packages/local/src/cycle/cycle';
import {
  checkInvariants,
  type Fleetwide,
  type InvariantCheck,
  readFleet,
} from '../../packages/local/src/cycle/invariants';

export interface ScenarioApp {
  readonly tenant: string;
  readonly name: string;
  /** The SSM parameter's value: an object (JSON) or a raw string. Default `{}`. */
  readonly config?: Record<string, unknown> | string;
  /** The SSM parameter's type; default String. */
  readonly parameterType?: 'String' | 'SecureString';
  /**
   * The MSF side; absent for an invalid parameter with no application. Tagged with the app's tenant
   * (`flink-snapshots:tenant`) unless `msf.tags` says otherwise.
   */
  readonly msf?: Omit<FleetApplication, 'name'> | false;
}

export interface Scenario {
  readonly apps: readonly ScenarioApp[];
  /** The stage's name; default a fresh one. */
  readonly stage?: string;
  /**
   * The tenant registry: an entry (JSON object or raw text) per tenant, or false for none. A tenant of
   * `apps` not named here gets an entry allowing the local account and region and every account and
   * region its configurations name.
   */
  readonly registry?: Readonly<Record<string, Record<string, unknown> | string | false>>;
  readonly faults?: readonly FaultRuleInput[];
  readonly cycle?: Partial<
    Pick<CycleOptions, 'settings' | 'wrapAdapters' | 'maxWallMs' | 'beforeTick' | 'tenantMode'>
  >;
}

export interface ScenarioResult {
  readonly result: CycleResult;
  readonly fleet: Fleetwide;
  readonly checks: readonly InvariantCheck[];
  readonly stage: string;
  /** How often each fault rule of the scenario fired. */
  readonly faultHits: readonly number[];
  run(tenant: string, name: string): CycleResult['runs'][number] | undefined;
  /** Runs one more cycle on the same stage (its next tick), with faults during it if given. */
  again(options?: CycleAgain): Promise<ScenarioResult>;
  /** Deletes an application's parameter and writes it again (version 1) with `config`. */
  rewrite(tenant: string, name: string, config: Record<string, unknown> | string): Promise<void>;
}

/** Fast simulated snapshots: 20 to 60 s, so a cycle takes about a second of real time. */
export const FAST = { snapshotDurationSeconds: { min: 20, max: 60 } } as const;

/** Test-sized queue settings: a short visibility timeout so a redelivery comes quickly. */
export const QUICK_RETRY = { workQueue: { visibilityTimeoutSeconds: 30 } } as const;

let stages = 0;

export async function startAws(): Promise<LocalAws> {
  return startLocal({ timeScale: 0.01, seed: 11 });
}

/** The scenario's registry: what it says, and for every other tenant of its apps an entry that admits them. */
function registryOf(aws: LocalAws, scenario: Scenario): NonNullable<Scenario['registry']> {
  const given = scenario.registry ?? {};
  const derived = new Map<string, { accounts: Set<string>; regions: Set<string> }>();
  for (const app of scenario.apps) {
    if (app.tenant in given) continue;
    const entry = derived.get(app.tenant) ?? {
      accounts: new Set([aws.accountId]),
      regions: new Set([aws.region]),
    };
    const config = typeof app.config === 'object' ? app.config : {};
    if (typeof config.roleArn === 'string') entry.accounts.add(config.roleArn.split(':')[4] ?? '');
    if (typeof config.region === 'string') entry.regions.add(config.region);
    derived.set(app.tenant, entry);
  }
  const entries = [...derived].map(([tenant, entry]) => [
    tenant,
    { accounts: [...entry.accounts], regions: [...entry.regions] },
  ]);
  return { ...Object.fromEntries(entries), ...given };
}

/** Seeds `scenario` on `aws` under a fresh stage and runs one cycle. */
export async function runScenario(aws: LocalAws, scenario: Scenario): Promise<ScenarioResult> {
  const stage = scenario.stage ?? `e2e${++stages}x${Math.floor(aws.clock.now() % 1000)}`;
  for (const app of scenario.apps) {
    if (app.msf === false) continue;
    aws.services.kinesisAnalytics.putApplication({
      name: app.name,
      status: 'RUNNING',
      ...FAST,
      tags: { [TENANT_TAG_KEY]: app.tenant },
      ...app.msf,
    });
  }
  const ssm = sdkClient(SSMClient, aws);
  try {
    for (const [tenant, entry] of Object.entries(registryOf(aws, scenario))) {
      if (entry === false) continue;
      await ssm.send(
        new PutParameterCommand({
          Name: tenantParameterName(stage, tenant),
          Type: 'String',
          Value: typeof entry === 'string' ? entry : JSON.stringify(entry),
        }),
      );
    }
    for (const app of scenario.apps) {
      await ssm.send(
        new PutParameterCommand({
          Name: configParameterName(stage, app.tenant, app.name),
          Type: app.parameterType ?? 'String',
          Value: typeof app.config === 'string' ? app.config : JSON.stringify(app.config ?? {}),
        }),
      );
    }
  } finally {
    ssm.destroy();
  }
  return cycleOn(aws, stage, scenario);
}

/** Options of one more cycle on a scenario's stage. */
export type CycleAgain = Pick<Scenario, 'faults' | 'cycle'>;

/** Runs one cycle of `stage` (with `faults` during it) and checks the invariants. */
async function cycleOn(aws: LocalAws, stage: string, options: CycleAgain): Promise<ScenarioResult> {
  for (const rule of options.faults ?? []) aws.faults.add(rule);
  try {
    const result = await runCycle({
      endpoint: aws.url,
      stage,
      clock: aws.clock,
      maxWallMs: 90_000,
      ...options.cycle,
    });
    // The faults were for the cycle; the checks read the fleet as it is.
    const faultHits = aws.faults.list().map((rule) => rule.hits);
    aws.faults.clear();
    const fleet = await readFleet(result, stage, PIPELINE.tickMinutes);
    const checks = checkInvariants(result, fleet, aws.services.kinesisAnalytics);
    return {
      faultHits,
      result,
      fleet,
      checks,
      stage,
      run: (tenant, name) => result.runs.find((r) => r.appKey === `${tenant}/${name}`),
      again: (next = {}) => cycleOn(aws, stage, next),
      rewrite: async (tenant, name, config) => {
        const ssm = sdkClient(SSMClient, aws);
        try {
          const parameter = configParameterName(stage, tenant, name);
          await ssm.send(new DeleteParameterCommand({ Name: parameter }));
          await ssm.send(
            new PutParameterCommand({
              Name: parameter,
              Type: 'String',
              Value: typeof config === 'string' ? config : JSON.stringify(config),
            }),
          );
        } finally {
          ssm.destroy();
        }
      },
    };
  } finally {
    aws.faults.clear();
  }
}

/** Lets `minutes` of simulated time pass (polling the local AWS's clock, never sleeping a fixed time). */
export async function letPass(aws: LocalAws, minutes: number): Promise<void> {
  const until = aws.clock.now() + minutes * 60_000;
  await eventually(
    () => aws.clock.now(),
    (now) => now >= until,
    {
      timeoutMs: aws.clock.toRealMs(minutes * 60_000) + 10_000,
      intervalMs: 5,
      what: `${minutes} simulated minutes`,
    },
  );
}

/** The invariant checks that failed, with their details, for a readable assertion. */
export function broken(checks: readonly InvariantCheck[]): string[] {
  return checks.filter((c) => !c.ok).map((c) => `${c.id}. ${c.name}: ${c.detail.join('; ')}`);
}

/** `count` snapshots this tool would have made, a day apart, ending a day before `now`, over `versions`. */
export function ownSnapshots(now: number, count: number, versions = 1, status: 'READY' | 'FAILED' = 'READY') {
  const day = 86_400_000;
  return Array.from({ length: count }, (_, i) => {
    const createdAt = now - (count - i) * day;
    const minute = new Date(Math.floor(createdAt / 60_000) * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      name: `flink-snapshots-${minute.replace(/[-:]/g, '')}`,
      status,
      versionId: 1 + Math.floor((i * versions) / count),
      createdAt,
    };
  });
}
