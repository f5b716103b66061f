/**
 * The `flink-snapshots` command end to end: run as a child process (the bin shim, through tsx) against
 * the local AWS through AWS_ENDPOINT_URL, its `--json` output and exit codes asserted. One local AWS for
 * the file; each scenario has its own stage.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { configParameterName, RunState } from '@flink-snapshots/core';
import type { LocalAws } from '@flink-snapshots/local';
import { sdkClient } from '@flink-snapshots/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { letPass, ownSnapshots, QUICK_RETRY, runScenario, type ScenarioResult, startAws } from './harness';

const BIN = fileURLToPath(new URL('../../packages/cli/bin/flink-snapshots.mjs', import.meta.url));
/** A child that has not exited by then is killed: the test then fails on its exit code. */
const CLI_TIMEOUT_MS = 60_000;

/** A JSON document the command printed, read loosely: the assertions say what it must hold. */
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON output, checked by the assertions themselves.
type Printed = Record<string, any>;

let aws: LocalAws;
let fleet: ScenarioResult;

interface CliResult {
  /** The `--now` the command was given: the local AWS's simulated time when it started. */
  readonly now: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  json<T = Record<string, unknown>>(): T;
}

/** Runs the command on `stage` as of the local AWS's simulated now, with `stdin` piped in when given. */
function cli(stage: string, args: readonly string[], stdin?: string): Promise<CliResult> {
  const now = Math.floor(aws.clock.now());
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--stage', stage, '--now', String(now), ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ENDPOINT_URL: aws.url,
        AWS_REGION: aws.region,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        NO_COLOR: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        now,
        code,
        stdout,
        stderr,
        json: <T>() => {
          try {
            return JSON.parse(stdout) as T;
          } catch {
            throw new Error(`not JSON (exit ${code}): ${stdout}\n${stderr}`);
          }
        },
      });
    });
    child.stdin.end(stdin ?? '');
  });
}

async function parameterValue(name: string): Promise<string | undefined> {
  const ssm = sdkClient(SSMClient, aws);
  try {
    return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch {
    return undefined;
  } finally {
    ssm.destroy();
  }
}

beforeAll(async () => {
  aws = await startAws();
  fleet = await runScenario(aws, {
    apps: [
      { tenant: 'ops', name: 'alpha', config: { intervalMinutes: 60 } },
      { tenant: 'ops', name: 'broken', config: { intervalMinutes: 1 }, msf: false },
      { tenant: 'team', name: 'beta', config: { retention: { count: 3 } } },
    ],
  });
});

afterAll(async () => {
  await aws?.stop();
});

describe('status', () => {
  it('lists every application, an invalid one with the dispatcher’s message', async () => {
    const result = await cli(fleet.stage, ['--json', 'status']);
    expect(result.code).toBe(0);
    const { applications } = result.json<{ applications: Printed[] }>();
    expect(applications.map((a) => a.appKey)).toEqual(['ops/alpha', 'ops/broken', 'team/beta']);
    const [alpha, broken] = applications as [Printed, Printed];
    expect(alpha.lastRun.state).toBe(RunState.COMPLETED);
    expect(alpha.freshness.state).toBe('fresh');
    expect(alpha.quota.total).toBe(1);
    // Its next hourly slot, after the first run and no earlier than the command's now.
    expect(alpha.nextDueAt).toBeGreaterThanOrEqual(result.now);
    expect(alpha.nextDueAt).toBeGreaterThan(fleet.result.startedAt);
    expect(broken.problems).toEqual([
      expect.stringContaining('intervalMinutes: received 1, expected an integer number of minutes from 5'),
    ]);
    expect(broken.lastRun.state).toBe(RunState.FAILED);
  });

  it('fits the table in 100 columns and puts the configuration error on its own line', async () => {
    const result = await cli(fleet.stage, ['status', '--failing']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(100);
    expect(result.stdout).toContain('ops/broken');
    expect(result.stdout).not.toContain('ops/alpha');
    expect(result.stdout.replace(/\s+/g, ' ')).toContain(
      'intervalMinutes: received 1, expected an integer number of minutes from 5 (the dispatcher tick)',
    );
  });
});

describe('history and show', () => {
  it('lists runs newest first without the pointer, and shows one run whole', async () => {
    const history = await cli(fleet.stage, ['--json', 'history', 'ops/alpha']);
    expect(history.code).toBe(0);
    const { runs } = history.json<{ runs: { runId: string; state: string }[] }>();
    expect(runs.map((r) => r.runId)).toEqual([fleet.result.runId]);
    const show = await cli(fleet.stage, ['--json', 'show', 'ops/alpha', fleet.result.runId]);
    expect(show.code).toBe(0);
    const run = show.json<Printed>();
    expect(run.state).toBe(RunState.COMPLETED);
    expect(Object.keys(run.at)).toEqual(
      expect.arrayContaining(['DISPATCHED', 'SNAPSHOT_REQUESTED', 'SNAPSHOT_READY', 'PRUNED', 'COMPLETED']),
    );
    expect(run.prune.quota.total).toBe(1);
    const human = await cli(fleet.stage, ['show', 'ops/alpha', fleet.result.runId]);
    expect(human.stdout).toContain('SNAPSHOT_READY');
    expect(human.stdout).toContain(run.snapshotName);
  });

  it('exits 3 for a run that does not exist, and 2 for a malformed application', async () => {
    expect((await cli(fleet.stage, ['show', 'ops/alpha', '20200101T0000Z'])).code).toBe(3);
    expect((await cli(fleet.stage, ['history', 'not-a-key'])).code).toBe(2);
  });
});

describe('config', () => {
  it('refuses an invalid document and writes nothing', async () => {
    const parameter = configParameterName(fleet.stage, 'ops', 'alpha');
    const before = await parameterValue(parameter);
    const result = await cli(
      fleet.stage,
      ['--json', 'config', 'put', 'ops/alpha', '-'],
      '{"retention":{"count":0}}',
    );
    expect(result.code).toBe(3);
    expect(result.json()).toMatchObject({
      written: false,
      valid: false,
      problems: [expect.stringContaining('retention.count: received 0')],
    });
    expect(await parameterValue(parameter)).toBe(before);
  });

  it('writes a valid document and prints what changed', async () => {
    const parameter = configParameterName(fleet.stage, 'team', 'beta');
    const document = '{"retention":{"count":5},"intervalMinutes":120}';
    const result = await cli(fleet.stage, ['--json', 'config', 'put', 'team/beta', '-'], document);
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({
      written: true,
      version: 2,
      changes: [
        { path: 'intervalMinutes', after: 120 },
        { path: 'retention.count', before: 3, after: 5 },
      ],
    });
    expect(await parameterValue(parameter)).toBe(document);
    const human = await cli(
      fleet.stage,
      ['config', 'put', 'team/beta', '--dry-run', '-'],
      '{"retention":{"count":6}}',
    );
    expect(human.stdout).toContain('~ retention.count: 5 → 6');
    expect(human.stdout).toContain('- intervalMinutes: 120');
  });

  it('lists only the invalid configurations with --invalid, and shows an effective one with its sources', async () => {
    const list = await cli(fleet.stage, ['--json', 'config', 'list', '--invalid']);
    expect(list.code).toBe(0);
    const { configurations } = list.json<{ configurations: { appKey: string; problems: string[] }[] }>();
    expect(configurations.map((c) => c.appKey)).toEqual(['ops/broken']);
    const effective = await cli(fleet.stage, ['--json', 'config', 'get', 'ops/alpha', '--effective']);
    expect(effective.code).toBe(0);
    expect(effective.json()).toMatchObject({
      valid: true,
      config: { intervalMinutes: 60, retention: { count: 10 } },
      provenance: { intervalMinutes: { layer: 'application' } },
    });
  });

  it('validates a file offline with the dispatcher’s messages', async () => {
    const result = await cli(fleet.stage, ['--json', 'config', 'validate', '-'], '{"retian":1}');
    expect(result.code).toBe(3);
    expect(result.json()).toMatchObject({
      valid: false,
      problems: [expect.stringContaining('did you mean')],
    });
  });

  it('shows a valid cron schedule in words and its next runs in UTC and in its time zone', async () => {
    const result = await cli(
      fleet.stage,
      ['--json', '--now', '2026-11-29T12:00:00Z', 'config', 'validate', '-'],
      '{"schedule":{"cron":"0 2 * * *","timezone":"Europe/Berlin"}}',
    );
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({
      valid: true,
      schedule: expect.stringContaining('At 02:00 AM, Europe/Berlin'),
      nextRuns: expect.arrayContaining([
        expect.objectContaining({
          slot: '2026-11-30T01:00Z',
          local: '2026-11-30T02:00+01:00 (Europe/Berlin)',
        }),
      ]),
    });
  });
});

describe('pin', () => {
  it('keeps a pinned snapshot that the policy would delete, with reason pinned', async () => {
    const now = aws.clock.now();
    const old = ownSnapshots(now, 3);
    const oldest = old[0]?.name as string;
    const stage = `clipin${Math.floor(now % 1000)}`;
    const pinned: CliResult[] = [];
    const s = await runScenario(aws, {
      stage,
      apps: [{ tenant: 'ops', name: 'keeper', config: { retention: { count: 1 } }, msf: { snapshots: old } }],
      cycle: {
        // The stage's resources and deployment parameter exist by now; the tick has not come yet.
        beforeTick: async () => {
          pinned.push(await cli(stage, ['--json', 'pin', 'ops/keeper', oldest]));
        },
      },
    });
    expect(pinned[0]?.code).toBe(0);
    expect(pinned[0]?.json()).toMatchObject({ pinned: true, pins: [oldest] });
    const run = s.run('ops', 'keeper');
    expect(run?.state).toBe(RunState.COMPLETED);
    expect(run?.prune?.keptBy?.pinned?.names).toEqual([oldest]);
    expect(run?.prune?.deleted.map((d) => d.name)).toEqual([old[1]?.name, old[2]?.name]);
    expect((await cli(stage, ['pin', 'ops/keeper', 'no-such-snapshot'])).code).toBe(3);
    const unpinned = await cli(stage, ['--json', 'unpin', 'ops/keeper', oldest]);
    expect(unpinned.json()).toMatchObject({ pinned: false, pins: [] });
  });
});

describe('dlq', () => {
  it('lists a run that failed five times with its last error, then redrives it to the work queue', async () => {
    const s = await runScenario(aws, {
      apps: [{ tenant: 'ops', name: 'doomed' }],
      faults: [
        {
          kind: 'server-error',
          service: 'kinesisanalytics',
          operation: 'DescribeApplication',
          application: 'doomed',
        },
      ],
      cycle: { settings: QUICK_RETRY },
    });
    expect(s.result.deadLetters.map((d) => d.appKey)).toEqual(['ops/doomed']);

    const list = await cli(s.stage, ['--json', 'dlq', 'list']);
    expect(list.code).toBe(0);
    const { deadLetters } = list.json<{ deadLetters: Printed[] }>();
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      appKey: 'ops/doomed',
      runId: s.result.runId,
      step: 'snapshot',
      run: {
        state: RunState.DISPATCHED,
        attempts: 5,
        lastRetryableError: { name: 'ServiceUnavailableError' },
      },
    });
    const human = await cli(s.stage, ['dlq', 'list']);
    expect(human.stdout).toContain('last error: ServiceUnavailableError');

    const redrive = await cli(s.stage, ['--json', 'dlq', 'redrive', '--wait']);
    expect(redrive.code).toBe(0);
    expect(redrive.json()).toMatchObject({ started: true, task: { status: 'COMPLETED', moved: 1 } });
    expect(redrive.stderr).toContain('redrive');
    expect((await cli(s.stage, ['--json', 'dlq', 'list'])).json()).toMatchObject({ deadLetters: [] });
    const sqs = sdkClient(SQSClient, aws);
    try {
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: s.result.resources.workQueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('1');
    } finally {
      sqs.destroy();
    }
  });
});

describe('discovery', () => {
  it('exits 3 naming the parameter when the stage does not exist', async () => {
    const result = await cli('nosuchstage', ['status']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('/flink-snapshots/nosuchstage/deployment');
  });
});

describe('snapshot', () => {
  it('takes a snapshot now and leaves the schedule alone: the scheduled tick runs too', async () => {
    // ops/alpha runs hourly: its next slot has come once an hour has passed since the first cycle.
    const due = fleet.result.startedAt + 61 * 60_000;
    if (aws.clock.now() < due) await letPass(aws, (due - aws.clock.now()) / 60_000);
    let snapshot: CliResult | undefined;
    const next = await fleet.again({
      cycle: {
        // The worker takes messages by now; the tick comes after.
        beforeTick: async () => {
          snapshot = await cli(fleet.stage, ['--json', 'snapshot', 'ops/alpha', '--wait']);
        },
      },
    });
    expect(snapshot?.code).toBe(0);
    const manual = snapshot?.json<Printed>();
    expect(manual).toMatchObject({ state: RunState.COMPLETED, run: { trigger: 'manual' } });
    expect(manual?.runId).toMatch(/Z-now$/);
    const scheduled = next.run('ops', 'alpha');
    expect(scheduled?.state).toBe(RunState.COMPLETED);
    expect(scheduled?.trigger).toBe('schedule');
    const history = await cli(fleet.stage, ['--json', 'history', 'ops/alpha']);
    const runs = history.json<{ runs: Printed[] }>().runs;
    expect(runs.map((r) => r.runId).sort()).toEqual(
      [fleet.result.runId, manual?.runId, next.result.runId].sort(),
    );
    const status = (await cli(fleet.stage, ['--json', 'status'])).json<{ applications: Printed[] }>();
    expect(status.applications.find((a) => a.appKey === 'ops/alpha')?.lastRun.runId).toBe(next.result.runId);
  });

  it('exits 3 for an application that is not configured', async () => {
    expect((await cli(fleet.stage, ['snapshot', 'ops/nobody'])).code).toBe(3);
  });
});

describe('restore', () => {
  it('prints the plan, refuses without --yes off a terminal, and restores with --yes', async () => {
    const now = aws.clock.now();
    const old = ownSnapshots(now, 3);
    const s = await runScenario(aws, {
      apps: [
        { tenant: 'ops', name: 'phoenix', config: { retention: { count: 5 } }, msf: { snapshots: old } },
      ],
    });
    const target = old[1] as (typeof old)[number];

    const dry = await cli(s.stage, [
      '--json',
      'restore',
      'ops/phoenix',
      '--before',
      new Date((old[2]?.createdAt ?? 0) - 1).toISOString(),
      '--dry-run',
    ]);
    expect(dry.code).toBe(0);
    expect(dry.json()).toMatchObject({
      dryRun: true,
      restored: false,
      plan: { snapshot: { name: target.name }, status: 'RUNNING' },
    });

    const refused = await cli(s.stage, ['restore', 'ops/phoenix', '--snapshot', target.name]);
    expect(refused.code).toBe(4);
    expect(refused.stdout).toContain('Restore plan');
    expect(refused.stderr).toContain('--yes');

    expect((await cli(s.stage, ['restore', 'ops/phoenix', '--snapshot', 'no-such', '--yes'])).code).toBe(4);
    expect((await cli(s.stage, ['restore', 'ops/phoenix'])).code).toBe(2);

    const restored = await cli(s.stage, [
      '--json',
      'restore',
      'ops/phoenix',
      '--snapshot',
      target.name,
      '--yes',
    ]);
    expect(restored.code).toBe(0);
    expect(restored.json()).toMatchObject({ restored: true, result: { state: RunState.COMPLETED } });
    expect(restored.stderr).toContain('STARTING');
    const runId = restored.json<Printed>().result.runId as string;
    const shown = await cli(s.stage, ['--json', 'show', 'ops/phoenix', runId]);
    expect(shown.json()).toMatchObject({
      trigger: 'restore',
      state: RunState.COMPLETED,
      restoreSnapshotName: target.name,
    });
  });
});
