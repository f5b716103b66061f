/**
 * Kinesis Analytics V2 (Managed Service for Apache Flink) over a simulated fleet, in AWS JSON 1.1.
 * Applications and snapshots move through their statuses in simulated time, evaluated when read.
 * Errors are the ones MSF declares for each operation. Besides the wire API, the service object offers
 * a read API (`getApplication`, `listSnapshots`, `snapshotEvents`) and `seed`/`putApplication`, so
 * tests check invariants on the simulated fleet without HTTP.
 */
import type { z } from 'zod';
import type { SimClock } from '../../common/clock';
import { upperBound } from '../../common/sorted';
import type { Faults } from '../../control/faults';
import { AwsError, type JsonService, type ServiceContext, type ServiceOptions } from '../../protocol/service';
import {
  type ApplicationRestoreType,
  type ApplicationStatus,
  type Fleet,
  type FleetApplication,
  type FleetDefaults,
  type ResolvedApplication,
  type RuntimeEnvironment,
  resolveFleet,
  resolveFleetApplication,
  SNAPSHOTS_PER_APPLICATION_LIMIT,
  type SnapshotStatus,
} from './fleet';
import {
  CreateApplicationInput,
  CreateApplicationSnapshotInput,
  DeleteApplicationInput,
  DeleteApplicationSnapshotInput,
  DescribeApplicationInput,
  DescribeApplicationSnapshotInput,
  ListApplicationSnapshotsInput,
  ListApplicationsInput,
  parseInput,
  StartApplicationInput,
  StopApplicationInput,
  UpdateApplicationInput,
} from './inputs';
import { SimApplication, Snapshot, type SnapshotEvent, type SnapshotOrigin } from './model';

export type { SnapshotEvent, SnapshotOrigin } from './model';

export interface KinesisAnalyticsOptions extends ServiceOptions {
  /** Applications and snapshots to start with. */
  readonly fleet?: Fleet;
}

/** An application as the simulator holds it now (for tests and the local runtime). */
export interface ApplicationView {
  readonly name: string;
  readonly status: ApplicationStatus;
  readonly versionId: number;
  readonly runtime: RuntimeEnvironment;
  readonly snapshotsEnabled: boolean;
  readonly restoreType: ApplicationRestoreType;
  readonly restoreSnapshotName: string | undefined;
  /** Simulated epoch ms. */
  readonly createdAt: number;
  readonly snapshotCount: number;
}

/** A snapshot as the simulator holds it now. */
export interface SnapshotView {
  readonly name: string;
  readonly status: SnapshotStatus;
  readonly versionId: number;
  readonly runtime: RuntimeEnvironment;
  /** Simulated epoch ms. */
  readonly createdAt: number;
}

const SERVICE = 'kinesisanalytics';
const DEFAULT_ROLE = 'arn:aws:iam::000000000000:role/local-flink-application';
const OPERATIONS = [
  'CreateApplication',
  'DescribeApplication',
  'ListApplications',
  'StartApplication',
  'StopApplication',
  'UpdateApplication',
  'DeleteApplication',
  'CreateApplicationSnapshot',
  'DescribeApplicationSnapshot',
  'ListApplicationSnapshots',
  'DeleteApplicationSnapshot',
] as const;

export class KinesisAnalyticsService implements JsonService {
  readonly signingName = SERVICE;
  readonly targetPrefix = 'KinesisAnalytics_20180523';
  readonly #clock: SimClock;
  readonly #faults: Faults;
  readonly #random: () => number;
  readonly #apps = new Map<string, SimApplication>();
  /** Defaults of the last fleet seeded; CreateApplication uses them too. */
  #defaults: FleetDefaults | undefined;
  /** Application names in order, for ListApplications; rebuilt after an application comes or goes. */
  #sortedNames: string[] | undefined;

  constructor(options: KinesisAnalyticsOptions) {
    this.#clock = options.clock;
    this.#faults = options.faults;
    this.#random = options.random;
    if (options.fleet !== undefined) this.seed(options.fleet);
  }

  handle(operation: string, input: Record<string, unknown>, ctx: ServiceContext): unknown {
    switch (operation) {
      case 'CreateApplication':
        return this.#createApplication(parseInput(CreateApplicationInput, input), ctx);
      case 'DescribeApplication':
        return this.#describeApplication(parseInput(DescribeApplicationInput, input), ctx);
      case 'ListApplications':
        return this.#listApplications(parseInput(ListApplicationsInput, input), ctx);
      case 'StartApplication':
        return this.#startApplication(parseInput(StartApplicationInput, input));
      case 'StopApplication':
        return this.#stopApplication(parseInput(StopApplicationInput, input));
      case 'UpdateApplication':
        return this.#updateApplication(parseInput(UpdateApplicationInput, input), ctx);
      case 'DeleteApplication':
        return this.#deleteApplication(parseInput(DeleteApplicationInput, input));
      case 'CreateApplicationSnapshot':
        return this.#createApplicationSnapshot(parseInput(CreateApplicationSnapshotInput, input));
      case 'DescribeApplicationSnapshot':
        return this.#describeApplicationSnapshot(parseInput(DescribeApplicationSnapshotInput, input));
      case 'ListApplicationSnapshots':
        return this.#listApplicationSnapshots(parseInput(ListApplicationSnapshotsInput, input));
      case 'DeleteApplicationSnapshot':
        return this.#deleteApplicationSnapshot(parseInput(DeleteApplicationSnapshotInput, input));
      default:
        throw new AwsError(
          'UnknownOperationException',
          `Operation ${operation} is not supported by the local Kinesis Analytics V2; supported: ${OPERATIONS.join(', ')}`,
        );
    }
  }

  // ---- read API and seeding, for tests and the local runtime ----

  /** Adds every application of a fleet (replacing any of the same name). */
  seed(fleet: Fleet): void {
    const now = this.#now();
    if (fleet.defaults !== undefined) this.#defaults = fleet.defaults;
    for (const app of resolveFleet(fleet, now)) this.#install(app, now);
  }

  /** Adds (or replaces) one application, as a fleet file entry describes it (default: the fleet's defaults). */
  putApplication(app: FleetApplication, defaults: FleetDefaults | undefined = this.#defaults): void {
    const now = this.#now();
    this.#install(resolveFleetApplication(app, defaults, now), now);
  }

  /** The application now, or undefined if there is none of that name. */
  getApplication(name: string): ApplicationView | undefined {
    const now = this.#now();
    const app = this.#find(name, now);
    if (app === undefined) return undefined;
    return {
      name: app.name,
      status: app.statusAt(now) as ApplicationStatus,
      versionId: app.versionId,
      runtime: app.runtime,
      snapshotsEnabled: app.snapshotsEnabled,
      restoreType: app.restoreType,
      restoreSnapshotName: app.restoreSnapshotName,
      createdAt: app.createdAt,
      snapshotCount: app.snapshots.size(now),
    };
  }

  /** Every snapshot of the application now, oldest first; throws if there is no such application. */
  listSnapshots(name: string): SnapshotView[] {
    const now = this.#now();
    return this.#required(name, now)
      .snapshots.all(now)
      .map((snapshot) => snapshotView(snapshot, now));
  }

  /** Snapshots created and deleted on the application, oldest first (the last 1,000). */
  snapshotEvents(name: string): readonly SnapshotEvent[] {
    return this.#required(name, this.#now()).events();
  }

  /** Names of every application, in name order. */
  applicationNames(): readonly string[] {
    const now = this.#now();
    for (const [name, app] of this.#apps) if (app.statusAt(now) === 'DELETED') this.#forget(name);
    return this.#names();
  }

  // ---- operations ----

  #createApplication(input: z.output<typeof CreateApplicationInput>, ctx: ServiceContext): unknown {
    const now = this.#now();
    if (this.#find(input.ApplicationName, now) !== undefined) {
      throw new AwsError(
        'ResourceInUseException',
        `Application ${input.ApplicationName} already exists; choose another name or delete it first`,
      );
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
      this.#defaults,
      now,
    );
    const app = new SimApplication(input.ApplicationName, now, {
      ...settings,
      serviceExecutionRole: input.ServiceExecutionRole,
      ...(input.ApplicationDescription === undefined ? {} : { description: input.ApplicationDescription }),
    });
    app.setStatus('READY');
    this.#add(app);
    return { ApplicationDetail: this.#detail(app, ctx, now) };
  }

  #describeApplication(input: { ApplicationName: string }, ctx: ServiceContext): unknown {
    const now = this.#now();
    return { ApplicationDetail: this.#detail(this.#required(input.ApplicationName, now), ctx, now) };
  }

  #listApplications(input: { Limit?: number; NextToken?: string }, ctx: ServiceContext): unknown {
    const now = this.#now();
    const names = this.applicationNames();
    const limit = input.Limit ?? 50;
    let start = 0;
    if (input.NextToken !== undefined) {
      const after = decodeToken(input.NextToken, (value): value is string => typeof value === 'string');
      start = upperBound(names, after);
    }
    const summaries: unknown[] = [];
    let index = start;
    for (; index < names.length && summaries.length < limit; index++) {
      const app = this.#find(names[index] as string, now);
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
      ...(index < names.length && last !== undefined ? { NextToken: encodeToken(last) } : {}),
    };
  }

  #startApplication(input: z.output<typeof StartApplicationInput>): unknown {
    const now = this.#now();
    const app = this.#required(input.ApplicationName, now);
    const status = app.statusAt(now);
    if (status !== 'READY') {
      throw new AwsError(
        'ResourceInUseException',
        `Application ${app.name} is in ${status} status; it can be started only when READY`,
      );
    }
    const restore = input.RunConfiguration?.ApplicationRestoreConfiguration;
    if (restore !== undefined) {
      this.#checkRestore(app, restore.ApplicationRestoreType, restore.SnapshotName, now);
      app.restoreType = restore.ApplicationRestoreType;
      app.restoreSnapshotName = restore.SnapshotName;
    }
    const flink = input.RunConfiguration?.FlinkRunConfiguration;
    if (flink?.AllowNonRestoredState !== undefined) app.allowNonRestoredState = flink.AllowNonRestoredState;
    app.transition('STARTING', 'RUNNING', now + app.transitionSeconds * 1000);
    return { OperationId: this.#operationId() };
  }

  #stopApplication(input: { ApplicationName: string; Force?: boolean }): unknown {
    const now = this.#now();
    const app = this.#required(input.ApplicationName, now);
    const status = app.statusAt(now);
    if (input.Force === true) {
      if (status === 'READY' || status === 'DELETING' || status === 'FORCE_STOPPING') {
        throw new AwsError(
          'ResourceInUseException',
          `Application ${app.name} is in ${status} status; there is nothing to force-stop`,
        );
      }
      // A forced stop takes no snapshot and cuts short any snapshot in progress: it ends FAILED.
      for (const snapshot of app.snapshots.creating(now)) {
        snapshot.failed = true;
        snapshot.readyAt = now;
      }
      app.transition('FORCE_STOPPING', 'READY', now + app.transitionSeconds * 1000);
      return { OperationId: this.#operationId() };
    }
    if (status !== 'RUNNING') {
      throw new AwsError(
        'ResourceInUseException',
        `Application ${app.name} is in ${status} status; it can be stopped only when RUNNING (or with Force)`,
      );
    }
    let readyAt = now;
    if (app.snapshotsEnabled) {
      if (app.snapshots.size(now) >= SNAPSHOTS_PER_APPLICATION_LIMIT) {
        throw this.#limitExceeded(app, 'the snapshot StopApplication takes');
      }
      readyAt = this.#takeSnapshot(app, `msf-stop-${now}`, now, 'stop', 'StopApplication').readyAt;
    }
    app.transition('STOPPING', 'READY', readyAt + app.transitionSeconds * 1000);
    return { OperationId: this.#operationId() };
  }

  #updateApplication(input: z.output<typeof UpdateApplicationInput>, ctx: ServiceContext): unknown {
    const now = this.#now();
    const app = this.#required(input.ApplicationName, now);
    if (input.CurrentApplicationVersionId === undefined && input.ConditionalToken === undefined) {
      throw new AwsError(
        'InvalidArgumentException',
        `UpdateApplication of ${app.name} needs CurrentApplicationVersionId or ConditionalToken; got neither`,
      );
    }
    if (
      input.CurrentApplicationVersionId !== undefined &&
      input.CurrentApplicationVersionId !== app.versionId
    ) {
      throw new AwsError(
        'ConcurrentModificationException',
        `CurrentApplicationVersionId ${input.CurrentApplicationVersionId} does not match application ${app.name}'s current version ${app.versionId}; describe the application and retry with its version`,
      );
    }
    if (input.ConditionalToken !== undefined && input.ConditionalToken !== conditionalToken(app)) {
      throw new AwsError(
        'ConcurrentModificationException',
        `ConditionalToken ${input.ConditionalToken} does not match application ${app.name}'s current token ${conditionalToken(app)}`,
      );
    }
    const status = app.statusAt(now);
    if (status !== 'READY' && status !== 'RUNNING') {
      throw new AwsError(
        'ResourceInUseException',
        `Application ${app.name} is in ${status} status; it can be updated only when READY or RUNNING`,
      );
    }
    const restore = input.RunConfigurationUpdate?.ApplicationRestoreConfiguration;
    if (restore !== undefined) {
      this.#checkRestore(app, restore.ApplicationRestoreType, restore.SnapshotName, now);
    }

    let operationId: string | undefined;
    if (status === 'RUNNING') {
      // A running application is snapshotted (with its old version), updated and restarted.
      let readyAt = now;
      if (app.snapshotsEnabled && app.snapshots.size(now) < SNAPSHOTS_PER_APPLICATION_LIMIT) {
        readyAt = this.#takeSnapshot(app, `msf-update-${now}`, now, 'update', 'UpdateApplication').readyAt;
      }
      app.transition('UPDATING', 'RUNNING', readyAt + app.transitionSeconds * 1000);
      operationId = this.#operationId();
    }
    const snapshotsEnabled =
      input.ApplicationConfigurationUpdate?.ApplicationSnapshotConfigurationUpdate?.SnapshotsEnabledUpdate;
    if (snapshotsEnabled !== undefined) app.snapshotsEnabled = snapshotsEnabled;
    if (restore !== undefined) {
      app.restoreType = restore.ApplicationRestoreType;
      app.restoreSnapshotName = restore.SnapshotName;
    }
    const allowNonRestored = input.RunConfigurationUpdate?.FlinkRunConfiguration?.AllowNonRestoredState;
    if (allowNonRestored !== undefined) app.allowNonRestoredState = allowNonRestored;
    if (input.RuntimeEnvironmentUpdate !== undefined) app.runtime = input.RuntimeEnvironmentUpdate;
    if (input.ServiceExecutionRoleUpdate !== undefined) {
      app.serviceExecutionRole = input.ServiceExecutionRoleUpdate;
    }
    app.versionId += 1;
    app.versionCreatedAt = now;
    app.lastUpdatedAt = now;
    return {
      ApplicationDetail: this.#detail(app, ctx, now),
      ...(operationId === undefined ? {} : { OperationId: operationId }),
    };
  }

  #deleteApplication(input: { ApplicationName: string; CreateTimestamp: number }): unknown {
    const now = this.#now();
    const app = this.#required(input.ApplicationName, now);
    if (Math.round(input.CreateTimestamp * 1000) !== app.createdAt) {
      throw new AwsError(
        'InvalidArgumentException',
        `CreateTimestamp ${input.CreateTimestamp} does not match application ${app.name}'s CreateTimestamp ${app.createdAt / 1000}`,
      );
    }
    const status = app.statusAt(now);
    if (status === 'DELETING') {
      throw new AwsError('ResourceInUseException', `Application ${app.name} is already DELETING`);
    }
    app.transition('DELETING', 'DELETED', now + app.transitionSeconds * 1000);
    return {};
  }

  #createApplicationSnapshot(input: { ApplicationName: string; SnapshotName: string }): unknown {
    const now = this.#now();
    const app = this.#required(input.ApplicationName, now);
    const status = app.statusAt(now);
    if (status !== 'RUNNING') {
      throw new AwsError(
        'ResourceInUseException',
        `Application ${app.name} is in ${status} status; snapshots can be created only when it is RUNNING`,
      );
    }
    if (app.runtime === 'SQL-1_0') {
      throw new AwsError(
        'UnsupportedOperationException',
        `Application ${app.name} runs SQL-1_0; snapshots are supported for Apache Flink applications only`,
      );
    }
    if (!app.snapshotsEnabled) {
      throw new AwsError(
        'InvalidRequestException',
        `Snapshots are disabled for application ${app.name}; enable them with UpdateApplication (SnapshotsEnabledUpdate: true)`,
      );
    }
    const existing = app.snapshots.get(input.SnapshotName, now);
    if (existing !== undefined) {
      throw new AwsError(
        'ResourceInUseException',
        `Snapshot ${input.SnapshotName} already exists for application ${app.name} (status ${existing.statusAt(now)}); snapshot names must be unique`,
      );
    }
    const [creating] = app.snapshots.creating(now);
    if (creating !== undefined) {
      throw new AwsError(
        'ResourceInUseException',
        `Application ${app.name} is already creating snapshot ${creating.name}; wait until it is READY or FAILED`,
      );
    }
    if (app.snapshots.size(now) >= SNAPSHOTS_PER_APPLICATION_LIMIT) {
      throw this.#limitExceeded(app, `snapshot ${input.SnapshotName}`);
    }
    this.#takeSnapshot(app, input.SnapshotName, now, 'api', 'CreateApplicationSnapshot');
    return {};
  }

  #describeApplicationSnapshot(input: { ApplicationName: string; SnapshotName: string }): unknown {
    const now = this.#now();
    const app = this.#required(input.ApplicationName, now);
    return { SnapshotDetails: snapshotDetails(this.#requiredSnapshot(app, input.SnapshotName, now), now) };
  }

  #listApplicationSnapshots(input: { ApplicationName: string; Limit?: number; NextToken?: string }): unknown {
    const now = this.#now();
    const app = this.#required(input.ApplicationName, now);
    const cursor =
      input.NextToken === undefined
        ? undefined
        : decodeToken(input.NextToken, (value): value is [number, string] => isCursorTuple(value));
    const { items, more } = app.snapshots.page(
      cursor === undefined ? undefined : { createdAt: cursor[0], name: cursor[1] },
      input.Limit ?? 50,
      now,
    );
    const last = items.at(-1);
    return {
      SnapshotSummaries: items.map((snapshot) => snapshotDetails(snapshot, now)),
      ...(more && last !== undefined ? { NextToken: encodeToken([last.createdAt, last.name]) } : {}),
    };
  }

  #deleteApplicationSnapshot(input: {
    ApplicationName: string;
    SnapshotName: string;
    SnapshotCreationTimestamp: number;
  }): unknown {
    const now = this.#now();
    const app = this.#required(input.ApplicationName, now);
    const snapshot = this.#requiredSnapshot(app, input.SnapshotName, now);
    if (!matchesCreationTimestamp(input.SnapshotCreationTimestamp, snapshot.createdAt)) {
      throw new AwsError(
        'InvalidArgumentException',
        `SnapshotCreationTimestamp ${input.SnapshotCreationTimestamp} does not match snapshot ${snapshot.name}'s creation timestamp ${snapshot.createdAt / 1000} (application ${app.name})`,
      );
    }
    const status = snapshot.statusAt(now);
    if (status === 'DELETING' || status === undefined) {
      throw new AwsError(
        'ResourceInUseException',
        `Snapshot ${snapshot.name} of application ${app.name} is already DELETING`,
      );
    }
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

  // ---- helpers ----

  #now(): number {
    return Math.floor(this.#clock.now());
  }

  #operationId(): string {
    let id = '';
    for (let i = 0; i < 4; i++) id += Math.floor(this.#random() * 2 ** 32).toString(36);
    return id;
  }

  /** The application of that name, unless a deletion has completed (then it is forgotten). */
  #find(name: string, now: number): SimApplication | undefined {
    const app = this.#apps.get(name);
    if (app === undefined) return undefined;
    if (app.statusAt(now) === 'DELETED') {
      this.#forget(name);
      return undefined;
    }
    return app;
  }

  #required(name: string, now: number): SimApplication {
    const app = this.#find(name, now);
    if (app === undefined) {
      throw new AwsError('ResourceNotFoundException', `Application ${name} not found`);
    }
    return app;
  }

  #requiredSnapshot(app: SimApplication, name: string, now: number): Snapshot {
    const snapshot = app.snapshots.get(name, now);
    if (snapshot === undefined) {
      throw new AwsError(
        'ResourceNotFoundException',
        `Snapshot ${name} not found for application ${app.name}`,
      );
    }
    return snapshot;
  }

  #limitExceeded(app: SimApplication, what: string): AwsError {
    return new AwsError(
      'LimitExceededException',
      `Application ${app.name} already has ${SNAPSHOTS_PER_APPLICATION_LIMIT} snapshots, the maximum; cannot create ${what}. Delete snapshots first`,
    );
  }

  #checkRestore(
    app: SimApplication,
    type: ApplicationRestoreType,
    snapshotName: string | undefined,
    now: number,
  ): void {
    if (type !== 'RESTORE_FROM_CUSTOM_SNAPSHOT') {
      if (snapshotName !== undefined) {
        throw new AwsError(
          'InvalidArgumentException',
          `SnapshotName ${snapshotName} is only allowed with RESTORE_FROM_CUSTOM_SNAPSHOT, got ${type}`,
        );
      }
      return;
    }
    if (snapshotName === undefined) {
      throw new AwsError(
        'InvalidArgumentException',
        `RESTORE_FROM_CUSTOM_SNAPSHOT needs a SnapshotName (application ${app.name})`,
      );
    }
    const status = this.#requiredSnapshot(app, snapshotName, now).statusAt(now);
    if (status !== 'READY') {
      throw new AwsError(
        'InvalidArgumentException',
        `Snapshot ${snapshotName} of application ${app.name} is ${status}; restoring needs a READY snapshot`,
      );
    }
  }

  /** Starts a snapshot; the fault rules decide now whether it will fail or hang. */
  #takeSnapshot(
    app: SimApplication,
    name: string,
    now: number,
    origin: SnapshotOrigin,
    operation: string,
  ): Snapshot {
    const query = { service: SERVICE, operation, application: app.name };
    const hangs = this.#faults.fire('snapshot-hangs', query) !== undefined;
    const fails = !hangs && this.#faults.fire('snapshot-fails', query) !== undefined;
    const { min, max } = app.snapshotDurationSeconds;
    const durationMs = Math.round((min + this.#random() * (max - min)) * 1000);
    const snapshot = new Snapshot(
      name,
      app.versionId,
      app.runtime,
      now,
      hangs ? Number.POSITIVE_INFINITY : now + durationMs,
      fails,
    );
    app.snapshots.add(snapshot, now);
    app.record({
      at: now,
      type: 'created',
      snapshotName: name,
      versionId: app.versionId,
      status: 'CREATING',
      origin,
      newestReady: false,
      restoreSnapshot: false,
    });
    return snapshot;
  }

  #install(resolved: ResolvedApplication, now: number): void {
    const app = new SimApplication(resolved.name, now, { ...resolved, serviceExecutionRole: DEFAULT_ROLE });
    const transitionMs = resolved.transitionSeconds * 1000;
    switch (resolved.status) {
      case 'READY':
      case 'RUNNING':
        app.setStatus(resolved.status);
        break;
      case 'STOPPING':
        app.transition('STOPPING', 'READY', now + transitionMs);
        break;
      default:
        app.transition(resolved.status, 'RUNNING', now + transitionMs);
    }
    const { min, max } = resolved.snapshotDurationSeconds;
    for (const seeded of resolved.snapshots) {
      // A seeded CREATING snapshot finishes one snapshot duration from now; a DELETING one goes away.
      const readyAt =
        seeded.status === 'CREATING' ? now + Math.round((min + this.#random() * (max - min)) * 1000) : 0;
      const snapshot = new Snapshot(
        seeded.name,
        seeded.versionId,
        resolved.runtime,
        seeded.createdAt,
        readyAt,
        seeded.status === 'FAILED',
      );
      if (seeded.status === 'DELETING') snapshot.goneAt = now + resolved.snapshotDeleteSeconds * 1000;
      app.snapshots.add(snapshot, now);
    }
    this.#add(app);
  }

  #add(app: SimApplication): void {
    if (!this.#apps.has(app.name)) this.#sortedNames = undefined;
    this.#apps.set(app.name, app);
  }

  #forget(name: string): void {
    this.#apps.delete(name);
    this.#sortedNames = undefined;
  }

  #names(): string[] {
    this.#sortedNames ??= [...this.#apps.keys()].sort();
    return this.#sortedNames;
  }

  #detail(app: SimApplication, ctx: ServiceContext, now: number): unknown {
    return {
      ApplicationARN: applicationArn(app.name, ctx),
      ApplicationName: app.name,
      ...(app.description === undefined ? {} : { ApplicationDescription: app.description }),
      RuntimeEnvironment: app.runtime,
      ServiceExecutionRole: app.serviceExecutionRole,
      ApplicationStatus: app.statusAt(now),
      ApplicationVersionId: app.versionId,
      CreateTimestamp: app.createdAt / 1000,
      LastUpdateTimestamp: app.lastUpdatedAt / 1000,
      ApplicationVersionCreateTimestamp: app.versionCreatedAt / 1000,
      ApplicationConfigurationDescription: {
        ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: app.snapshotsEnabled },
        RunConfigurationDescription: {
          ApplicationRestoreConfigurationDescription: {
            ApplicationRestoreType: app.restoreType,
            ...(app.restoreSnapshotName === undefined ? {} : { SnapshotName: app.restoreSnapshotName }),
          },
          FlinkRunConfigurationDescription: { AllowNonRestoredState: app.allowNonRestoredState },
        },
      },
      ApplicationMode: 'STREAMING',
      ConditionalToken: conditionalToken(app),
    };
  }
}

function applicationArn(name: string, ctx: ServiceContext): string {
  return `arn:aws:kinesisanalytics:${ctx.region}:${ctx.accountId}:application/${name}`;
}

/** Changes with every version, like MSF's token, so UpdateApplication can be made conditional on it. */
function conditionalToken(app: SimApplication): string {
  return `${app.versionId.toString(36)}.${app.versionCreatedAt.toString(36)}`;
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

function snapshotDetails(snapshot: Snapshot, now: number): unknown {
  return {
    SnapshotName: snapshot.name,
    SnapshotStatus: snapshot.statusAt(now) ?? 'DELETING',
    ApplicationVersionId: snapshot.versionId,
    SnapshotCreationTimestamp: snapshot.createdAt / 1000,
    RuntimeEnvironment: snapshot.runtime,
  };
}

function snapshotView(snapshot: Snapshot, now: number): SnapshotView {
  return {
    name: snapshot.name,
    status: snapshot.statusAt(now) ?? 'DELETING',
    versionId: snapshot.versionId,
    runtime: snapshot.runtime,
    createdAt: snapshot.createdAt,
  };
}

function isCursorTuple(value: unknown): value is [number, string] {
  return (
    Array.isArray(value) && value.length === 2 && Number.isFinite(value[0]) && typeof value[1] === 'string'
  );
}

function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeToken<T>(token: string, valid: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!valid(value)) {
    throw new AwsError(
      'InvalidArgumentException',
      `NextToken '${token.slice(0, 64)}' is not valid; pass the NextToken of the previous response unchanged`,
    );
  }
  return value;
}
