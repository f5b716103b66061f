/**
 * One snapshot cycle on a local AWS: the resources the stacks deploy, the real handlers with the
 * stack's settings, one schedule tick, then the event source mapping until every dispatched run is
 * terminal or dead-lettered. What `npm start`, `npm run cycle`, the end-to-end tests and the benchmark run.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  type DispatchReport,
  emptyDispatchReport,
  isTerminal,
  type RunRecord,
  runIdFromTick,
  type TenantMode,
} from '@flink-snapshots/core';
import {
  type Adapters,
  type CallTally,
  createAdapters,
  dispatcher,
  dispatchSettings,
  type RecordReport,
  tallyCalls,
  worker,
} from '@flink-snapshots/functions';
import { APP_NAME, METRICS_NAMESPACE } from '@flink-snapshots/settings';
import { clientConfig, type StaticCredentials } from '../runtime/aws';
import { ensureResources, type LocalResources, localEnv } from '../runtime/bootstrap';
import { SqsEventSource, type SqsEventSourceStats, type SqsInvocation } from '../runtime/event-source';
import type { RuntimeClock } from '../runtime/lambda-context';
import { LocalSchedule, type Tick } from '../runtime/schedule';
import type { RuntimeSettingsOverrides } from '../runtime/settings';
import { type CountersBody, LocalAwsControl } from './control-client';

export interface CycleProgress {
  readonly runId: string;
  readonly runs: number;
  readonly terminal: number;
  readonly deadLettered: number;
  readonly invocations: number;
  readonly elapsedMs: number;
}

export interface CycleOptions {
  /**
   * Where every SDK client of the cycle sends requests: the in-process local AWS's url. Absent: each
   * client finds its own as the SDK does (AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL).
   */
  readonly endpoint?: string;
  /** The local AWS whose control plane (`/_local`: counters) the cycle reads; default `endpoint`. */
  readonly controlUrl?: string;
  readonly region?: string;
  readonly credentials?: StaticCredentials;
  readonly stage: string;
  /** The local AWS's simulated clock (in-process SimClock, or one rebuilt from `/_local/clock`). */
  readonly clock: RuntimeClock;
  /** The stage's tenant mode unless set (`open` runs without a tenant registry). */
  readonly tenantMode?: TenantMode;
  /** Settings other than the stack's (tests: fewer receives before the DLQ). */
  readonly settings?: RuntimeSettingsOverrides;
  /** Real milliseconds to wait at most for the runs to end; default 300 000. */
  readonly maxWallMs?: number;
  /** Powertools log level of the handlers; default SILENT (the report says what happened). */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  readonly onProgress?: (progress: CycleProgress) => void;
  /** Called once the event source runs and before the tick: e.g. to inject faults into the cycle itself. */
  readonly beforeTick?: (context: {
    readonly adapters: Adapters;
    readonly resources: LocalResources;
  }) => Promise<void>;
  /**
   * Start the worker's event source only once the dispatcher returned, so the dispatcher's time is its
   * own (in AWS they are separate functions; in one process they share the CPU). Default false.
   */
  readonly dispatchFirst?: boolean;
  /** Chaos at our own ports: wraps the handlers' adapters (e.g. a worker that dies after creating a snapshot). */
  readonly wrapAdapters?: (adapters: Adapters) => Adapters;
}

export interface DeadLetter {
  readonly messageId: string;
  readonly appKey?: string | undefined;
  readonly step?: string | undefined;
  readonly receiveCount: number;
}

export interface CycleResult {
  readonly runId: string;
  readonly dispatch: DispatchReport;
  /** Why the dispatcher's tick failed, when it did (its runs stay DISPATCHED until a later tick). */
  readonly dispatchError?: string | undefined;
  readonly tick: Tick | undefined;
  /** Every run item of this tick (dispatched, skipped and invalid-configuration runs). */
  readonly runs: readonly RunRecord[];
  readonly deadLetters: readonly DeadLetter[];
  /** One entry per SQS record the worker handled. */
  readonly records: readonly RecordReport[];
  readonly invocations: readonly SqsInvocation[];
  readonly eventSource: SqsEventSourceStats;
  /** API calls made by the handlers (the event source's own polling and this runner's are taken out). */
  readonly calls: CountersBody;
  readonly wallMs: number;
  /** Simulated epoch ms when the cycle began, and how much simulated time it took. */
  readonly startedAt: number;
  readonly simulatedMs: number;
  /** True when the runs had not all ended within maxWallMs. */
  readonly unfinished: boolean;
  readonly adapters: Adapters;
  readonly resources: LocalResources;
}

const POLL_MS = 50;
const TEST_CREDENTIALS: StaticCredentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Runs one cycle and reports what happened; throws only when the cycle could not be run at all. */
export async function runCycle(options: CycleOptions): Promise<CycleResult> {
  const started = performance.now();
  const simStarted = options.clock.now();
  const controlUrl = options.controlUrl ?? options.endpoint;
  if (controlUrl === undefined) {
    throw new Error(
      'runCycle needs the local AWS: pass endpoint (its url) or controlUrl (its url, when the SDK clients find their endpoints in AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL)',
    );
  }
  const endpointOptions = {
    endpoint: options.endpoint,
    region: options.region ?? 'us-east-1',
    credentials: options.credentials ?? TEST_CREDENTIALS,
  };
  const envOptions = {
    ...(options.settings?.tickMinutes === undefined ? {} : { tickMinutes: options.settings.tickMinutes }),
    ...(options.tenantMode === undefined ? {} : { tenantMode: options.tenantMode }),
  };
  const resources = await ensureResources({
    ...endpointOptions,
    stage: options.stage,
    ...settingsFor(options),
    env: envOptions,
  });
  const env = localEnv(options.stage, resources, { region: endpointOptions.region, ...envOptions });

  // The SDK's retry backoff passes in simulated time, as every other duration here does.
  const backoffScale = options.clock.toRealMs(1);
  const adapters = createAdapters(env, {
    ...endpointOptions,
    clock: options.clock,
    ...(backoffScale < 1 ? { retryBackoffScale: backoffScale } : {}),
  });
  const handlerAdapters = options.wrapAdapters?.(adapters) ?? adapters;
  // EMF goes to stdout and nowhere else locally; the report counts what matters.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const newLogger = () => new Logger({ serviceName: APP_NAME, logLevel: options.logLevel ?? 'SILENT' });
  const newMetrics = () => new Metrics({ namespace: METRICS_NAMESPACE, serviceName: APP_NAME });
  const records: RecordReport[] = [];

  const schedule = new LocalSchedule({
    clock: options.clock,
    tickMinutes: env.tickMinutes,
    invoke: dispatcher.createHandler({
      adapters: handlerAdapters,
      logger: newLogger(),
      metrics: newMetrics(),
      dispatch: dispatchSettings(env),
    }),
    ...(options.settings?.dispatcher === undefined
      ? {}
      : { settings: { dispatcher: options.settings.dispatcher } }),
  });
  const source = new SqsEventSource({
    ...endpointOptions,
    queueUrl: resources.workQueueUrl,
    queueArn: resources.workQueueArn,
    clock: options.clock,
    // One handler per execution environment, with its own logger, metrics and batch processor, as
    // Lambda has; the adapters hold no per-invocation state, so the environments share them here.
    createHandler: () =>
      worker.createHandler({
        adapters: handlerAdapters,
        logger: newLogger(),
        metrics: newMetrics(),
        onRecord: (report) => records.push(report),
      }),
    ...(options.settings?.worker === undefined ? {} : { settings: { worker: options.settings.worker } }),
  });
  const control = new LocalAwsControl(controlUrl);
  const sqs = new SQSClient(clientConfig(endpointOptions));
  let ownCalls = { query: 0, getQueueAttributes: 0 };

  try {
    if (!options.dispatchFirst) await source.start();
    await options.beforeTick?.({ adapters, resources });
    await control.resetCounters();
    // A failed tick (SQS down, say) is an outcome to report, as EventBridge records it: its runs are
    // then left DISPATCHED for a later tick to send again.
    let dispatchError: string | undefined;
    const dispatch = await schedule.tickNow().catch((error: unknown): DispatchReport => {
      dispatchError = error instanceof Error ? error.message : String(error);
      return failedDispatch(schedule.ticks().at(-1));
    });
    if (options.dispatchFirst) await source.start();
    const tick = schedule.ticks().at(-1);

    const deadline = performance.now() + (options.maxWallMs ?? 300_000);
    let runs: RunRecord[] = [];
    let unfinished = false;
    for (;;) {
      // Counted by the call-timing middleware: listing a large tick takes several Query pages.
      const listing: CallTally = { calls: 0, ms: 0 };
      runs = await tallyCalls(listing, () => adapters.runs.listByRun(dispatch.runId));
      const queues = await queueDepths(sqs, resources);
      ownCalls = {
        query: ownCalls.query + listing.calls,
        getQueueAttributes: ownCalls.getQueueAttributes + 2,
      };
      const open = runs.filter((run) => !isTerminal(run.state)).length;
      options.onProgress?.({
        runId: dispatch.runId,
        runs: runs.length,
        terminal: runs.length - open,
        deadLettered: queues.dlq,
        invocations: source.invocations().length,
        elapsedMs: performance.now() - started,
      });
      // Done when the work queue is drained and every run still open has its message in the DLQ.
      if (queues.work === 0 && source.inFlight() === 0 && open <= queues.dlq) break;
      if (performance.now() > deadline) {
        unfinished = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    await source.stop({ abandonPolls: true });
    const calls = withoutRuntimeCalls(await control.counters(), source.stats(), ownCalls);
    const deadLetters = await readDeadLetters(sqs, resources);
    return {
      runId: dispatch.runId,
      dispatch,
      dispatchError,
      tick,
      runs,
      deadLetters,
      records,
      invocations: source.invocations(),
      eventSource: source.stats(),
      calls,
      wallMs: performance.now() - started,
      startedAt: simStarted,
      simulatedMs: options.clock.now() - simStarted,
      unfinished,
      adapters,
      resources,
    };
  } finally {
    await source.stop({ abandonPolls: true });
    sqs.destroy();
  }
}

function settingsFor(options: CycleOptions) {
  const { workQueue, deadLetterQueue } = options.settings ?? {};
  if (workQueue === undefined && deadLetterQueue === undefined) return {};
  return {
    settings: {
      ...(workQueue === undefined ? {} : { workQueue }),
      ...(deadLetterQueue === undefined ? {} : { deadLetterQueue }),
    },
  };
}

async function depth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const attributes = out.Attributes ?? {};
  return (
    Number(attributes.ApproximateNumberOfMessages ?? 0) +
    Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

async function queueDepths(
  sqs: SQSClient,
  resources: LocalResources,
): Promise<{ work: number; dlq: number }> {
  const [work, dlq] = await Promise.all([depth(sqs, resources.workQueueUrl), depth(sqs, resources.dlqUrl)]);
  return { work, dlq };
}

/** What sits in the DLQ, read without taking it (visibility 0): the runbook's first look. */
async function readDeadLetters(sqs: SQSClient, resources: LocalResources): Promise<DeadLetter[]> {
  const seen = new Map<string, DeadLetter>();
  for (let round = 0; round < 20; round++) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: resources.dlqUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    for (const message of messages) {
      const id = message.MessageId ?? '';
      if (seen.has(id)) continue;
      let body: { appKey?: unknown; step?: unknown } = {};
      try {
        body = JSON.parse(message.Body ?? '') as typeof body;
      } catch {
        // A body that is not JSON is shown by its id alone.
      }
      seen.set(id, {
        messageId: id,
        appKey: typeof body.appKey === 'string' ? body.appKey : undefined,
        step: typeof body.step === 'string' ? body.step : undefined,
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
      });
    }
  }
  return [...seen.values()];
}

/** The handlers' calls: the counters less what the event source (Lambda's part) and this runner called. */
function withoutRuntimeCalls(
  counters: CountersBody,
  stats: SqsEventSourceStats,
  own: { query: number; getQueueAttributes: number },
): CountersBody {
  const services = structuredClone(counters.services);
  const take = (service: string, operation: string, n: number) => {
    const operations = services[service];
    if (operations?.[operation] === undefined) return;
    operations[operation] = Math.max(0, operations[operation] - n);
    if (operations[operation] === 0) delete operations[operation];
  };
  take('sqs', 'ReceiveMessage', stats.receiveCalls);
  take('sqs', 'DeleteMessageBatch', stats.deleteCalls);
  take('sqs', 'GetQueueAttributes', stats.getQueueAttributesCalls + own.getQueueAttributes);
  take('dynamodb', 'Query', own.query);
  const total = Object.values(services).reduce(
    (sum, operations) => sum + Object.values(operations).reduce((a, b) => a + b, 0),
    0,
  );
  return { ...counters, services, total };
}

/** The report of a tick whose dispatcher failed: its runId, nothing counted. */
function failedDispatch(tick: Tick | undefined): DispatchReport {
  return emptyDispatchReport(runIdFromTick(tick === undefined ? Date.now() : Date.parse(tick.time)));
}
