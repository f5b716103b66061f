/**
 * The fleet `npm start` runs a cycle over: 14 parameters of 3 tenants, chosen to show every path of a
 * run (completed, skipped, failed, slow, pruned across versions, protected restore snapshot, dry run,
 * foreign snapshots, cross-account, disabled, invalid configuration).
 */
import {
  externalIdOf,
  runIdFromTick,
  snapshotName,
  TENANT_TAG_KEY,
  type TenantEntrySchema,
} from '@flink-snapshots/core';
import type { z } from 'zod';
import type { FaultRuleInput } from '../control/faults';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from '../local-aws';
import type { Fleet, FleetApplication } from '../services/kinesis-analytics/fleet';

const DAY = 86_400_000;

type TenantEntryInput = z.input<typeof TenantEntrySchema>;

export interface DemoApplication {
  readonly tenant: string;
  /** Last segment of the SSM parameter name. */
  readonly key: string;
  /** The parameter's JSON value, or a raw string (the invalid one). */
  readonly config: Record<string, unknown> | string;
  /** What this application shows. */
  readonly story: string;
}

export interface Demo {
  readonly fleet: Fleet;
  readonly applications: readonly DemoApplication[];
  /** The tenant registry: each tenant's accounts, regions and application cap. */
  readonly registry: Readonly<Record<string, TenantEntryInput>>;
  readonly faults: readonly FaultRuleInput[];
}

/** The other account of the demo (the analytics tenant's `rollups`). */
export const DEMO_OTHER_ACCOUNT = '210987654321';

/** Snapshots this tool would have made, one a day going back from `now`, spread over versions. */
function ownSnapshots(
  now: number,
  count: number,
  versions: number,
): NonNullable<FleetApplication['snapshots']> {
  return Array.from({ length: count }, (_, i) => {
    const createdAt = now - (count - i) * DAY;
    return {
      name: snapshotName(runIdFromTick(createdAt)),
      status: 'READY' as const,
      versionId: 1 + Math.floor((i * versions) / count),
      createdAt,
    };
  });
}

/** The cross-account application's role, which requires the ExternalId `<stage>/analytics`. */
const ANALYTICS_ROLE = `arn:aws:iam::${DEMO_OTHER_ACCOUNT}:role/flink-snapshots-analytics`;

/**
 * The demo fleet (each application tagged with its tenant; the other account's role requiring the
 * ExternalId of `stage`), its SSM parameters and its fault rules, relative to the simulated `now`.
 */
export function demoFleet(now: number, stage: string): Demo {
  const restore = ownSnapshots(now, 4, 1);
  const applications: Array<DemoApplication & { readonly msf?: Omit<FleetApplication, 'tags'> }> = [
    {
      tenant: 'payments',
      key: 'ledger',
      config: { retention: { count: 3 } },
      story: 'completes; keeps the newest 3 of its own snapshots',
      msf: { name: 'ledger', snapshots: ownSnapshots(now, 4, 1) },
    },
    {
      tenant: 'payments',
      key: 'fraud-detector',
      config: { retention: { count: 5, maxAgeDays: 7, minCount: 2 } },
      story: 'completes; deletes what is older than 7 days beyond a floor of 2',
      msf: { name: 'fraud-detector', versionId: 2, snapshots: ownSnapshots(now, 10, 2) },
    },
    {
      tenant: 'payments',
      key: 'settlement',
      config: { retention: { count: 1 } },
      story: 'completes; its restore snapshot is protected although beyond the count',
      msf: { name: 'settlement', snapshots: restore, restoreSnapshotName: restore[0]?.name },
    },
    {
      tenant: 'payments',
      key: 'chargebacks',
      config: { notify: { on: ['skipped', 'failed'] } },
      story: 'STOPPED (READY in MSF): skipped, no snapshot',
      msf: { name: 'chargebacks', status: 'READY' },
    },
    {
      tenant: 'search',
      key: 'indexer',
      config: { pollIntervalSeconds: 60 },
      story: 'slow: its snapshot takes 4 to 5 minutes; its 4 manual snapshots are left alone',
      msf: {
        name: 'indexer',
        snapshotDurationSeconds: { min: 240, max: 300 },
        snapshots: [1, 2, 3, 4].map((week) => ({
          name: `manual-week-${week}`,
          createdAt: now - week * 7 * DAY,
        })),
      },
    },
    {
      tenant: 'payments',
      key: 'indexer-by-mistake',
      config: { applicationName: 'indexer', retention: { count: 1, minCount: 0, manage: 'all' } },
      story:
        "a payments parameter naming search's indexer: FAILED, nothing created or deleted (the tag binds indexer to search)",
    },
    {
      tenant: 'search',
      key: 'query-router',
      config: {},
      story: 'its snapshots FAIL: run FAILED, alerted',
      msf: { name: 'query-router' },
    },
    {
      tenant: 'search',
      key: 'clickstream',
      config: { retention: { count: 10, maxAgeDays: 30, minCount: 5 } },
      story: '120 old snapshots over 3 versions: pruned to 10 across every version',
      msf: { name: 'clickstream', versionId: 3, snapshots: ownSnapshots(now, 120, 3) },
    },
    {
      tenant: 'search',
      key: 'autocomplete',
      config: { retention: { count: 2, dryRun: true } },
      story: 'dry run: reports what it would delete, deletes nothing',
      msf: { name: 'autocomplete', snapshots: ownSnapshots(now, 5, 1) },
    },
    {
      tenant: 'analytics',
      key: 'sessionizer',
      config: { retention: { count: 2 } },
      story: 'manual snapshots are not ours and are left alone',
      msf: {
        name: 'sessionizer',
        snapshots: [
          ...ownSnapshots(now, 3, 1),
          { name: 'before-migration', createdAt: now - 40 * DAY },
          { name: 'manual-2026-q3', createdAt: now - 20 * DAY },
        ],
      },
    },
    {
      tenant: 'analytics',
      key: 'anomalies',
      config: {},
      story: 'SnapshotsEnabled is false: noted on the run; MSF refuses the snapshot, FAILED and alerted',
      msf: { name: 'anomalies', snapshotsEnabled: false },
    },
    {
      tenant: 'analytics',
      key: 'rollups',
      config: { region: 'eu-west-1', roleArn: ANALYTICS_ROLE },
      story: 'in another account and region: reached through an assumed role',
      msf: { name: 'rollups' },
    },
    {
      tenant: 'analytics',
      key: 'enricher',
      config: { enabled: false },
      story: 'disabled by its configuration: SKIPPED, nothing sent',
      msf: { name: 'enricher' },
    },
    {
      tenant: 'analytics',
      key: 'broken',
      config: '{"retention": {"count": 0}, "intervalMinuts": 60}',
      story: 'invalid parameter: FAILED naming field and value; the others go on',
    },
  ];
  return {
    fleet: {
      defaults: { status: 'RUNNING', snapshotDurationSeconds: { min: 20, max: 90 } },
      // Each application carries its tenant's tag: what binds it to the tenant.
      applications: applications.flatMap((app) =>
        app.msf ? [{ ...app.msf, tags: { [TENANT_TAG_KEY]: app.tenant } }] : [],
      ),
      // The analytics account trusts the MSF access role only with the tenant's ExternalId.
      roles: [{ arn: ANALYTICS_ROLE, externalId: externalIdOf(stage, 'analytics') }],
    },
    applications: applications.map(({ msf: _msf, ...app }) => app),
    registry: {
      payments: { accounts: [DEFAULT_ACCOUNT_ID], regions: [DEFAULT_REGION], maxApplications: 10 },
      search: { accounts: [DEFAULT_ACCOUNT_ID], regions: [DEFAULT_REGION], maxApplications: 10 },
      analytics: {
        accounts: [DEFAULT_ACCOUNT_ID, DEMO_OTHER_ACCOUNT],
        regions: [DEFAULT_REGION, 'eu-west-1'],
        maxApplications: 10,
      },
    },
    faults: [{ kind: 'snapshot-fails', service: 'kinesisanalytics', application: 'query-router' }],
  };
}
