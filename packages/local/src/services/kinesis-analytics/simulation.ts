/**
 * The simulated fleet: applications by name (seeded from a fleet file or created through the API), the
 * simulated clock they live on, and what the service itself does to them: taking a snapshot (whose
 * outcome the fault rules decide), settling seeded transitions, forgetting deleted applications.
 */
import type { SimClock } from '../../common/clock';
import type { Faults } from '../../control/faults';
import { msfErrors } from './errors';
import {
  type Fleet,
  type FleetApplication,
  type FleetDefaults,
  type ResolvedApplication,
  resolveFleet,
  resolveFleetApplication,
} from './fleet';
import { SimApplication, Snapshot, type SnapshotOrigin } from './model';

/** The signing name, which fault rules match on. */
export const SIGNING_NAME = 'kinesisanalytics';
const DEFAULT_ROLE = 'arn:aws:iam::000000000000:role/local-flink-application';

/** The simulated applications by name, on the simulated clock. */
export class FleetSimulation {
  readonly #apps = new Map<string, SimApplication>();
  /** Defaults of the last fleet seeded; CreateApplication uses them too. */
  #defaults: FleetDefaults | undefined;
  /** Application names in order, for ListApplications; rebuilt after an application comes or goes. */
  #sortedNames: string[] | undefined;

  constructor(
    private readonly clock: SimClock,
    private readonly faults: Faults,
    private readonly random: () => number,
  ) {}

  /** Defaults of the last fleet seeded. */
  get defaults(): FleetDefaults | undefined {
    return this.#defaults;
  }

  /** Simulated epoch ms, whole milliseconds. */
  now(): number {
    return Math.floor(this.clock.now());
  }

  /** A fresh id for a started, stopped or updated application, drawn from the seed. */
  operationId(): string {
    let id = '';
    for (let i = 0; i < 4; i++) id += Math.floor(this.random() * 2 ** 32).toString(36);
    return id;
  }

  /** Adds every application of a fleet (replacing any of the same name). */
  seed(fleet: Fleet): void {
    const now = this.now();
    if (fleet.defaults !== undefined) this.#defaults = fleet.defaults;
    for (const app of resolveFleet(fleet, now)) this.#install(app, now);
  }

  /** Adds (or replaces) one application, as a fleet file entry describes it. */
  putApplication(app: FleetApplication, defaults: FleetDefaults | undefined): void {
    const now = this.now();
    this.#install(resolveFleetApplication(app, defaults, now), now);
  }

  /** Adds an application created through the API. */
  add(app: SimApplication): void {
    if (!this.#apps.has(app.name)) this.#sortedNames = undefined;
    this.#apps.set(app.name, app);
  }

  /** The application of that name, unless a deletion has completed (then it is forgotten). */
  find(name: string, now: number): SimApplication | undefined {
    const app = this.#apps.get(name);
    if (app === undefined) return undefined;
    if (app.statusAt(now) === 'DELETED') {
      this.#forget(name);
      return undefined;
    }
    return app;
  }

  /** The application of that name, or ResourceNotFoundException. */
  required(name: string, now: number): SimApplication {
    const app = this.find(name, now);
    if (app === undefined) throw msfErrors.applicationNotFound(name);
    return app;
  }

  /** The application's snapshot of that name, or ResourceNotFoundException. */
  requiredSnapshot(app: SimApplication, name: string, now: number): Snapshot {
    const snapshot = app.snapshots.get(name, now);
    if (snapshot === undefined) throw msfErrors.snapshotNotFound(app.name, name);
    return snapshot;
  }

  /** Names of every application, in name order (deleted ones forgotten first). */
  applicationNames(): readonly string[] {
    const now = this.now();
    for (const [name, app] of this.#apps) if (app.statusAt(now) === 'DELETED') this.#forget(name);
    this.#sortedNames ??= [...this.#apps.keys()].sort();
    return this.#sortedNames;
  }

  /** Starts a snapshot; the fault rules decide now whether it will fail or hang. */
  takeSnapshot(
    app: SimApplication,
    name: string,
    now: number,
    origin: SnapshotOrigin,
    operation: string,
  ): Snapshot {
    const query = { service: SIGNING_NAME, operation, application: app.name };
    const hangs = this.faults.fire('snapshot-hangs', query) !== undefined;
    const fails = !hangs && this.faults.fire('snapshot-fails', query) !== undefined;
    const { min, max } = app.snapshotDurationSeconds;
    const durationMs = Math.round((min + this.random() * (max - min)) * 1000);
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
        seeded.status === 'CREATING' ? now + Math.round((min + this.random() * (max - min)) * 1000) : 0;
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
    this.add(app);
  }

  #forget(name: string): void {
    this.#apps.delete(name);
    this.#sortedNames = undefined;
  }
}
