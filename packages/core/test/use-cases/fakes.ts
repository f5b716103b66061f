/** In-memory fakes of our own ports, for use-case tests. Plain classes, no SDK, no module mocking. */
import {
  type Alert,
  type Alerts,
  type AppConfig,
  type ApplicationInfo,
  ApplicationNotFoundError,
  buildSnapshotMessage,
  type Clock,
  type ConfigParameter,
  type ConfigSource,
  CreateOutcome,
  configParameterName,
  type Deployment,
  type Deps,
  type DispatchInput,
  type EndedRun,
  type FlinkFleet,
  type FlinkSnapshots,
  type FlinkTarget,
  type Log,
  type MetricName,
  type Metrics,
  type NewRun,
  type PointerUpdate,
  parseAppConfig,
  type RunError,
  type RunKey,
  type RunPatch,
  type RunRecord,
  RunState,
  type RunStore,
  runIdFromTick,
  type ScheduleEntry,
  type SendEntry,
  type Snapshot,
  SnapshotQuotaExceededError,
  type StartOptions,
  TENANT_TAG_KEY,
  type WorkQueue,
} from '@flink-snapshots/core';

export class FakeClock implements Clock {
  constructor(public time = Date.UTC(2026, 10, 22, 8, 30)) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export class MemoryConfigSource implements ConfigSource {
  readonly parameters = new Map<string, ConfigParameter>();
  put(name: string, value: unknown, type = 'String'): void {
    const version = (this.parameters.get(name)?.version ?? 0) + 1;
    this.parameters.set(name, {
      name,
      value: typeof value === 'string' ? value : JSON.stringify(value),
      version,
      type,
    });
  }
  async get(name: string): Promise<ConfigParameter | undefined> {
    return this.parameters.get(name);
  }
  async readAll(prefix: string): Promise<ConfigParameter[]> {
    return [...this.parameters.values()].filter((p) => p.name.startsWith(prefix));
  }
  /** Pages of at most 10, as GetParametersByPath returns them. */
  async *pages(prefix: string): AsyncGenerator<ConfigParameter[]> {
    const all = await this.readAll(prefix);
    for (let i = 0; i < all.length; i += 10) yield all.slice(i, i + 10);
  }
}

export class MemoryWorkQueue implements WorkQueue {
  readonly sent: SendEntry[] = [];
  readonly batches: SendEntry[][] = [];
  async sendBatch(entries: readonly SendEntry[]): Promise<void> {
    this.batches.push([...entries]);
    this.sent.push(...entries);
  }
  /** Bodies of everything sent, parsed. */
  messages(): Array<Record<string, unknown>> {
    return this.sent.map((entry) => JSON.parse(entry.body) as Record<string, unknown>);
  }
  take(): SendEntry[] {
    return this.sent.splice(0, this.sent.length);
  }
}

export interface FakeApplication {
  info: ApplicationInfo;
  snapshots: Snapshot[];
  tags: Record<string, string>;
  /** Errors to throw from the next calls, by operation. */
  failNext?: Partial<
    Record<'create' | 'describeApplication' | 'describeSnapshot' | 'delete' | 'start' | 'stop', Error[]>
  >;
  /** A status the application reaches at a time (STOPPING → READY, STARTING → RUNNING), as MSF moves it. */
  settles?: { readonly status: string; readonly at: number } | undefined;
  /** The run configurations of its starts, in order. */
  starts?: StartOptions[];
}

/** A tiny MSF: snapshots are created READY unless `createAs` says otherwise. */
export class FakeFlink implements FlinkSnapshots, FlinkFleet {
  readonly apps = new Map<string, FakeApplication>();
  readonly targets: FlinkTarget[] = [];
  readonly calls: string[] = [];
  createAs: Snapshot['status'] = 'CREATING';
  quota = 1000;
  /** How long STOPPING and STARTING last (ms of the world's clock); a start ends READY when `startFails`. */
  transitionMs = 60_000;
  startFails = false;
  /** Deletions leave snapshots DELETING (still counted against the quota) until `finishDeletions`. */
  slowDeletes = false;
  /** When snapshots are created: the world's clock. */
  now: () => number = () => Date.UTC(2026, 10, 22, 8, 30);

  /** Every create and delete, with the tenant of the target it was made through. */
  readonly mutations: {
    readonly op: 'create' | 'delete' | 'stop' | 'start';
    readonly application: string;
    readonly tenant: string;
  }[] = [];

  forTarget(target: FlinkTarget): FlinkSnapshots {
    this.targets.push(target);
    const mutated = (op: 'create' | 'delete' | 'stop' | 'start', application: string) =>
      this.mutations.push({ op, application, tenant: target.tenant });
    return {
      describeApplication: (application) => this.describeApplication(application),
      createSnapshot: (application, name) => {
        mutated('create', application);
        return this.createSnapshot(application, name);
      },
      describeSnapshot: (application, name) => this.describeSnapshot(application, name),
      listSnapshots: (application) => this.listSnapshots(application),
      deleteSnapshot: (application, snapshot) => {
        mutated('delete', application);
        return this.deleteSnapshot(application, snapshot);
      },
      listTags: (arn) => this.listTags(arn),
      stopApplication: (application) => {
        mutated('stop', application);
        return this.stopApplication(application);
      },
      startApplication: (application, options) => {
        mutated('start', application);
        return this.startApplication(application, options);
      },
    };
  }

  /** An application, tagged as tenant `team`'s (the tenant of configOf) unless `tags` says otherwise. */
  add(
    name: string,
    info: Partial<ApplicationInfo> = {},
    snapshots: Snapshot[] = [],
    tags: Record<string, string> = { [TENANT_TAG_KEY]: 'team' },
  ): FakeApplication {
    const app: FakeApplication = {
      info: {
        name,
        arn: `arn:aws:kinesisanalytics:${DEPLOYMENT.region}:${DEPLOYMENT.accountId}:application/${name}`,
        status: 'RUNNING',
        versionId: 1,
        snapshotsEnabled: true,
        ...info,
      },
      snapshots,
      tags,
    };
    this.apps.set(name, app);
    return app;
  }

  setStatus(application: string, snapshot: string, status: Snapshot['status']): void {
    const found = this.app(application).snapshots.find((s) => s.name === snapshot);
    if (!found) throw new Error(`no snapshot ${snapshot}`);
    found.status = status;
  }

  private app(name: string): FakeApplication {
    const app = this.apps.get(name);
    if (!app) throw new ApplicationNotFoundError({ application: name });
    return app;
  }

  private failure(app: FakeApplication, op: keyof NonNullable<FakeApplication['failNext']>): void {
    const error = app.failNext?.[op]?.shift();
    if (error) throw error;
  }

  async describeApplication(application: string): Promise<ApplicationInfo> {
    this.calls.push(`DescribeApplication ${application}`);
    const app = this.app(application);
    this.failure(app, 'describeApplication');
    if (app.settles !== undefined && this.now() >= app.settles.at) {
      app.info = { ...app.info, status: app.settles.status };
      app.settles = undefined;
    }
    return app.info;
  }

  /** A graceful stop of a RUNNING application: MSF's own snapshot (when enabled), STOPPING, then READY. */
  async stopApplication(application: string): Promise<void> {
    this.calls.push(`StopApplication ${application}`);
    const app = this.app(application);
    this.failure(app, 'stop');
    await this.describeApplication(application);
    if (app.info.status !== 'RUNNING')
      throw new Error(`fake: ${application} is ${app.info.status}, not RUNNING`);
    if (app.info.snapshotsEnabled) {
      app.snapshots.push({
        name: `msf-stop-${this.now()}`,
        status: 'READY',
        createdAt: this.now(),
        applicationVersionId: app.info.versionId,
      });
    }
    app.info = { ...app.info, status: 'STOPPING' };
    app.settles = { status: 'READY', at: this.now() + this.transitionMs };
  }

  /** A start of a READY application: STARTING, then RUNNING (or READY again when `startFails`). */
  async startApplication(application: string, options: StartOptions): Promise<void> {
    this.calls.push(`StartApplication ${application} ${options.restoreFromSnapshot ?? ''}`.trim());
    const app = this.app(application);
    this.failure(app, 'start');
    await this.describeApplication(application);
    if (app.info.status !== 'READY') throw new Error(`fake: ${application} is ${app.info.status}, not READY`);
    const snapshot = options.restoreFromSnapshot;
    if (snapshot !== undefined && !app.snapshots.some((s) => s.name === snapshot && s.status === 'READY')) {
      throw new Error(`fake: no READY snapshot ${snapshot}`);
    }
    app.starts = [...(app.starts ?? []), options];
    app.info = {
      ...app.info,
      status: 'STARTING',
      ...(snapshot === undefined
        ? {}
        : { restoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT', restoreSnapshotName: snapshot }),
      allowNonRestoredState: options.allowNonRestoredState,
    };
    app.settles = { status: this.startFails ? 'READY' : 'RUNNING', at: this.now() + this.transitionMs };
  }

  async createSnapshot(application: string, snapshotName: string): Promise<CreateOutcome> {
    this.calls.push(`CreateApplicationSnapshot ${application} ${snapshotName}`);
    const app = this.app(application);
    this.failure(app, 'create');
    if (app.snapshots.some((s) => s.name === snapshotName)) return CreateOutcome.ALREADY_EXISTS;
    if (app.snapshots.length >= this.quota) {
      throw new SnapshotQuotaExceededError({ application, limit: this.quota, total: app.snapshots.length });
    }
    app.snapshots.push({
      name: snapshotName,
      status: this.createAs,
      createdAt: this.now(),
      applicationVersionId: app.info.versionId,
    });
    return CreateOutcome.CREATED;
  }

  async describeSnapshot(application: string, snapshotName: string): Promise<Snapshot | undefined> {
    this.calls.push(`DescribeApplicationSnapshot ${application} ${snapshotName}`);
    const app = this.app(application);
    this.failure(app, 'describeSnapshot');
    const found = app.snapshots.find((s) => s.name === snapshotName);
    return found && { ...found };
  }

  async listSnapshots(application: string): Promise<Snapshot[]> {
    this.calls.push(`ListApplicationSnapshots ${application}`);
    return this.app(application).snapshots.map((s) => ({ ...s }));
  }

  async deleteSnapshot(application: string, snapshot: Snapshot): Promise<void> {
    this.calls.push(`DeleteApplicationSnapshot ${application} ${snapshot.name}`);
    const app = this.app(application);
    this.failure(app, 'delete');
    if (this.slowDeletes) {
      app.snapshots = app.snapshots.map((s) => (s.name === snapshot.name ? { ...s, status: 'DELETING' } : s));
      return;
    }
    app.snapshots = app.snapshots.filter((s) => s.name !== snapshot.name);
  }

  /** Removes every DELETING snapshot, as MSF does once deletions finish. */
  finishDeletions(): void {
    for (const app of this.apps.values())
      app.snapshots = app.snapshots.filter((s) => s.status !== 'DELETING');
  }

  async listTags(applicationArn: string): Promise<Record<string, string>> {
    const application = applicationArn.slice(applicationArn.lastIndexOf('/') + 1);
    this.calls.push(`ListTagsForResource ${application}`);
    return { ...this.app(application).tags };
  }
}

/** Where the fakes' pipeline is deployed. */
export const DEPLOYMENT: Deployment = {
  region: 'us-east-1',
  accountId: '000000000000',
  partition: 'aws',
  roleArnPattern: 'arn:aws:iam::*:role/flink-snapshots-*',
};

/** A dispatcher tick of stage `test` at the world's time; an open stage (no registry) unless told. */
export function tickAt(w: World, overrides: Partial<DispatchInput> = {}): DispatchInput {
  return {
    stage: 'test',
    tick: w.clock.now(),
    tickMinutes: 5,
    deployment: DEPLOYMENT,
    tenantMode: 'open',
    ...overrides,
  };
}

const SCHEDULE = 'SCHEDULE';

/** The runs table in memory, with the conditional-write semantics of DynamoRunStore. */
export class MemoryRunStore implements RunStore {
  readonly items = new Map<string, RunRecord>();
  readonly pointers = new Map<string, ScheduleEntry>();

  private id(key: RunKey): string {
    return `${key.appKey}|${key.runId}`;
  }

  async readSchedule(): Promise<Map<string, ScheduleEntry>> {
    return new Map(this.pointers);
  }

  async markScheduled(update: PointerUpdate): Promise<void> {
    const current: ScheduleEntry = this.pointers.get(update.appKey) ?? { appKey: update.appKey };
    const forward =
      update.lastRunId !== undefined &&
      (current.lastRunId === undefined || current.lastRunId <= update.lastRunId);
    const { staleSince, ...kept } = current;
    this.pointers.set(update.appKey, {
      ...kept,
      ...(forward ? { lastRunId: update.lastRunId, lastRunAt: update.lastRunAt } : {}),
      ...(current.firstSeenAt === undefined && update.firstSeenAt !== undefined
        ? { firstSeenAt: update.firstSeenAt }
        : {}),
      ...(update.invalidDigest === undefined ? {} : { invalidDigest: update.invalidDigest }),
      ...(update.durationsMs === undefined ? {} : { durationsMs: update.durationsMs }),
      ...(update.nextSlotAt === undefined ? {} : { nextSlotAt: update.nextSlotAt }),
      ...(update.staleSince === null
        ? {}
        : { staleSince: update.staleSince === undefined ? staleSince : update.staleSince }),
    });
  }

  async recordEnding(
    key: { readonly appKey: string; readonly tenant: string },
    ending: EndedRun & { readonly readyAt?: number | undefined; readonly durationMs?: number | undefined },
  ): Promise<void> {
    const current: ScheduleEntry = this.pointers.get(key.appKey) ?? { appKey: key.appKey };
    if (current.lastEnded !== undefined && current.lastEnded.runId > ending.runId) return;
    const { readyAt, durationMs, ...ended } = ending;
    if (readyAt !== undefined && current.lastReadyAt !== undefined && current.lastReadyAt > readyAt) return;
    this.pointers.set(key.appKey, {
      ...current,
      lastEnded: ended,
      ...(readyAt === undefined ? {} : { lastReadyAt: readyAt }),
      ...(durationMs === undefined ? {} : { durationsMs: [...(current.durationsMs ?? []), durationMs] }),
    });
  }

  readonly pins = new Map<string, Set<string>>();
  readonly restorePoints = new Map<string, string>();

  async forget(appKey: string): Promise<boolean> {
    if (
      !this.pointers.has(appKey) ||
      (this.pins.get(appKey)?.size ?? 0) > 0 ||
      this.restorePoints.has(appKey)
    ) {
      return false;
    }
    return this.pointers.delete(appKey);
  }

  async pinsOf(appKey: string): Promise<ReadonlySet<string>> {
    const restorePoint = this.restorePoints.get(appKey);
    return new Set([...(this.pins.get(appKey) ?? []), ...(restorePoint === undefined ? [] : [restorePoint])]);
  }

  async setRestorePoint(
    key: { readonly appKey: string; readonly tenant: string },
    snapshot: string,
  ): Promise<string | undefined> {
    const previous = this.restorePoints.get(key.appKey);
    this.restorePoints.set(key.appKey, snapshot);
    return previous;
  }

  async setPinned(
    key: { readonly appKey: string; readonly tenant: string },
    snapshot: string,
    pinned: boolean,
  ): Promise<void> {
    const pins = this.pins.get(key.appKey) ?? new Set<string>();
    if (pinned) pins.add(snapshot);
    else pins.delete(snapshot);
    this.pins.set(key.appKey, pins);
  }

  async noteRetry(key: RunKey, error: RunError, now: number): Promise<void> {
    const existing = this.items.get(this.id(key));
    if (!existing) return;
    this.items.set(this.id(key), {
      ...existing,
      attempts: (existing.attempts ?? 0) + 1,
      lastRetryableError: error,
      updatedAt: now,
    });
  }

  async defer(key: RunKey, until: number, reason: string, now: number): Promise<boolean> {
    const existing = this.items.get(this.id(key));
    if (existing?.state !== 'DISPATCHED') return false;
    this.items.set(this.id(key), {
      ...existing,
      deferredUntil: until,
      deferredReason: reason,
      updatedAt: now,
    });
    return true;
  }

  async countResend(key: RunKey, resends: number, now: number): Promise<boolean> {
    const existing = this.items.get(this.id(key));
    if (existing?.state !== 'DISPATCHED' || (existing.resends ?? 0) !== resends) return false;
    this.items.set(this.id(key), { ...existing, resends: resends + 1, updatedAt: now });
    return true;
  }

  async create(run: NewRun, now: number, redoFrom: readonly RunState[] = []): Promise<boolean> {
    if (run.runId === SCHEDULE) throw new Error('runId SCHEDULE is reserved');
    const existing = this.items.get(this.id(run));
    if (existing && !redoFrom.includes(existing.state)) return false;
    this.items.set(this.id(run), {
      ...run,
      at: { [run.state]: now },
      updatedAt: now,
      expiresAt: now / 1000 + 90 * 86400,
    });
    return true;
  }

  async transition(
    key: RunKey,
    from: RunState | readonly RunState[],
    to: RunState,
    patch: RunPatch,
    now: number,
  ): Promise<RunRecord | undefined> {
    const existing = this.items.get(this.id(key));
    const allowed: readonly RunState[] = typeof from === 'string' ? [from] : from;
    if (!existing || !allowed.includes(existing.state)) return undefined;
    const next: RunRecord = {
      ...existing,
      ...patch,
      state: to,
      at: { ...existing.at, [to]: now },
      updatedAt: now,
    };
    this.items.set(this.id(key), next);
    return next;
  }

  async clearPendingAlerts(key: RunKey, now: number): Promise<void> {
    const existing = this.items.get(this.id(key));
    if (!existing) return;
    const { pendingAlerts: _published, ...rest } = existing;
    this.items.set(this.id(key), { ...rest, alertedAt: now, updatedAt: now });
  }

  async countPoll(key: RunKey, polls: number, now: number): Promise<boolean> {
    const existing = this.items.get(this.id(key));
    if (existing?.state !== 'SNAPSHOT_REQUESTED' || (existing.polls ?? 0) !== polls) return false;
    this.items.set(this.id(key), { ...existing, polls: polls + 1, updatedAt: now });
    return true;
  }

  async get(key: RunKey): Promise<RunRecord | undefined> {
    return this.items.get(this.id(key));
  }

  async listByApplication(appKey: string, limit: number): Promise<RunRecord[]> {
    return [...this.items.values()]
      .filter((r) => r.appKey === appKey)
      .sort((a, b) => (a.runId < b.runId ? 1 : -1))
      .slice(0, limit);
  }

  async listByRun(runId: string): Promise<RunRecord[]> {
    return [...this.items.values()].filter((r) => r.runId === runId);
  }
}

export class RecordingAlerts implements Alerts {
  readonly published: Alert[] = [];
  /** Errors the next publishes throw, in order (SNS throttling beyond the client's retries). */
  readonly failNext: Error[] = [];
  async publish(alert: Alert): Promise<void> {
    const error = this.failNext.shift();
    if (error) throw error;
    this.published.push(alert);
  }
}

export class RecordingMetrics implements Metrics {
  readonly values = new Map<string, number[]>();
  count(name: MetricName, value = 1): void {
    this.values.set(name, [...(this.values.get(name) ?? []), value]);
  }
  seconds(name: MetricName, value: number): void {
    this.count(name, value);
  }
  gauge(name: MetricName, value: number): void {
    this.count(name, value);
  }
  total(name: MetricName): number {
    return (this.values.get(name) ?? []).reduce((a, b) => a + b, 0);
  }
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

export interface World extends Deps {
  readonly configs: MemoryConfigSource;
  readonly queue: MemoryWorkQueue;
  readonly flink: FakeFlink;
  readonly runs: MemoryRunStore;
  readonly alerts: RecordingAlerts;
  readonly clock: FakeClock;
  readonly metrics: RecordingMetrics;
}

/** A fresh set of fakes wired as Deps. */
export function world(): World {
  const clock = new FakeClock();
  const flink = new FakeFlink();
  flink.now = () => clock.now();
  return {
    configs: new MemoryConfigSource(),
    queue: new MemoryWorkQueue(),
    flink,
    runs: new MemoryRunStore(),
    alerts: new RecordingAlerts(),
    clock,
    log: silentLog,
    metrics: new RecordingMetrics(),
    random: () => 0.5,
  };
}

/** The parsed configuration of `team/<app>` on stage `test`, from a parameter value. */
export function configOf(app: string, value: Record<string, unknown> = {}): AppConfig {
  const result = parseAppConfig(configParameterName('test', 'team', app), JSON.stringify(value), {
    stage: 'test',
    tickMinutes: 5,
  });
  if (!result.ok) throw result.error;
  return result.config;
}

/** Dispatches one run of `app` by hand: the DISPATCHED item and its snapshot message body. */
export async function dispatched(w: World, config: AppConfig): Promise<{ body: string; runId: string }> {
  const runId = runIdFromTick(w.clock.now());
  await w.runs.create(
    {
      appKey: config.appKey,
      runId,
      tenant: config.tenant,
      application: config.applicationName,
      state: RunState.DISPATCHED,
    },
    w.clock.now(),
  );
  return { body: JSON.stringify(buildSnapshotMessage({ config, runId, now: w.clock.now() })), runId };
}
