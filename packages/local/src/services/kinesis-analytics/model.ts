/**
 * State of the simulated MSF fleet. Nothing runs on a timer: an application's status and a snapshot's
 * status are computed from the simulated clock when read (a transition is a target status and the
 * instant it is reached), so 100,000 snapshots cost memory, not CPU.
 */
import { lowerBound, upperBound } from '../../common/sorted';
import type {
  ApplicationRestoreType,
  ApplicationStatus,
  ResolvedApplication,
  RuntimeEnvironment,
  SnapshotStatus,
} from './fleet';

/** One snapshot, kept small: 100,000 of them are loaded for benchmarks. */
export class Snapshot {
  /** Simulated epoch ms at which a deleted snapshot disappears; Infinity while not deleted. */
  goneAt = Number.POSITIVE_INFINITY;

  constructor(
    readonly name: string,
    readonly versionId: number,
    readonly runtime: RuntimeEnvironment,
    /** Simulated epoch ms, whole milliseconds (the wire carries seconds with 3 decimals). */
    readonly createdAt: number,
    /** Simulated epoch ms at which CREATING ends; Infinity for a snapshot that hangs. */
    public readyAt: number,
    /** Ends FAILED instead of READY. */
    public failed: boolean,
  ) {}

  /** Status at `now`, or undefined once a deleted snapshot is gone. */
  statusAt(now: number): SnapshotStatus | undefined {
    if (this.goneAt !== Number.POSITIVE_INFINITY) return now >= this.goneAt ? undefined : 'DELETING';
    if (now < this.readyAt) return 'CREATING';
    return this.failed ? 'FAILED' : 'READY';
  }
}

function compareSnapshots(a: SnapshotCursor, b: SnapshotCursor): number {
  return a.createdAt - b.createdAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Position after which `key` sorts in creation order (for pagination tokens). */
export interface SnapshotCursor {
  readonly createdAt: number;
  readonly name: string;
}

/**
 * The snapshots of one application: by name for lookups, in creation order for listing. Snapshots
 * still CREATING and those DELETING are also kept aside (a handful) so checks never scan them all.
 */
export class SnapshotBook {
  readonly #byName = new Map<string, Snapshot>();
  readonly #ordered: Snapshot[] = [];
  #creating: Snapshot[] = [];
  #deleting: Snapshot[] = [];

  /** Adds a snapshot (its name must be free). */
  add(snapshot: Snapshot, now: number): void {
    this.#byName.set(snapshot.name, snapshot);
    const last = this.#ordered.at(-1);
    if (last === undefined || compareSnapshots(last, snapshot) <= 0) this.#ordered.push(snapshot);
    else this.#ordered.splice(lowerBound(this.#ordered, snapshot, compareSnapshots), 0, snapshot);
    if (snapshot.goneAt !== Number.POSITIVE_INFINITY) this.#deleting.push(snapshot);
    else if (snapshot.readyAt > now) this.#creating.push(snapshot);
  }

  /** The snapshot of that name that exists at `now`. */
  get(name: string, now: number): Snapshot | undefined {
    const snapshot = this.#byName.get(name);
    if (snapshot === undefined) return undefined;
    if (snapshot.goneAt <= now) {
      this.purge(now);
      return undefined;
    }
    return snapshot;
  }

  /** Number of snapshots that exist at `now` (DELETING ones count until they are gone). */
  size(now: number): number {
    this.purge(now);
    return this.#ordered.length;
  }

  /** Snapshots still CREATING at `now`. */
  creating(now: number): Snapshot[] {
    if (this.#creating.length > 0) {
      this.#creating = this.#creating.filter((s) => s.readyAt > now && s.goneAt === Number.POSITIVE_INFINITY);
    }
    return this.#creating;
  }

  /** Marks a snapshot DELETING until `goneAt`. */
  delete(snapshot: Snapshot, goneAt: number): void {
    snapshot.goneAt = goneAt;
    this.#deleting.push(snapshot);
  }

  /** Up to `limit` snapshots after `cursor`, in creation order, and whether more follow. */
  page(cursor: SnapshotCursor | undefined, limit: number, now: number): { items: Snapshot[]; more: boolean } {
    this.purge(now);
    const start = cursor === undefined ? 0 : upperBound(this.#ordered, cursor, compareSnapshots);
    const items = this.#ordered.slice(start, start + limit);
    return { items, more: start + limit < this.#ordered.length };
  }

  /** The most recently created snapshot that is READY at `now`. */
  newestReady(now: number): Snapshot | undefined {
    for (let i = this.#ordered.length - 1; i >= 0; i--) {
      const snapshot = this.#ordered[i] as Snapshot;
      if (snapshot.statusAt(now) === 'READY') return snapshot;
    }
    return undefined;
  }

  /** Every snapshot that exists at `now`, oldest first. */
  all(now: number): readonly Snapshot[] {
    this.purge(now);
    return this.#ordered;
  }

  /** Drops deleted snapshots whose DELETING time has passed. */
  purge(now: number): void {
    if (this.#deleting.length === 0) return;
    const stillDeleting: Snapshot[] = [];
    for (const snapshot of this.#deleting) {
      if (snapshot.goneAt > now) {
        stillDeleting.push(snapshot);
        continue;
      }
      if (this.#byName.get(snapshot.name) === snapshot) this.#byName.delete(snapshot.name);
      const index = lowerBound(this.#ordered, snapshot, compareSnapshots);
      if (this.#ordered[index] === snapshot) this.#ordered.splice(index, 1);
    }
    this.#deleting = stillDeleting;
  }
}

/** Who made or removed a snapshot: an API call, or the service itself when stopping or updating. */
export type SnapshotOrigin = 'api' | 'stop' | 'update';

/** What happened to a snapshot, kept so tests can check invariants (never deleting a CREATING one). */
export interface SnapshotEvent {
  /** Simulated epoch ms. */
  readonly at: number;
  readonly type: 'created' | 'deleted';
  readonly snapshotName: string;
  readonly versionId: number;
  /** For `created`: CREATING. For `deleted`: the status the snapshot had when the delete arrived. */
  readonly status: SnapshotStatus;
  readonly origin: SnapshotOrigin;
  /** For `deleted`: it was the application's newest READY snapshot then (always false for `created`). */
  readonly newestReady: boolean;
  /** For `deleted`: it was named in the application's restore configuration then. */
  readonly restoreSnapshot: boolean;
}

/** Events kept per application (the oldest are dropped beyond this). */
export const EVENTS_PER_APPLICATION = 1000;

/** Target of a transition in progress; DELETED means the application disappears. */
type Settled = ApplicationStatus | 'DELETED';

export class SimApplication {
  readonly snapshots = new SnapshotBook();
  /** User tags by key (keys are case-sensitive), in the order they were first set. */
  readonly tags: Map<string, string>;
  readonly #events: SnapshotEvent[] = [];
  #status: ApplicationStatus;
  #settlesTo: Settled | undefined;
  #settlesAt = Number.POSITIVE_INFINITY;
  #deleted = false;

  description: string | undefined;
  serviceExecutionRole: string;
  runtime: RuntimeEnvironment;
  versionId: number;
  versionCreatedAt: number;
  lastUpdatedAt: number;
  snapshotsEnabled: boolean;
  restoreType: ApplicationRestoreType;
  restoreSnapshotName: string | undefined;
  allowNonRestoredState = false;
  snapshotDurationSeconds: { readonly min: number; readonly max: number };
  transitionSeconds: number;
  snapshotDeleteSeconds: number;

  constructor(
    readonly name: string,
    readonly createdAt: number,
    settings: Omit<ResolvedApplication, 'name' | 'snapshots' | 'status'> & {
      readonly serviceExecutionRole: string;
      readonly description?: string;
    },
  ) {
    this.#status = 'READY';
    this.tags = new Map(Object.entries(settings.tags));
    this.description = settings.description;
    this.serviceExecutionRole = settings.serviceExecutionRole;
    this.runtime = settings.runtime;
    this.versionId = settings.versionId;
    this.versionCreatedAt = createdAt;
    this.lastUpdatedAt = createdAt;
    this.snapshotsEnabled = settings.snapshotsEnabled;
    this.restoreType = settings.restoreType;
    this.restoreSnapshotName = settings.restoreSnapshotName;
    this.snapshotDurationSeconds = settings.snapshotDurationSeconds;
    this.transitionSeconds = settings.transitionSeconds;
    this.snapshotDeleteSeconds = settings.snapshotDeleteSeconds;
  }

  /** Status at `now` ('DELETED' once a deletion has completed). */
  statusAt(now: number): Settled {
    if (this.#settlesTo !== undefined && now >= this.#settlesAt) {
      if (this.#settlesTo === 'DELETED') this.#deleted = true;
      else this.#status = this.#settlesTo;
      this.#settlesTo = undefined;
      this.#settlesAt = Number.POSITIVE_INFINITY;
    }
    return this.#deleted ? 'DELETED' : this.#status;
  }

  /** Enters `status` now and settles to `to` at `at` (Infinity: never, until something else happens). */
  transition(status: ApplicationStatus, to: Settled, at: number): void {
    this.#status = status;
    this.#settlesTo = to;
    this.#settlesAt = at;
  }

  /** Sets a status with no transition pending. */
  setStatus(status: ApplicationStatus): void {
    this.#status = status;
    this.#settlesTo = undefined;
    this.#settlesAt = Number.POSITIVE_INFINITY;
  }

  record(event: SnapshotEvent): void {
    if (this.#events.length >= EVENTS_PER_APPLICATION) this.#events.shift();
    this.#events.push(event);
  }

  events(): readonly SnapshotEvent[] {
    return this.#events;
  }
}

/** Changes with every version, like MSF's token, so UpdateApplication can be made conditional on it. */
export function conditionalToken(app: SimApplication): string {
  return `${app.versionId.toString(36)}.${app.versionCreatedAt.toString(36)}`;
}
