/**
 * Kinesis Analytics V2 (Managed Service for Apache Flink) over a simulated fleet, in AWS JSON 1.1.
 * Applications and snapshots move through their statuses in simulated time, evaluated when read.
 * Errors are the ones MSF declares for each operation. Besides the wire API, the service object offers
 * a read API (`getApplication`, `listSnapshots`, `snapshotEvents`) and `seed`/`putApplication`, so
 * tests check invariants on the simulated fleet without HTTP.
 *
 * The house: inputs.ts (schemas), operations.ts (the operation table), errors.ts, model.ts
 * (applications, their tags, snapshots and their statuses in time), simulation.ts (the fleet and what
 * the service does on its own: snapshots and their faults), fleet.ts (the fleet file), access.ts (the
 * tenant binding: sessions tagged with a tenant act only on that tenant's applications), outputs.ts.
 */
import { isOperation, runOperation } from '../../protocol/operations';
import type { JsonService, ServiceContext, ServiceOptions, SessionDirectory } from '../../protocol/service';
import { bindToTenants } from './access';
import { msfErrors } from './errors';
import type { Fleet, FleetApplication, FleetDefaults } from './fleet';
import { KinesisAnalyticsInputs } from './inputs';
import type { SnapshotEvent } from './model';
import { type KinesisAnalyticsOperationTable, kinesisAnalyticsOperations } from './operations';
import { type ApplicationView, applicationView, type SnapshotView, snapshotView } from './outputs';
import { FleetSimulation, SIGNING_NAME } from './simulation';

export type { SnapshotEvent, SnapshotOrigin } from './model';
export type { ApplicationView, SnapshotView } from './outputs';

export interface KinesisAnalyticsOptions extends ServiceOptions {
  /** Applications and snapshots to start with. */
  readonly fleet?: Fleet;
  /**
   * STS's sessions (the StsService): a caller whose session carries the tenant tag acts only on
   * applications of its tenant (access.ts). Without it, no caller is checked.
   */
  readonly sessions?: SessionDirectory;
}

export class KinesisAnalyticsService implements JsonService {
  readonly signingName = SIGNING_NAME;
  readonly targetPrefix = 'KinesisAnalytics_20180523';
  readonly #fleet: FleetSimulation;
  readonly #operations: KinesisAnalyticsOperationTable;

  constructor(options: KinesisAnalyticsOptions) {
    this.#fleet = new FleetSimulation(options.clock, options.faults, options.random);
    const operations = kinesisAnalyticsOperations(this.#fleet);
    this.#operations =
      options.sessions === undefined ? operations : bindToTenants(operations, this.#fleet, options.sessions);
    if (options.fleet !== undefined) this.seed(options.fleet);
  }

  handle(operation: string, input: Record<string, unknown>, ctx: ServiceContext): unknown {
    if (!isOperation(KinesisAnalyticsInputs, operation)) {
      throw msfErrors.unknownOperation(operation, Object.keys(KinesisAnalyticsInputs));
    }
    return runOperation(KinesisAnalyticsInputs, this.#operations, operation, input, ctx, msfErrors.input);
  }

  // ---- read API and seeding, for tests and the local runtime ----

  /** Adds every application of a fleet (replacing any of the same name). */
  seed(fleet: Fleet): void {
    this.#fleet.seed(fleet);
  }

  /** Adds (or replaces) one application, as a fleet file entry describes it (default: the fleet's defaults). */
  putApplication(app: FleetApplication, defaults: FleetDefaults | undefined = this.#fleet.defaults): void {
    this.#fleet.putApplication(app, defaults);
  }

  /** The application now, or undefined if there is none of that name. */
  getApplication(name: string): ApplicationView | undefined {
    const now = this.#fleet.now();
    const app = this.#fleet.find(name, now);
    return app === undefined ? undefined : applicationView(app, now);
  }

  /** Every snapshot of the application now, oldest first; throws if there is no such application. */
  listSnapshots(name: string): SnapshotView[] {
    const now = this.#fleet.now();
    return this.#fleet
      .required(name, now)
      .snapshots.all(now)
      .map((snapshot) => snapshotView(snapshot, now));
  }

  /** Snapshots created and deleted on the application, oldest first (the last 1,000). */
  snapshotEvents(name: string): readonly SnapshotEvent[] {
    return this.#fleet.required(name, this.#fleet.now()).events();
  }

  /** Names of every application, in name order. */
  applicationNames(): readonly string[] {
    return this.#fleet.applicationNames();
  }
}
