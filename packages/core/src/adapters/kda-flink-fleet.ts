/**
 * FlinkFleet over Kinesis Analytics V2 (Managed Service for Apache Flink): one client per region, role
 * and tenant, each calling MSF through a session tagged with its tenant (credentials from STS, cached),
 * MSF's exceptions translated to the domain's.
 */
import {
  type ApplicationDetail,
  CreateApplicationSnapshotCommand,
  DeleteApplicationSnapshotCommand,
  DescribeApplicationCommand,
  DescribeApplicationSnapshotCommand,
  KinesisAnalyticsV2Client,
  type KinesisAnalyticsV2ClientConfig,
  ListApplicationSnapshotsCommand,
  type ListApplicationSnapshotsCommandOutput,
  ListTagsForResourceCommand,
  type SnapshotDetails,
  StartApplicationCommand,
  StopApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics-v2';
import type { STSClient } from '@aws-sdk/client-sts';
import { ApplicationNotFoundError, RestoreRefusedError, SnapshotQuotaExceededError } from '../domain/errors';
import { maintenanceWindowOf } from '../domain/maintenance';
import { SNAPSHOT_QUOTA, type Snapshot, SnapshotStatus } from '../domain/retention';
import {
  type ApplicationInfo,
  type Clock,
  CreateOutcome,
  type FlinkFleet,
  type FlinkSnapshots,
  type FlinkTarget,
  type StartOptions,
} from '../ports';
import { awsErrorCode, toDomainError } from './aws-errors';
import { RoleCredentialsCache, type RoleSession } from './role-credentials';

/** ListApplicationSnapshots' largest page. */
const PAGE_SIZE = 50;
const RESTORE_FROM_CUSTOM_SNAPSHOT = 'RESTORE_FROM_CUSTOM_SNAPSHOT';
const SNAPSHOT_STATUSES: ReadonlySet<string> = new Set(Object.values(SnapshotStatus));

export interface KdaFlinkFleetOptions {
  /** Region of applications whose configuration names none. */
  readonly defaultRegion: string;
  /** The stage: a role of another account is assumed with ExternalId `<stage>/<tenant>`. */
  readonly stage: string;
  /**
   * The role of the deployment's account through which the worker reaches its own account's
   * applications, assumed with the tenant's session tag: its policy allows only applications tagged with
   * the same tenant. Absent: the worker's own credentials (the code's binding check alone).
   */
  readonly msfAccessRoleArn?: string | undefined;
  /** Client that assumes the roles (its own credentials are the worker's). */
  readonly sts: STSClient;
  /**
   * Settings of every Kinesis Analytics V2 client (endpoint, credentials, retryMode, maxAttempts, …);
   * `region` comes from the target, and for a target with a role `credentials` are the role's.
   */
  readonly clientConfig?: Omit<KinesisAnalyticsV2ClientConfig, 'region'>;
  /** RoleSessionName of AssumeRole; default `flink-snapshots`. */
  readonly roleSessionName?: string;
  /** Clock against which assumed credentials' expiry is judged; default the system clock. */
  readonly clock?: Clock;
  /** Called with each client it creates (one per region and role), e.g. to add a timing middleware. */
  readonly onClient?: (client: KinesisAnalyticsV2Client) => void;
}

/** Hands out snapshot operations per (region, role), each on a cached client. */
export class KdaFlinkFleet implements FlinkFleet {
  readonly #options: KdaFlinkFleetOptions;
  readonly #roles: RoleCredentialsCache;
  readonly #targets = new Map<string, KdaFlinkSnapshots>();

  constructor(options: KdaFlinkFleetOptions) {
    this.#options = options;
    this.#roles = new RoleCredentialsCache({
      sts: options.sts,
      ...(options.roleSessionName === undefined ? {} : { roleSessionName: options.roleSessionName }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  }

  /**
   * The snapshot operations of a target, for its tenant: a role of another account is assumed with
   * ExternalId `<stage>/<tenant>`; an application of this account is reached through the MSF access role.
   * Either session carries the tenant's tag. One client per `${region}|${role}|${tenant}`, reused.
   */
  forTarget(target: FlinkTarget): KdaFlinkSnapshots {
    const region = target.region ?? this.#options.defaultRegion;
    const session = this.#sessionOf(target);
    const key = `${region}|${session?.roleArn ?? ''}|${target.tenant}`;
    let snapshots = this.#targets.get(key);
    if (snapshots === undefined) {
      const client = new KinesisAnalyticsV2Client({
        ...this.#options.clientConfig,
        region,
        ...(session === undefined ? {} : { credentials: () => this.#roles.get(session) }),
      });
      this.#options.onClient?.(client);
      snapshots = new KdaFlinkSnapshots(client, { region, ...session, tenant: target.tenant });
      this.#targets.set(key, snapshots);
    }
    return snapshots;
  }

  #sessionOf(target: FlinkTarget): RoleSession | undefined {
    if (target.roleArn !== undefined) {
      return {
        roleArn: target.roleArn,
        tenant: target.tenant,
        externalId: externalIdOf(this.#options.stage, target.tenant),
      };
    }
    const access = this.#options.msfAccessRoleArn;
    return access === undefined ? undefined : { roleArn: access, tenant: target.tenant };
  }

  /** Closes every client's connections (tests, and the local runtime on exit). */
  destroy(): void {
    for (const snapshots of this.#targets.values()) snapshots.client.destroy();
    this.#targets.clear();
  }
}

/** The ExternalId a role of another account requires of the worker acting for a tenant: `<stage>/<tenant>`. */
export function externalIdOf(stage: string, tenant: string): string {
  return `${stage}/${tenant}`;
}

/** Snapshot operations on one region and role, for one tenant. */
export class KdaFlinkSnapshots implements FlinkSnapshots {
  constructor(
    readonly client: KinesisAnalyticsV2Client,
    private readonly target: {
      readonly region: string;
      readonly tenant: string;
      readonly roleArn?: string | undefined;
      readonly externalId?: string | undefined;
    },
  ) {}

  /** Status, version, whether snapshots are enabled and the custom restore snapshot of an application. */
  async describeApplication(application: string): Promise<ApplicationInfo> {
    const operation = 'DescribeApplication';
    let detail: ApplicationDetail | undefined;
    try {
      detail = (await this.client.send(new DescribeApplicationCommand({ ApplicationName: application })))
        .ApplicationDetail;
    } catch (error) {
      throw this.#translate(error, operation, application);
    }
    if (detail === undefined) {
      throw new Error(
        `${operation} for application ${application} returned no ApplicationDetail; expected the application's description`,
      );
    }
    const configuration = detail.ApplicationConfigurationDescription;
    const restore = configuration?.RunConfigurationDescription?.ApplicationRestoreConfigurationDescription;
    return {
      name: detail.ApplicationName ?? application,
      arn: detail.ApplicationARN ?? '',
      status: detail.ApplicationStatus ?? 'UNKNOWN',
      versionId: detail.ApplicationVersionId ?? 0,
      snapshotsEnabled: configuration?.ApplicationSnapshotConfigurationDescription?.SnapshotsEnabled === true,
      restoreSnapshotName:
        restore?.ApplicationRestoreType === RESTORE_FROM_CUSTOM_SNAPSHOT ? restore.SnapshotName : undefined,
      restoreType: restore?.ApplicationRestoreType,
      allowNonRestoredState:
        configuration?.RunConfigurationDescription?.FlinkRunConfigurationDescription?.AllowNonRestoredState,
      maintenanceWindow: maintenanceWindowOf(detail.ApplicationMaintenanceConfigurationDescription),
    };
  }

  /**
   * Creates the named snapshot. A snapshot of that name already there (a previous delivery made it) is
   * `already-exists`; the application busy otherwise is ResourceInUseError; the snapshot quota reached is
   * SnapshotQuotaExceededError, raised on the first answer: the SDK's retry would take
   * LimitExceededException for throttling and try again in vain.
   */
  async createSnapshot(application: string, snapshotName: string): Promise<CreateOutcome> {
    const operation = 'CreateApplicationSnapshot';
    const command = new CreateApplicationSnapshotCommand({
      ApplicationName: application,
      SnapshotName: snapshotName,
    });
    command.middlewareStack.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          // Inside the retry loop: what leaves here as a quota error is not classified as retryable.
          if (awsErrorCode(error) !== 'LimitExceededException') throw error;
          throw new SnapshotQuotaExceededError({ application, limit: SNAPSHOT_QUOTA }, { cause: error });
        }
      },
      { step: 'finalizeRequest', priority: 'low', name: 'snapshotQuotaIsNotThrottling' },
    );
    try {
      await this.client.send(command);
      return CreateOutcome.CREATED;
    } catch (error) {
      if (awsErrorCode(error) === 'LimitExceededException') {
        // Reached only with a retry strategy that bypasses the middleware above (a custom one).
        throw new SnapshotQuotaExceededError({ application, limit: SNAPSHOT_QUOTA }, { cause: error });
      }
      if (awsErrorCode(error) !== 'ResourceInUseException') {
        throw this.#translate(error, operation, application);
      }
      if ((await this.describeSnapshot(application, snapshotName)) !== undefined) {
        return CreateOutcome.ALREADY_EXISTS;
      }
      throw this.#translate(error, operation, application);
    }
  }

  /** The snapshot, or undefined when the application holds none of that name. */
  async describeSnapshot(application: string, snapshotName: string): Promise<Snapshot | undefined> {
    const operation = 'DescribeApplicationSnapshot';
    try {
      const output = await this.client.send(
        new DescribeApplicationSnapshotCommand({ ApplicationName: application, SnapshotName: snapshotName }),
      );
      return output.SnapshotDetails === undefined
        ? undefined
        : toSnapshot(output.SnapshotDetails, operation, application);
    } catch (error) {
      if (awsErrorCode(error) === 'ResourceNotFoundException') return undefined;
      throw toDomainError(error, { operation, application, ...this.#who() });
    }
  }

  /** Every snapshot of the application: every page, every application version. */
  async listSnapshots(application: string): Promise<Snapshot[]> {
    const operation = 'ListApplicationSnapshots';
    const snapshots: Snapshot[] = [];
    let nextToken: string | undefined;
    do {
      let page: ListApplicationSnapshotsCommandOutput;
      try {
        page = await this.client.send(
          new ListApplicationSnapshotsCommand({
            ApplicationName: application,
            Limit: PAGE_SIZE,
            NextToken: nextToken,
          }),
        );
      } catch (error) {
        throw this.#translate(error, operation, application);
      }
      for (const details of page.SnapshotSummaries ?? []) {
        snapshots.push(toSnapshot(details, operation, application));
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined && nextToken !== '');
    return snapshots;
  }

  /** Deletes a snapshot by name and listed creation time; one already gone counts as deleted. */
  async deleteSnapshot(application: string, snapshot: Snapshot): Promise<void> {
    const operation = 'DeleteApplicationSnapshot';
    try {
      await this.client.send(
        new DeleteApplicationSnapshotCommand({
          ApplicationName: application,
          SnapshotName: snapshot.name,
          SnapshotCreationTimestamp: new Date(snapshot.createdAt),
        }),
      );
    } catch (error) {
      if (awsErrorCode(error) === 'ResourceNotFoundException') return;
      throw toDomainError(error, { operation, application, ...this.#who() });
    }
  }

  /** The application's tags, by key. */
  async listTags(applicationArn: string): Promise<Record<string, string>> {
    const operation = 'ListTagsForResource';
    const application = applicationArn.slice(applicationArn.lastIndexOf('/') + 1);
    try {
      const output = await this.client.send(new ListTagsForResourceCommand({ ResourceARN: applicationArn }));
      return Object.fromEntries((output.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
    } catch (error) {
      throw this.#translate(error, operation, application);
    }
  }

  /** Stops the application gracefully: MSF snapshots it first when snapshots are enabled. */
  async stopApplication(application: string): Promise<void> {
    try {
      await this.client.send(new StopApplicationCommand({ ApplicationName: application, Force: false }));
    } catch (error) {
      throw this.#translate(error, 'StopApplication', application);
    }
  }

  /**
   * Starts a READY application; with `restoreFromSnapshot`, from that snapshot (RESTORE_FROM_CUSTOM_SNAPSHOT).
   * A ResourceNotFoundException then means the snapshot is missing when the application is there.
   */
  async startApplication(application: string, options: StartOptions): Promise<void> {
    const operation = 'StartApplication';
    const snapshot = options.restoreFromSnapshot;
    try {
      await this.client.send(
        new StartApplicationCommand({
          ApplicationName: application,
          RunConfiguration: {
            FlinkRunConfiguration: { AllowNonRestoredState: options.allowNonRestoredState },
            ...(snapshot === undefined
              ? {}
              : {
                  ApplicationRestoreConfiguration: {
                    ApplicationRestoreType: RESTORE_FROM_CUSTOM_SNAPSHOT,
                    SnapshotName: snapshot,
                  },
                }),
          },
        }),
      );
    } catch (error) {
      if (
        snapshot !== undefined &&
        awsErrorCode(error) === 'ResourceNotFoundException' &&
        (await this.describeSnapshot(application, snapshot)) === undefined
      ) {
        throw new RestoreRefusedError(
          {
            application,
            snapshot,
            reason: `MSF has no snapshot ${snapshot} of application ${application} (StartApplication answered ResourceNotFoundException); expected an existing READY snapshot (list them with ListApplicationSnapshots)`,
          },
          { cause: error },
        );
      }
      throw this.#translate(error, operation, application);
    }
  }

  /** ResourceNotFoundException on an application means it does not exist (in this region, for this role). */
  #translate(error: unknown, operation: string, application: string): unknown {
    if (awsErrorCode(error) === 'ResourceNotFoundException') {
      return new ApplicationNotFoundError({ application, region: this.target.region }, { cause: error });
    }
    return toDomainError(error, { operation, application, ...this.#who() });
  }

  /** Who the calls are made as: the role, the tenant and the ExternalId, for AccessDeniedError. */
  #who() {
    const { roleArn, tenant, externalId } = this.target;
    return { roleArn, tenant, externalId };
  }
}

function toSnapshot(details: SnapshotDetails, operation: string, application: string): Snapshot {
  const { SnapshotName: name, SnapshotStatus: status, ApplicationVersionId: applicationVersionId } = details;
  const createdAt = details.SnapshotCreationTimestamp?.getTime();
  if (
    name === undefined ||
    status === undefined ||
    !SNAPSHOT_STATUSES.has(status) ||
    createdAt === undefined ||
    applicationVersionId === undefined
  ) {
    throw new Error(
      `${operation} for application ${application} returned snapshot ${JSON.stringify(details)}; expected a name, a status of ${[...SNAPSHOT_STATUSES].join(', ')}, a creation time and an application version`,
    );
  }
  return { name, status: status as SnapshotStatus, createdAt, applicationVersionId };
}
