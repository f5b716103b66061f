/**
 * `npm run bench`: one snapshot cycle over a generated fleet on the local AWS, for 1,000 and 10,000
 * applications (or `--apps 200,2000`), with 20 ms added to every API call, snapshots taking 30 to 120
 * simulated seconds and SSM's GetParametersByPath held to 40 requests per second. Prints the makespan,
 * the API calls per application by operation, handler busy time against the latency of the calls it
 * made, the dispatcher's time against SSM's floor, and peak memory. A benchmark: it times, it asserts
 * nothing.
 */
import { runCycle } from '../src/cycle/cycle';
import { busyMsByApplication } from '../src/cycle/report';
import { startLocalAws } from '../src/local-aws';
import { tenantFleet, writeParameters } from './fleets';

const STAGE = 'bench';
const LATENCY_MS = Number(arg('--latency') ?? 20);
const SSM_TPS = 40;
const TIME_SCALE = Number(arg('--time-scale') ?? 0.01);
const SIZES = (arg('--apps') ?? '1000,10000').split(',').map(Number);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function benchOnce(applications: number): Promise<void> {
  const aws = await startLocalAws({
    port: 0,
    timeScale: TIME_SCALE,
    seed: 1,
    // Ten tenants of equal size.
    fleet: tenantFleet(
      Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`tenant${i}`, applications / 10])),
      { snapshotsPerApplication: 12, seed: 1, snapshotDurationSeconds: { min: 30, max: 120 } },
    ),
  });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 200);
  try {
    await writeParameters(aws, STAGE, { retention: { count: 10, manage: 'all' } });
    aws.faults.add({ kind: 'latency', latencyMs: LATENCY_MS });
    aws.faults.add({ kind: 'throttle', service: 'ssm', operation: 'GetParametersByPath', tps: SSM_TPS });

    let lastLine = 0;
    const result = await runCycle({
      endpoint: aws.url,
      stage: STAGE,
      clock: aws.clock,
      // The benchmark measures the pipeline, not the registry: no tenant registry to write.
      tenantMode: 'open',
      dispatchFirst: true,
      maxWallMs: 1_800_000,
      onProgress: (p) => {
        if (p.elapsedMs - lastLine < 5000) return;
        lastLine = p.elapsedMs;
        process.stderr.write(
          `  ${applications} apps: ${p.terminal}/${p.runs} runs ended, ${(p.elapsedMs / 1000).toFixed(0)} s\n`,
        );
      },
    });

    const n = result.runs.length;
    const states = new Map<string, number>();
    for (const run of result.runs) states.set(run.state, (states.get(run.state) ?? 0) + 1);
    const byOperation: string[] = [];
    let handlerCalls = 0;
    for (const [service, operations] of Object.entries(result.calls.services).sort()) {
      for (const [operation, count] of Object.entries(operations).sort()) {
        handlerCalls += count;
        byOperation.push(`    ${`${service}:${operation}`.padEnd(46)} ${(count / n).toFixed(2)}`);
      }
    }
    // The worker's time per application against the time its own AWS calls took (timed per record by
    // the worker's call-timing middleware): how close the Lambda comes to waiting only on its calls.
    const worker = new Map<string, { busy: number; api: number; calls: number }>();
    for (const record of result.records) {
      if (record.appKey === undefined) continue;
      const entry = worker.get(record.appKey) ?? { busy: 0, api: 0, calls: 0 };
      entry.busy += record.durationMs;
      entry.api += record.apiMs;
      entry.calls += record.apiCalls;
      worker.set(record.appKey, entry);
    }
    const ratios = [...worker.values()].map((e) => e.busy / Math.max(1, e.api)).sort((a, b) => a - b);
    const perCall =
      [...worker.values()].reduce((sum, e) => sum + e.api, 0) /
      Math.max(
        1,
        [...worker.values()].reduce((sum, e) => sum + e.calls, 0),
      );
    const busy = busyMsByApplication(result);
    const totalBusy = [...busy.values()].reduce((a, b) => a + b, 0);
    const dispatchMs = result.tick?.durationMs ?? 0;
    const dispatchFloorMs = (Math.ceil(applications / 10) / SSM_TPS) * 1000;

    const lines = [
      `${applications} applications (latency ${LATENCY_MS} ms per call, snapshots 30-120 simulated s, time scale ${TIME_SCALE}, SSM ${SSM_TPS} TPS)`,
      `  makespan: ${(result.wallMs / 1000).toFixed(1)} s wall (${(result.simulatedMs / 1000).toFixed(0)} simulated s); runs ${[...states].map(([s, c]) => `${s} ${c}`).join(', ')}${result.unfinished ? ' — UNFINISHED' : ''}`,
      `  dispatch: ${(dispatchMs / 1000).toFixed(1)} s for ${result.dispatch.configsRead} configurations; SSM floor ${(dispatchFloorMs / 1000).toFixed(1)} s, ratio ${(dispatchMs / dispatchFloorMs).toFixed(2)} (target <= 1.10)`,
      `  API calls per application: ${(handlerCalls / n).toFixed(2)}`,
      ...byOperation,
      `  handler busy per application: median ${percentile(
        [...busy.values()].sort((a, b) => a - b),
        0.5,
      ).toFixed(
        0,
      )} ms; worker busy / time in its own AWS calls: median ${percentile(ratios, 0.5).toFixed(2)}, p95 ${percentile(ratios, 0.95).toFixed(2)} (target <= 1.5); ${perCall.toFixed(1)} ms per call as the worker saw it (${LATENCY_MS} ms added)`,
      `  handler busy overall: ${(totalBusy / 1000).toFixed(1)} s for ${handlerCalls} calls = ${(totalBusy / handlerCalls).toFixed(1)} ms per call at ${LATENCY_MS} ms added latency`,
      `  worker invocations: ${result.invocations.length} for ${result.records.length} records`,
      `  peak memory (rss, server and handlers in one process): ${(peakRss / 1_048_576).toFixed(0)} MB`,
    ];
    process.stdout.write(`${lines.join('\n')}\n\n`);
  } finally {
    clearInterval(sampler);
    await aws.stop();
  }
}

process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
for (const size of SIZES) await benchOnce(size);
