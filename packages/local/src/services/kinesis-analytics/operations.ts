/**
 * Kinesis Analytics V2's operations: a typed handler per operation over the simulated fleet
 * (simulation.ts). Applications and snapshots move through their statuses in simulated time; each
 * handler refuses what MSF refuses in the status it finds, with the errors MSF declares (errors.ts).
 */
import { upperBound } from '../../common/sorted';
import type { OperationTable } from '../../protocol/operations';
import { decodePageToken, encodePageToken } from '../../protocol/pagination';
import type { ServiceContext } from '../../protocol/service';
import { msfErrors } from './errors';
import {
  type ApplicationRestoreType,
  isReservedTagKey,
  resolveFleetApplication,
  SNAPSHOTS_PER_APPLICATION_LIMIT,
  TAGS_PER_APPLICATION_LIMIT,
} from './fleet';
import type { KinesisAnalyticsInput, KinesisAnalyticsInputs } from './inputs';
import { conditionalToken, SimApplication } from './model';
import {
  type ApplicationSummary,
  applicationArn,
  applicationDetail,
  applicationNameOf,
  type KinesisAnalyticsOutputs,
  snapshotDetails,
} from './outputs';
import type { FleetSimulation } from './simulation';

export type KinesisAnalyticsOperationTable = OperationTable<
  typeof KinesisAnalyticsInputs,
  KinesisAnalyticsOutputs
>;

/** The handler of every Kinesis Analytics V2 operation, over `fleet`. */
export function kinesisAnalyticsOperations(fleet: FleetSimulation): KinesisAnalyticsOperationTable {
  return {
    CreateApplication: (input, ctx) => {
      const now = fleet.now();
      if (fleet.find(input.ApplicationName, now) !== undefined) {
        throw msfErrors.applicationExists(input.ApplicationName);
      }
      // Timing (snapshot duration, transitions) comes from the fleet's defaults, like seeded applications.
      const settings = resolveFleetApplication(
        {
          name: input.ApplicationName,
          status: 'READY',
          versionId: 1,
          runtime: input.RuntimeEnvironment,
          snapshotsEnabled:
            input.ApplicationConfiguration?.ApplicationSnapshotConfiguration?.SnapshotsEnabled ?? false,
          generatedSnapshots: { count: 0 },
        },
        fleet.defaults,
        now,
      );
      const app = new SimApplication(input.ApplicationName, now, {
        ...settings,
        serviceExecutionRole: input.ServiceExecutionRole,
        ...(input.ApplicationDescription === undefined ? {} : { description: input.ApplicationDescription }),
      });
      if (input.Tags !== undefined) addTags(app, input.Tags);
      app.setStatus('READY');
      fleet.add(app);
      return { ApplicationDetail: applicationDetail(app, ctx, now) };
    },
    DescribeApplication: (input, ctx) => {
      const now = fleet.now();
      return { ApplicationDetail: applicationDetail(fleet.required(input.ApplicationName, now), ctx, now) };
    },
    ListApplications: (input, ctx) => listApplications(fleet, input, ctx),
    StartApplication: (input) => {
      const now = fleet.now();
      const app = fleet.required(input.ApplicationName, now);
      const status = app.statusAt(now);
      if (status !== 'READY')
        throw msfErrors.wrongStatus(app.name, status, 'it can be started only when READY');
      const restore = input.RunConfiguration?.ApplicationRestoreConfiguration;
      if (restore !== undefined) {
        checkRestore(fleet, app, restore.ApplicationRestoreType, restore.SnapshotName, now);
        app.restoreType = restore.ApplicationRestoreType;
        app.restoreSnapshotName = restore.SnapshotName;
      }
      const flink = input.RunConfiguration?.FlinkRunConfiguration;
      if (flink?.AllowNonRestoredState !== undefined) app.allowNonRestoredState = flink.AllowNonRestoredState;
      app.transition('STARTING', 'RUNNING', now + app.transitionSeconds * 1000);
      return { OperationId: fleet.operationId() };
    },
    StopApplication: (input) => stopApplication(fleet, input),
    UpdateApplication: (input, ctx) => updateApplication(fleet, input, ctx),
    DeleteApplication: (input) => {
      const now = fleet.now();
      const app = fleet.required(input.ApplicationName, now);
      if (Math.round(input.CreateTimestamp * 1000) !== app.createdAt) {
        throw msfErrors.createTimestampMismatch(app.name, input.CreateTimestamp, app.createdAt);
      }
      if (app.statusAt(now) === 'DELETING') throw msfErrors.alreadyDeleting(app.name);
      app.transition('DELETING', 'DELETED', now + app.transitionSeconds * 1000);
      return {};
    },
    CreateApplicationSnapshot: (input) => {
      const now = fleet.now();
      const app = fleet.required(input.ApplicationName, now);
      const status = app.statusAt(now);
      if (status !== 'RUNNING') {
        throw msfErrors.wrongStatus(app.name, status, 'snapshots can be created only when it is RUNNING');
      }
      if (app.runtime === 'SQL-1_0') throw msfErrors.snapshotsUnsupported(app.name);
      if (!app.snapshotsEnabled) throw msfErrors.snapshotsDisabled(app.name);
      const existing = app.snapshots.get(input.SnapshotName, now);
      if (existing !== undefined) {
        throw msfErrors.snapshotExists(app.name, input.SnapshotName, String(existing.statusAt(now)));
      }
      const [creating] = app.snapshots.creating(now);
      if (creating !== undefined) throw msfErrors.snapshotInProgress(app.name, creating.name);
      if (app.snapshots.size(now) >= SNAPSHOTS_PER_APPLICATION_LIMIT) {
        throw msfErrors.snapshotLimit(app.name, `snapshot ${input.SnapshotName}`);
      }
      fleet.takeSnapshot(app, input.SnapshotName, now, 'api', 'CreateApplicationSnapshot');
      return {};
    },
    DescribeApplicationSnapshot: (input) => {
      const now = fleet.now();
      const app = fleet.required(input.ApplicationName, now);
      return { SnapshotDetails: snapshotDetails(fleet.requiredSnapshot(app, input.SnapshotName, now), now) };
    },
    ListApplicationSnapshots: (input) => {
      const now = fleet.now();
      const app = fleet.required(input.ApplicationName, now);
      const cursor =
        input.NextToken === undefined
          ? undefined
          : decodePageToken(input.NextToken, isSnapshotCursor, msfErrors.invalidNextToken);
      const { items, more } = app.snapshots.page(
        cursor === undefined ? undefined : { createdAt: cursor[0], name: cursor[1] },
        input.Limit ?? 50,
        now,
      );
      const last = items.at(-1);
      return {
        SnapshotSummaries: items.map((snapshot) => snapshotDetails(snapshot, now)),
        ...(more && last !== undefined ? { NextToken: encodePageToken([last.createdAt, last.name]) } : {}),
      };
    },
    DeleteApplicationSnapshot: (input) => deleteApplicationSnapshot(fleet, input),
    TagResource: (input, ctx) => {
      addTags(requiredByArn(fleet, input.ResourceARN, ctx), input.Tags);
      return {};
    },
    UntagResource: (input, ctx) => {
      const app = requiredByArn(fleet, input.ResourceARN, ctx);
      const reserved = input.TagKeys.find(isReservedTagKey);
      if (reserved !== undefined) throw msfErrors.reservedTagKey(reserved);
      for (const key of input.TagKeys) app.tags.delete(key);
      return {};
    },
    ListTagsForResource: (input, ctx) => ({
      Tags: [...requiredByArn(fleet, input.ResourceARN, ctx).tags].map(([Key, Value]) => ({ Key, Value })),
    }),
  };
}

/** The application an ARN names, or ResourceNotFoundException. */
function requiredByArn(fleet: FleetSimulation, arn: string, ctx: ServiceContext): SimApplication {
  const name = applicationNameOf(arn, ctx);
  const app = name === undefined ? undefined : fleet.find(name, fleet.now());
  if (app === undefined) throw msfErrors.applicationArnNotFound(arn);
  return app;
}

/** Adds (or replaces) tags: none reserved for AWS, at most 50 on the application afterwards. */
function addTags(app: SimApplication, tags: KinesisAnalyticsInput<'TagResource'>['Tags']): void {
  const reserved = tags.find((tag) => isReservedTagKey(tag.Key));
  if (reserved !== undefined) throw msfErrors.reservedTagKey(reserved.Key);
  const count = new Set([...app.tags.keys(), ...tags.map((tag) => tag.Key)]).size;
  if (count > TAGS_PER_APPLICATION_LIMIT) throw msfErrors.tooManyTags(app.name, count);
  for (const { Key, Value } of tags) app.tags.set(Key, Value ?? '');
}

function listApplications(
  fleet: FleetSimulation,
  input: KinesisAnalyticsInput<'ListApplications'>,
  ctx: ServiceContext,
): KinesisAnalyticsOutputs['ListApplications'] {
  const now = fleet.now();
  const names = fleet.applicationNames();
  const limit = input.Limit ?? 50;
  let start = 0;
  if (input.NextToken !== undefined) {
    const after = decodePageToken(
      input.NextToken,
      (value): value is string => typeof value === 'string',
      msfErrors.invalidNextToken,
    );
    start = upperBound(names, after);
  }
  const summaries: ApplicationSummary[] = [];
  let index = start;
  for (; index < names.length && summaries.length < limit; index++) {
    const app = fleet.find(names[index] as string, now);
    if (app === undefined) continue;
    summaries.push({
      ApplicationName: app.name,
      ApplicationARN: applicationArn(app.name, ctx),
      ApplicationStatus: app.statusAt(now),
      ApplicationVersionId: app.versionId,
      RuntimeEnvironment: app.runtime,
      ApplicationMode: 'STREAMING',
    });
  }
  const last = names[index - 1];
  return {
    ApplicationSummaries: summaries,
    ...(index < names.length && last !== undefined ? { NextToken: encodePageToken(last) } : {}),
  };
}

function stopApplication(
  fleet: FleetSimulation,
  input: KinesisAnalyticsInput<'StopApplication'>,
): KinesisAnalyticsOutputs['StopApplication'] {
  const now = fleet.now();
  const app = fleet.required(input.ApplicationName, now);
  const status = app.statusAt(now);
  if (input.Force === true) {
    if (status === 'READY' || status === 'DELETING' || status === 'FORCE_STOPPING') {
      throw msfErrors.wrongStatus(app.name, status, 'there is nothing to force-stop');
    }
    // A forced stop takes no snapshot and cuts short any snapshot in progress: it ends FAILED.
    for (const snapshot of app.snapshots.creating(now)) {
      snapshot.failed = true;
      snapshot.readyAt = now;
    }
    app.transition('FORCE_STOPPING', 'READY', now + app.transitionSeconds * 1000);
    return { OperationId: fleet.operationId() };
  }
  if (status !== 'RUNNING') {
    throw msfErrors.wrongStatus(app.name, status, 'it can be stopped only when RUNNING (or with Force)');
  }
  let readyAt = now;
  if (app.snapshotsEnabled) {
    if (app.snapshots.size(now) >= SNAPSHOTS_PER_APPLICATION_LIMIT) {
      throw msfErrors.snapshotLimit(app.name, 'the snapshot StopApplication takes');
    }
    readyAt = fleet.takeSnapshot(app, `msf-stop-${now}`, now, 'stop', 'StopApplication').readyAt;
  }
  app.transition('STOPPING', 'READY', readyAt + app.transitionSeconds * 1000);
  return { OperationId: fleet.operationId() };
}

function updateApplication(
  fleet: FleetSimulation,
  input: KinesisAnalyticsInput<'UpdateApplication'>,
  ctx: ServiceContext,
): KinesisAnalyticsOutputs['UpdateApplication'] {
  const now = fleet.now();
  const app = fleet.required(input.ApplicationName, now);
  if (input.CurrentApplicationVersionId === undefined && input.ConditionalToken === undefined) {
    throw msfErrors.updateUnconditional(app.name);
  }
  if (
    input.CurrentApplicationVersionId !== undefined &&
    input.CurrentApplicationVersionId !== app.versionId
  ) {
    throw msfErrors.versionMismatch(app.name, input.CurrentApplicationVersionId, app.versionId);
  }
  if (input.ConditionalToken !== undefined && input.ConditionalToken !== conditionalToken(app)) {
    throw msfErrors.tokenMismatch(app.name, input.ConditionalToken, conditionalToken(app));
  }
  const status = app.statusAt(now);
  if (status !== 'READY' && status !== 'RUNNING') {
    throw msfErrors.wrongStatus(app.name, status, 'it can be updated only when READY or RUNNING');
  }
  const restore = input.RunConfigurationUpdate?.ApplicationRestoreConfiguration;
  if (restore !== undefined) {
    checkRestore(fleet, app, restore.ApplicationRestoreType, restore.SnapshotName, now);
  }

  let operationId: string | undefined;
  if (status === 'RUNNING') {
    // A running application is snapshotted (with its old version), updated and restarted.
    let readyAt = now;
    if (app.snapshotsEnabled && app.snapshots.size(now) < SNAPSHOTS_PER_APPLICATION_LIMIT) {
      readyAt = fleet.takeSnapshot(app, `msf-update-${now}`, now, 'update', 'UpdateApplication').readyAt;
    }
    app.transition('UPDATING', 'RUNNING', readyAt + app.transitionSeconds * 1000);
    operationId = fleet.operationId();
  }
  const snapshotsEnabled =
    input.ApplicationConfigurationUpdate?.ApplicationSnapshotConfigurationUpdate?.SnapshotsEnabledUpdate;
  if (snapshotsEnabled !== undefined) app.snapshotsEnabled = snapshotsEnabled;
  if (restore !== undefined) {
    app.restoreType = restore.ApplicationRestoreType;
    app.restoreSnapshotName = restore.SnapshotName;
  }
  // MSF resets AllowNonRestoredState to false on an update that does not set it (API reference,
  // FlinkRunConfiguration: "even if it was previously set to true").
  app.allowNonRestoredState =
    input.RunConfigurationUpdate?.FlinkRunConfiguration?.AllowNonRestoredState ?? false;
  if (input.RuntimeEnvironmentUpdate !== undefined) app.runtime = input.RuntimeEnvironmentUpdate;
  if (input.ServiceExecutionRoleUpdate !== undefined) {
    app.serviceExecutionRole = input.ServiceExecutionRoleUpdate;
  }
  app.versionId += 1;
  app.versionCreatedAt = now;
  app.lastUpdatedAt = now;
  return {
    ApplicationDetail: applicationDetail(app, ctx, now),
    ...(operationId === undefined ? {} : { OperationId: operationId }),
  };
}

function deleteApplicationSnapshot(
  fleet: FleetSimulation,
  input: KinesisAnalyticsInput<'DeleteApplicationSnapshot'>,
): KinesisAnalyticsOutputs['DeleteApplicationSnapshot'] {
  const now = fleet.now();
  const app = fleet.required(input.ApplicationName, now);
  const snapshot = fleet.requiredSnapshot(app, input.SnapshotName, now);
  if (!matchesCreationTimestamp(input.SnapshotCreationTimestamp, snapshot.createdAt)) {
    throw msfErrors.snapshotTimestampMismatch(
      app.name,
      snapshot.name,
      input.SnapshotCreationTimestamp,
      snapshot.createdAt,
    );
  }
  const status = snapshot.statusAt(now);
  if (status === 'DELETING' || status === undefined)
    throw msfErrors.snapshotAlreadyDeleting(app.name, snapshot.name);
  // MSF accepts deleting a snapshot still CREATING, the newest or the restore one; the event log
  // records which it was, so tests catch a tool that does.
  const newestReady = app.snapshots.newestReady(now) === snapshot;
  app.snapshots.delete(snapshot, now + app.snapshotDeleteSeconds * 1000);
  app.record({
    at: now,
    type: 'deleted',
    snapshotName: snapshot.name,
    versionId: snapshot.versionId,
    status,
    origin: 'api',
    newestReady,
    restoreSnapshot:
      app.restoreType === 'RESTORE_FROM_CUSTOM_SNAPSHOT' && app.restoreSnapshotName === snapshot.name,
  });
  return {};
}

/** A restore configuration names a READY snapshot exactly when it restores from a custom one. */
function checkRestore(
  fleet: FleetSimulation,
  app: SimApplication,
  type: ApplicationRestoreType,
  snapshotName: string | undefined,
  now: number,
): void {
  if (type !== 'RESTORE_FROM_CUSTOM_SNAPSHOT') {
    if (snapshotName !== undefined) throw msfErrors.restoreNameNotAllowed(snapshotName, type);
    return;
  }
  if (snapshotName === undefined) throw msfErrors.restoreNameMissing(app.name);
  const status = fleet.requiredSnapshot(app, snapshotName, now).statusAt(now);
  if (status !== 'READY') throw msfErrors.restoreNotReady(app.name, snapshotName, String(status));
}

/**
 * Whether a SnapshotCreationTimestamp (epoch seconds) names a snapshot created at `createdAt` (epoch
 * ms). MSF accepts the exact value and the value truncated to the second: boto3 and the AWS CLI send
 * timestamps in AWS JSON as whole epoch seconds, so a timestamp listed as 00:00:00.789 comes back as 00:00:00.
 */
function matchesCreationTimestamp(seconds: number, createdAt: number): boolean {
  const ms = Math.round(seconds * 1000);
  return ms === createdAt || ms === Math.floor(createdAt / 1000) * 1000;
}

/** The cursor of ListApplicationSnapshots: the `[createdAt, name]` of the last snapshot returned. */
function isSnapshotCursor(value: unknown): value is [number, string] {
  return (
    Array.isArray(value) && value.length === 2 && Number.isFinite(value[0]) && typeof value[1] === 'string'
  );
}
