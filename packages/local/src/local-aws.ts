/**
 * `startLocalAws`: every emulated service behind one loopback port, in-process, for tests, benchmarks
 * and the CLI. One seed makes a run reproducible: services and fault rules each draw from their own
 * seeded stream.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimClock } from './common/clock';
import { seededRandom } from './common/random';
import { createControlPlane } from './control/control-plane';
import { Counters } from './control/counters';
import { Faults } from './control/faults';
import { createFrontDoor } from './protocol/front-door';
import type { ServiceContext } from './protocol/service';
import { DynamoDbService } from './services/dynamodb';
import { KinesisAnalyticsService } from './services/kinesis-analytics';
import { type Fleet, parseFleet } from './services/kinesis-analytics/fleet';
import { SnsService } from './services/sns';
import { SqsService } from './services/sqs';
import { SsmService } from './services/ssm';
import { StsService } from './services/sts';

export const DEFAULT_PORT = 4566;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '000000000000';

export interface LocalAwsOptions {
  /** 0 picks a free port; default 4566. */
  readonly port?: number;
  readonly host?: '127.0.0.1';
  /**
   * Applications (and their snapshots and tags) the Kinesis Analytics simulator starts with, and the
   * roles whose AssumeRole requires an ExternalId. Throws FleetError if it is not valid.
   */
  readonly fleet?: Fleet;
  /** Seed of every random choice (snapshot durations, fault rates, ids); default: from the time. */
  readonly seed?: number;
  /** Real time per simulated time: 0.01 runs simulated durations 100 times faster. Default 1. */
  readonly timeScale?: number;
  readonly region?: string;
  readonly accountId?: string;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes?: number;
  /** Where unexpected service failures are logged; default stderr. */
  readonly log?: (message: string, details: Record<string, unknown>) => void;
}

export interface LocalAwsServices {
  readonly sqs: SqsService;
  readonly sns: SnsService;
  readonly ssm: SsmService;
  readonly kinesisAnalytics: KinesisAnalyticsService;
  readonly sts: StsService;
  readonly dynamodb: DynamoDbService;
}

export interface LocalAws {
  /** `http://127.0.0.1:<port>`: the endpoint for every SDK client and `AWS_ENDPOINT_URL`. */
  readonly url: string;
  readonly port: number;
  readonly clock: SimClock;
  readonly faults: Faults;
  readonly counters: Counters;
  readonly services: LocalAwsServices;
  readonly region: string;
  readonly accountId: string;
  /** The seed in force (the last one set through the control plane, or the starting one). */
  seed(): number;
  stop(): Promise<void>;
}

export { seededRandom } from './common/random';

/** A random source whose seed can be changed while services hold on to it. */
class Reseedable {
  #next: () => number;
  constructor(
    seed: number,
    private readonly salt: number,
  ) {
    this.#next = seededRandom(seed ^ salt);
  }
  reseed(seed: number): void {
    this.#next = seededRandom(seed ^ this.salt);
  }
  readonly random = (): number => this.#next();
}

/** Starts the local AWS; resolves once it listens. */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const host = options.host ?? DEFAULT_HOST;
  const region = options.region ?? DEFAULT_REGION;
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  let seed = options.seed ?? Date.now() % 2_147_483_647;
  const serviceRandom = new Reseedable(seed, 0);
  const faultRandom = new Reseedable(seed, 0x5bd1e995);
  const clock = new SimClock(options.timeScale ?? 1);
  const faults = new Faults(faultRandom.random);
  const counters = new Counters();
  const serviceOptions = { clock, faults, random: serviceRandom.random };

  const fleet = options.fleet === undefined ? undefined : parseFleet(options.fleet);
  const sqs = new SqsService(serviceOptions);
  const sts = new StsService({
    ...serviceOptions,
    roles: (fleet?.roles ?? []).map((role) => ({ roleArn: role.arn, externalId: role.externalId })),
  });
  const services: LocalAwsServices = {
    sqs,
    sns: new SnsService({ ...serviceOptions, sqs }),
    ssm: new SsmService(serviceOptions),
    kinesisAnalytics: new KinesisAnalyticsService({
      ...serviceOptions,
      sessions: sts,
      ...(options.fleet === undefined ? {} : { fleet: options.fleet }),
    }),
    sts,
    dynamodb: new DynamoDbService(),
  };

  const server = createServer({ keepAliveTimeout: 65_000 });
  const port = await listen(server, options.port ?? DEFAULT_PORT, host);
  const url = `http://${host}:${port}`;
  const context: ServiceContext = {
    clock,
    faults,
    random: serviceRandom.random,
    region,
    accountId,
    baseUrl: url,
  };
  const control = createControlPlane({
    clock,
    faults,
    counters,
    sns: services.sns,
    sts,
    seed: () => seed,
    reseed: (next) => {
      seed = next;
      serviceRandom.reseed(next);
      faultRandom.reseed(next);
    },
  });
  server.on(
    'request',
    createFrontDoor({
      context,
      json: [services.sqs, services.ssm, services.kinesisAnalytics],
      query: [services.sqs, services.sns, services.sts],
      passThrough: [services.dynamodb],
      counters,
      faults,
      control,
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
      ...(options.log === undefined ? {} : { log: options.log }),
    }),
  );

  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    clock,
    faults,
    counters,
    services,
    region,
    accountId,
    seed: () => seed,
    stop() {
      stopped ??= new Promise<void>((resolve, reject) => {
        // Services first, so pending long polls answer before their connections go.
        for (const service of Object.values(services)) closeService(service);
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

/** Services with timers (SQS long polls, fleet transitions) may expose `close()`; call it if so. */
function closeService(service: object): void {
  const close = (service as { close?: unknown }).close;
  if (typeof close === 'function') close.call(service);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
