/**
 * End-to-end scenarios: a local AWS in this process, a fleet, SSM parameters, one real cycle through
 * the dispatcher and worker handlers, then the invariants. Each scenario has its own stage, so the
 * scenarios of a file share one server without sharing queues, table or configurations.
 */
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { configParameterName } from '@flink-snapshots/core';
import type { FaultRuleInput, FleetApplication, LocalAws } from '@flink-snapshots/local';
import { PIPELINE } from '@flink-snapshots/settings';
import { sdkClient, startLocal } from '@flink-snapshots/testkit';
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
  /** The MSF side; absent for an invalid parameter with no application. */
  readonly msf?: Omit<FleetApplication, 'name'> | false;
}

export interface Scenario {
  readonly apps: readonly ScenarioApp[];
  readonly faults?: readonly FaultRuleInput[];
  readonly cycle?: Partial<Pick<CycleOptions, 'settings' | 'wrapAdapters' | 'maxWallMs' | 'beforeTick'>>;
}

export interface ScenarioResult {
  readonly result: CycleResult;
  readonly fleet: Fleetwide;
  readonly checks: readonly InvariantCheck[];
  readonly stage: string;
  /** How often each fault rule of the scenario fired. */
  readonly faultHits: readonly number[];
  run(tenant: string, name: string): CycleResult['runs'][number] | undefined;
}

/** Fast simulated snapshots: 20 to 60 s, so a cycle takes about a second of real time. */
export const FAST = { snapshotDurationSeconds: { min: 20, max: 60 } } as const;

/** Test-sized queue settings: a short visibility timeout so a redelivery comes quickly. */
export const QUICK_RETRY = { workQueue: { visibilityTimeoutSeconds: 30 } } as const;

let stages = 0;

export async function startAws(): Promise<LocalAws> {
  return startLocal({ timeScale: 0.01, seed: 11 });
}

/** Seeds `scenario` on `aws` under a fresh stage and runs one cycle. */
export async function runScenario(aws: LocalAws, scenario: Scenario): Promise<ScenarioResult> {
  const stage = `e2e${++stages}x${Math.floor(aws.clock.now() % 1000)}`;
  for (const app of scenario.apps) {
    if (app.msf === false) continue;
    aws.services.kinesisAnalytics.putApplication({ name: app.name, status: 'RUNNING', ...FAST, ...app.msf });
  }
  const ssm = sdkClient(SSMClient, aws);
  try {
    for (const app of scenario.apps) {
      await ssm.send(
        new PutParameterCommand({
          Name: configParameterName(stage, app.tenant, app.name),
          Type: 'String',
          Value: typeof app.config === 'string' ? app.config : JSON.stringify(app.config ?? {}),
        }),
      );
    }
  } finally {
    ssm.destroy();
  }
  for (const rule of scenario.faults ?? []) aws.faults.add(rule);
  try {
    const result = await runCycle({
      endpoint: aws.url,
      stage,
      clock: aws.clock,
      maxWallMs: 90_000,
      ...scenario.cycle,
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
    };
  } finally {
    aws.faults.clear();
  }
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
