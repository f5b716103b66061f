/**
 * What each Kinesis Analytics V2 operation returns, in its JSON 1.1 shape (timestamps in epoch seconds),
 * and the views the service's read API gives tests and the local runtime.
 */
import type { ServiceContext } from '../../protocol/service';
import type { ApplicationRestoreType, ApplicationStatus, RuntimeEnvironment, SnapshotStatus } from './fleet';
import { conditionalToken, type SimApplication, type Snapshot } from './model';

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
  /** The application's tags by key. */
  readonly tags: Readonly<Record<string, string>>;
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

export interface ApplicationDetail {
  readonly ApplicationARN: string;
  readonly ApplicationName: string;
  readonly ApplicationDescription?: string;
  readonly RuntimeEnvironment: RuntimeEnvironment;
  readonly ServiceExecutionRole: string;
  readonly ApplicationStatus: ApplicationStatus | 'DELETED';
  readonly ApplicationVersionId: number;
  readonly CreateTimestamp: number;
  readonly LastUpdateTimestamp: number;
  readonly ApplicationVersionCreateTimestamp: number;
  readonly ApplicationConfigurationDescription: {
    readonly ApplicationSnapshotConfigurationDescription: { readonly SnapshotsEnabled: boolean };
    readonly RunConfigurationDescription: {
      readonly ApplicationRestoreConfigurationDescription: {
        readonly ApplicationRestoreType: ApplicationRestoreType;
        readonly SnapshotName?: string;
      };
      readonly FlinkRunConfigurationDescription: { readonly AllowNonRestoredState: boolean };
    };
  };
  readonly ApplicationMode: 'STREAMING';
  readonly ConditionalToken: string;
}

export interface ApplicationSummary {
  readonly ApplicationName: string;
  readonly ApplicationARN: string;
  readonly ApplicationStatus: ApplicationStatus | 'DELETED';
  readonly ApplicationVersionId: number;
  readonly RuntimeEnvironment: RuntimeEnvironment;
  readonly ApplicationMode: 'STREAMING';
}

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface SnapshotDetails {
  readonly SnapshotName: string;
  readonly SnapshotStatus: SnapshotStatus;
  readonly ApplicationVersionId: number;
  readonly SnapshotCreationTimestamp: number;
  readonly RuntimeEnvironment: RuntimeEnvironment;
}

/** The JSON output of each operation. */
export interface KinesisAnalyticsOutputs {
  CreateApplication: { ApplicationDetail: ApplicationDetail };
  DescribeApplication: { ApplicationDetail: ApplicationDetail };
  ListApplications: { ApplicationSummaries: ApplicationSummary[]; NextToken?: string };
  StartApplication: { OperationId: string };
  StopApplication: { OperationId: string };
  UpdateApplication: { ApplicationDetail: ApplicationDetail; OperationId?: string };
  DeleteApplication: Record<string, never>;
  CreateApplicationSnapshot: Record<string, never>;
  DescribeApplicationSnapshot: { SnapshotDetails: SnapshotDetails };
  ListApplicationSnapshots: { SnapshotSummaries: SnapshotDetails[]; NextToken?: string };
  DeleteApplicationSnapshot: Record<string, never>;
  TagResource: Record<string, never>;
  UntagResource: Record<string, never>;
  ListTagsForResource: { Tags: Tag[] };
}

/** `arn:aws:kinesisanalytics:<region>:<account>:application/<name>`. */
export function applicationArn(name: string, ctx: ServiceContext): string {
  return `arn:aws:kinesisanalytics:${ctx.region}:${ctx.accountId}:application/${name}`;
}

/** The name of the application `arn` names on this server (its region and account), if it names one. */
export function applicationNameOf(arn: string, ctx: ServiceContext): string | undefined {
  const prefix = applicationArn('', ctx);
  return arn.startsWith(prefix) && arn.length > prefix.length ? arn.slice(prefix.length) : undefined;
}

/** An application as DescribeApplication (and Create/Update) return it. */
export function applicationDetail(app: SimApplication, ctx: ServiceContext, now: number): ApplicationDetail {
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

/** A snapshot as DescribeApplicationSnapshot and ListApplicationSnapshots return it. */
export function snapshotDetails(snapshot: Snapshot, now: number): SnapshotDetails {
  return {
    SnapshotName: snapshot.name,
    SnapshotStatus: snapshot.statusAt(now) ?? 'DELETING',
    ApplicationVersionId: snapshot.versionId,
    SnapshotCreationTimestamp: snapshot.createdAt / 1000,
    RuntimeEnvironment: snapshot.runtime,
  };
}

/** The application now, as the service's read API gives it. */
export function applicationView(app: SimApplication, now: number): ApplicationView {
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
    tags: Object.fromEntries(app.tags),
  };
}

/** The snapshot now, as the service's read API gives it. */
export function snapshotView(snapshot: Snapshot, now: number): SnapshotView {
  return {
    name: snapshot.name,
    status: snapshot.statusAt(now) ?? 'DELETING',
    versionId: snapshot.versionId,
    runtime: snapshot.runtime,
    createdAt: snapshot.createdAt,
  };
}
