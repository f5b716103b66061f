/**
 * `npm run bench:fairness`: how long a small tenant's runs take, from DISPATCHED to COMPLETED, when a busy
 * tenant's 200 applications are dispatched on the same tick (and before it: `busy` sorts first), as a
 * ratio to the small tenant running alone. Each run's messages carry its tenant as MessageGroupId, and the
 * local SQS serves the groups as AWS's fair queues do. A benchmark: it times, it asserts nothing.
 * `--busy 200 --small 2 --repeat 3 --time-scale 0.01 --latency 20`.
 */
import { RunState } from '@flink-snapshots/core';
import { runCycle } from '../src/cycle/cycle';
import { startLocalAws } from '../src/local-aws';
import { tenantFleet, writeParameters } from './fleets';

const STAGE = 'fairness';
const BUSY = Number(arg('--busy') ?? 200);
const SMALL = Number(arg('--small') ?? 2);
const REPEAT = Number(arg('--repeat') ?? 3);
const TIME_SCALE = Number(arg('--time-scale') ?? 0.01);
const LATENCY_MS = Number(arg('--latency') ?? 20);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

/** One cycle; the seconds (simulated) from DISPATCHED to COMPLETED of each tenant's runs. */
async function cycle(tenants: Record<string, number>, seed: number): Promise<Map<string, number[]>> {
  const fleet = tenantFleet(tenants, {
    snapshotsPerApplication: 5,
    seed,
    snapshotDurationSeconds: { min: 30, max: 120 },
  });
  const aws = await startLocalAws({ port: 0, timeScale: TIME_SCALE, seed, fleet });
  try {
    await writeParameters(aws, STAGE, { retention: { count: 10, manage: 'all' } });
    aws.faults.add({ kind: 'latency', latencyMs: LATENCY_MS });
    const result = await runCycle({
      endpoint: aws.url,
      stage: STAGE,
      clock: aws.clock,
      tenantMode: 'open',
      maxWallMs: 1_800_000,
    });
    const seconds = new Map<string, number[]>();
    for (const run of result.runs) {
      const from = run.at[RunState.DISPATCHED];
      const to = run.at[RunState.COMPLETED];
      if (from === undefined || to === undefined) continue;
      seconds.set(run.tenant, [...(seconds.get(run.tenant) ?? []), (to - from) / 1000]);
    }
    const unfinished = result.runs.filter((run) => run.at[RunState.COMPLETED] === undefined).length;
    if (unfinished > 0) process.stderr.write(`  ${unfinished} runs did not complete\n`);
    return seconds;
  } finally {
    await aws.stop();
  }
}

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]) => sorted(xs)[Math.floor(xs.length / 2)] ?? 0;
const p90 = (xs: readonly number[]) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))] ?? 0;
const max = (xs: readonly number[]) => Math.max(0, ...xs);

process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.stdout.write(
  `fairness: tenant small (${SMALL} apps) alone, then beside tenant busy (${BUSY} apps, dispatched first); ` +
    `snapshots 30-120 simulated s, ${LATENCY_MS} ms per call, time scale ${TIME_SCALE}; simulated seconds from DISPATCHED to COMPLETED\n`,
);
for (let seed = 1; seed <= REPEAT; seed++) {
  const alone = (await cycle({ small: SMALL }, seed)).get('small') ?? [];
  const shared = await cycle({ busy: BUSY, small: SMALL }, seed);
  const small = shared.get('small') ?? [];
  const busy = shared.get('busy') ?? [];
  process.stdout.write(
    `  seed ${seed}: small alone max ${max(alone).toFixed(0)} s; small beside busy max ${max(small).toFixed(0)} s ` +
      `(ratio ${(max(small) / Math.max(1, max(alone))).toFixed(2)}); busy median ${median(busy).toFixed(0)} s, p90 ${p90(busy).toFixed(0)} s, max ${max(busy).toFixed(0)} s\n`,
  );
}
