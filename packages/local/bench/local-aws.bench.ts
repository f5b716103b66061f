/**
 * `npm run bench:local`: requests per second through the HTTP front door with the real SDK v3 clients
 * over loopback, then resident memory with a 10,000-application fleet holding 100,000 snapshots.
 * Targets: >= 2,000 simple requests/s, < 500 MB.
 *
 * The server runs in this process; the SDK clients run in `--clients` child processes (the SDK spends
 * several times the server's CPU on each call, so clients sharing the server's thread would measure the
 * SDK, not the front door). "server busy" is the event-loop utilization of the server's thread while the
 * operation ran, so requests/s ÷ busy estimates what the front door alone could serve.
 *
 * Options: --requests <n> per operation (default 6000), --concurrency <n> in flight in all (default 32),
 * --clients <n> processes (default 2; 0 runs them in this process), --applications <n> (default
 * 10000), --snapshots <n> per application (default 10).
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  DescribeApplicationSnapshotCommand,
  KinesisAnalyticsV2Client,
} from '@aws-sdk/client-kinesis-analytics-v2';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type LocalAws, startLocalAws } from '../src/local-aws';
import { generateFleet } from '../src/services/kinesis-analytics/fleet';

const MB = 1024 * 1024;
const QUEUE_NAME = 'bench-work';
const FLEET_FOR_THROUGHPUT = { applications: 100, snapshotsPerApplication: 10, seed: 1 };

const OPERATIONS = {
  send: { label: 'SendMessageBatch (10 entries)', requestsPerCall: 1 },
  receiveDelete: { label: 'ReceiveMessage + DeleteMessageBatch', requestsPerCall: 2 },
  parametersByPath: { label: 'GetParametersByPath (MaxResults 10)', requestsPerCall: 1 },
  describeSnapshot: { label: 'DescribeApplicationSnapshot', requestsPerCall: 1 },
} as const;
type Operation = keyof typeof OPERATIONS;

type ToClient =
  | { readonly type: 'prepare'; readonly operation: Operation; readonly calls: number }
  | { readonly type: 'go' };
type FromClient =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly cpuSeconds: number }
  | { readonly type: 'failed'; error: string };

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
async function pool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
}

function sdkClients(url: string, sockets: number) {
  const config = {
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: sockets }) },
    maxAttempts: 1,
  };
  return {
    sqs: new SQSClient(config),
    ssm: new SSMClient(config),
    kda: new KinesisAnalyticsV2Client(config),
  };
}

/** One call of each measured operation, as a client process makes it. */
function makeCalls(url: string, concurrency: number): Record<Operation, (i: number) => Promise<unknown>> {
  const { sqs, ssm, kda } = sdkClients(url, concurrency);
  const queueUrl = `${url}/000000000000/${QUEUE_NAME}`;
  const entries = Array.from({ length: 10 }, (_, i) => ({
    Id: `m${i}`,
    MessageBody: JSON.stringify({
      v: 1,
      step: 'snapshot',
      tenant: 'acme',
      application: `app-${i}`,
      runId: 'r1',
    }),
  }));
  return {
    send: () => sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries })),
    receiveDelete: async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
      );
      if (Messages.length === 0)
        throw new Error('the bench queue ran dry; expected messages left to receive');
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    },
    parametersByPath: (i) =>
      ssm.send(
        new GetParametersByPathCommand({ Path: `/flink-snapshots/bench/apps/t${i % 10}`, MaxResults: 10 }),
      ),
    describeSnapshot: (i) =>
      kda.send(
        new DescribeApplicationSnapshotCommand({
          ApplicationName: `app-${String(i % FLEET_FOR_THROUGHPUT.applications).padStart(5, '0')}`,
          SnapshotName: `snapshot-${String(i % FLEET_FOR_THROUGHPUT.snapshotsPerApplication).padStart(4, '0')}`,
        }),
      ),
  };
}

/** A client process: warms up on `prepare`, runs its share on `go`. */
function runClient(url: string, concurrency: number): void {
  const calls = makeCalls(url, concurrency);
  let pending: { operation: Operation; calls: number } | undefined;
  const send = (message: FromClient) => process.send?.(message);
  process.on('message', (message: ToClient) => {
    const work = async () => {
      if (message.type === 'prepare') {
        pending = { operation: message.operation, calls: message.calls };
        await pool(Math.min(100, message.calls), concurrency, calls[message.operation]);
        send({ type: 'ready' });
      } else if (pending !== undefined) {
        const cpu = process.cpuUsage();
        await pool(pending.calls, concurrency, calls[pending.operation]);
        const used = process.cpuUsage(cpu);
        send({ type: 'done', cpuSeconds: (used.user + used.system) / 1e6 });
      }
    };
    work().catch((error: unknown) => send({ type: 'failed', error: String(error) }));
  });
  process.on('disconnect', () => process.exit(0));
}

/** Where the SDK clients run: child processes (default) or this process (`--clients 0`). */
interface ClientGroup {
  readonly description: string;
  readonly members: number;
  /** Calls each member makes per `go`, so that the group makes about `calls` in all. */
  share(calls: number): number;
  /** Warm up (JIT, sockets) on `operation`, then wait for `go`. */
  prepare(operation: Operation, callsEach: number): Promise<void>;
  /** Runs the prepared calls; resolves with the CPU seconds the clients spent. */
  go(): Promise<number>;
  close(): Promise<void>;
}

function childProcessClients(url: string, count: number, concurrency: number): ClientGroup {
  const script = fileURLToPath(import.meta.url);
  const children = Array.from({ length: count }, () =>
    fork(script, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, LOCAL_AWS_BENCH_CLIENT: JSON.stringify({ url, concurrency }) },
    }),
  );
  const collect = (type: FromClient['type']) =>
    Promise.all(
      children.map(
        (child) =>
          new Promise<FromClient>((resolve, reject) => {
            const onMessage = (message: FromClient) => {
              if (message.type === 'failed') reject(new Error(`bench client failed: ${message.error}`));
              else if (message.type === type) resolve(message);
              else return;
              child.off('message', onMessage);
            };
            child.on('message', onMessage);
          }),
      ),
    );
  return {
    description: `${count} client processes × ${concurrency} in flight`,
    members: count,
    share: (calls) => Math.ceil(calls / count),
    prepare(operation, callsEach) {
      for (const child of children)
        child.send({ type: 'prepare', operation, calls: callsEach } satisfies ToClient);
      return collect('ready').then(() => undefined);
    },
    go() {
      for (const child of children) child.send({ type: 'go' } satisfies ToClient);
      return collect('done').then((messages) =>
        messages.reduce((sum, m) => sum + (m.type === 'done' ? m.cpuSeconds : 0), 0),
      );
    },
    async close() {
      for (const child of children) child.disconnect();
      await Promise.all(children.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
    },
  };
}

function inProcessClients(url: string, concurrency: number): ClientGroup {
  const calls = makeCalls(url, concurrency);
  let pending: { operation: Operation; calls: number } | undefined;
  return {
    description: `clients in the server's process, ${concurrency} in flight`,
    members: 1,
    share: (n) => n,
    async prepare(operation, callsEach) {
      pending = { operation, calls: callsEach };
      await pool(Math.min(100, callsEach), concurrency, calls[operation]);
    },
    async go() {
      if (pending !== undefined) await pool(pending.calls, concurrency, calls[pending.operation]);
      return Number.NaN; // not separable from the server's own CPU here
    },
    async close() {},
  };
}

interface Row {
  readonly label: string;
  readonly requests: number;
  readonly seconds: number;
  readonly serverBusy: number;
  /** CPU seconds the SDK clients spent per second of the run (cores busy). */
  readonly clientCores: number;
}

async function measure(
  local: LocalAws,
  clients: ClientGroup,
  operation: Operation,
  requests: number,
): Promise<Row> {
  const { label, requestsPerCall } = OPERATIONS[operation];
  const callsEach = clients.share(Math.ceil(requests / requestsPerCall));
  await clients.prepare(operation, callsEach);
  const before = local.counters.total();
  const elu = performance.eventLoopUtilization();
  const started = process.hrtime.bigint();
  const clientCpuSeconds = await clients.go();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const serverBusy = performance.eventLoopUtilization(elu).utilization;
  const counted = local.counters.total() - before;
  const expected = callsEach * requestsPerCall * clients.members;
  if (counted !== expected) {
    throw new Error(`${label}: the server counted ${counted} requests, expected ${expected}`);
  }
  return { label, requests: counted, seconds, serverBusy, clientCores: clientCpuSeconds / seconds };
}

function gc(): void {
  const collectGarbage = (globalThis as { gc?: () => void }).gc;
  collectGarbage?.();
  collectGarbage?.();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '6000' },
      concurrency: { type: 'string', default: '32' },
      clients: { type: 'string', default: '2' },
      applications: { type: 'string', default: '10000' },
      snapshots: { type: 'string', default: '10' },
    },
  });
  const requests = Number(values.requests);
  const processes = Number(values.clients);
  const concurrency = Math.max(1, Math.floor(Number(values.concurrency) / Math.max(1, processes)));
  const applications = Number(values.applications);
  const snapshots = Number(values.snapshots);

  const local = await startLocalAws({ port: 0, seed: 1, fleet: generateFleet(FLEET_FOR_THROUGHPUT) });
  const prep = sdkClients(local.url, 32);
  await prep.sqs.send(new CreateQueueCommand({ QueueName: QUEUE_NAME }));
  await pool(1000, 32, (i) =>
    prep.ssm.send(
      new PutParameterCommand({
        Name: `/flink-snapshots/bench/apps/t${i % 10}/app-${i}`,
        Type: 'String',
        Value: '{}',
      }),
    ),
  );
  for (const client of Object.values(prep)) client.destroy();

  const clients =
    processes === 0
      ? inProcessClients(local.url, concurrency)
      : childProcessClients(local.url, processes, concurrency);
  console.log(
    `local AWS bench: node ${process.version}, ${requests} requests per operation, ${clients.description}, SDK v3 over loopback`,
  );
  const rows: Row[] = [];
  try {
    for (const operation of Object.keys(OPERATIONS) as Operation[]) {
      rows.push(await measure(local, clients, operation, requests));
    }
  } finally {
    await clients.close();
  }
  await local.stop();

  console.log('');
  console.log(
    `${'operation'.padEnd(38)} ${'requests'.padStart(9)} ${'seconds'.padStart(8)} ${'req/s'.padStart(7)} ${'server busy'.padStart(12)} ${'client cores'.padStart(13)}`,
  );
  for (const row of rows) {
    const rate = Math.round(row.requests / row.seconds);
    console.log(
      `${row.label.padEnd(38)} ${String(row.requests).padStart(9)} ${row.seconds.toFixed(2).padStart(8)} ${String(rate).padStart(7)} ${`${Math.round(row.serverBusy * 100)} %`.padStart(12)} ${(Number.isNaN(row.clientCores) ? '-' : row.clientCores.toFixed(2)).padStart(13)}`,
    );
  }

  gc();
  const baseline = process.memoryUsage().rss;
  const loadStarted = process.hrtime.bigint();
  const big = await startLocalAws({
    port: 0,
    seed: 1,
    fleet: generateFleet({ applications, snapshotsPerApplication: snapshots, seed: 1 }),
  });
  const loadSeconds = Number(process.hrtime.bigint() - loadStarted) / 1e9;
  // Read through the front door so any state built lazily on first use is counted too.
  const { kda } = sdkClients(big.url, 32);
  await pool(2000, 32, (i) =>
    kda.send(
      new DescribeApplicationSnapshotCommand({
        ApplicationName: `app-${String((i * 7) % applications).padStart(5, '0')}`,
        SnapshotName: `snapshot-${String(i % snapshots).padStart(4, '0')}`,
      }),
    ),
  );
  kda.destroy();
  gc();
  const memory = process.memoryUsage();
  await big.stop();

  console.log('');
  console.log(
    `fleet: ${applications} applications × ${snapshots} snapshots = ${applications * snapshots} snapshots, loaded in ${loadSeconds.toFixed(2)} s`,
  );
  console.log(
    `resident memory ${(memory.rss / MB).toFixed(0)} MB with the fleet loaded (heap used ${(memory.heapUsed / MB).toFixed(0)} MB; ${((memory.rss - baseline) / MB).toFixed(0)} MB over the process before loading)${
      (globalThis as { gc?: unknown }).gc === undefined ? '; run with --expose-gc for figures after GC' : ''
    }`,
  );
  const simple = rows.find((r) => r.label === OPERATIONS.describeSnapshot.label);
  const simpleRate = simple === undefined ? 0 : simple.requests / simple.seconds;
  console.log(
    `targets: simple requests (DescribeApplicationSnapshot) ${Math.round(simpleRate)}/s (>= 2,000: ${simpleRate >= 2000 ? 'met' : 'NOT met'}); memory ${(memory.rss / MB).toFixed(0)} MB (< 500 MB: ${memory.rss < 500 * MB ? 'met' : 'NOT met'})`,
  );
}

const clientConfig = process.env.LOCAL_AWS_BENCH_CLIENT;
if (clientConfig !== undefined) {
  const { url, concurrency } = JSON.parse(clientConfig) as { url: string; concurrency: number };
  runClient(url, concurrency);
} else {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('bench failed:', error);
      process.exit(1);
    },
  );
}
