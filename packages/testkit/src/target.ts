/**
 * The AWS a suite runs against. The adapter tests run twice: against our local AWS (the default) and
 * against moto (`FLINK_SNAPSHOTS_TEST_TARGET=moto`, the `adapters-moto` vitest project), an emulator none
 * of us wrote. A behaviour both agree on is evidence about AWS, not about our emulator alone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { LocalAws, LocalAwsOptions } from '@flink-snapshots/local';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { z } from 'zod';
import { type Endpoint, startLocal } from './aws';
import { eventually } from './eventually';
import { moto, requireReferee } from './referees';

export const TargetKindSchema = z.enum(['local', 'moto']);
export type TargetKind = z.infer<typeof TargetKindSchema>;

/** The target of this process, from FLINK_SNAPSHOTS_TEST_TARGET (default `local`). */
export const TARGET_KIND: TargetKind = TargetKindSchema.parse(
  process.env.FLINK_SNAPSHOTS_TEST_TARGET ?? 'local',
  { error: () => 'FLINK_SNAPSHOTS_TEST_TARGET must be "local" or "moto"' },
);

export interface Target extends Endpoint {
  readonly kind: TargetKind;
  /** The local AWS with its control plane (faults, counters, SNS log, clock); undefined on moto. */
  readonly local?: LocalAws;
  /** The target's time in epoch ms: the local AWS's simulated clock, or the wall clock for moto. */
  now(): number;
  stop(): Promise<void>;
}

/**
 * Starts the target of this process: the local AWS (with `options`) or a moto server of its own, so
 * suites never share state. `options` only apply to the local AWS.
 */
export async function startTarget(options: LocalAwsOptions = {}): Promise<Target> {
  if (TARGET_KIND === 'moto') {
    // Reached without moto only in CI, where the suite must fail, and say why.
    if (!moto.available) throw new Error(`the target is moto, but ${moto.missing}`);
    const server = await startMoto();
    return { kind: 'moto', url: server.url, now: () => Date.now(), stop: () => server.stop() };
  }
  const local = await startLocal(options);
  return { kind: 'local', url: local.url, local, now: () => local.clock.now(), stop: () => local.stop() };
}

/**
 * The target of this test file: started before its tests (beforeAll), its fault rules cleared after each
 * test, stopped after them all. Read its fields in tests and hooks, not while the file is collected.
 */
export function useTarget(options: LocalAwsOptions = {}): Target {
  let started: Target | undefined;
  const current = (): Target => {
    if (started === undefined) throw new Error('the target starts in beforeAll; use it in tests and hooks');
    return started;
  };
  beforeAll(async () => {
    started = await startTarget(options);
  });
  afterEach(() => started?.local?.faults.clear());
  afterAll(async () => {
    await started?.stop();
  });
  return {
    get kind() {
      return current().kind;
    },
    get url() {
      return current().url;
    },
    get local() {
      return current().local;
    },
    now: () => current().now(),
    stop: () => current().stop(),
  };
}

let runnable: boolean | undefined;

/**
 * Whether this file's suites can run on the target: always on the local AWS; on moto when moto_server
 * runs. Under moto it declares moto's CI rule once per test file (requireReferee: missing fails in CI).
 */
function targetRunnable(): boolean {
  runnable ??= TARGET_KIND === 'local' || requireReferee(moto);
  return runnable;
}

/** `describe` for a suite run on this process's target; skipped (failing in CI) when moto is missing. */
export function describeOnTarget(name: string, body: () => void): void {
  describe.runIf(targetRunnable())(name, body);
}

/** The target's local AWS, for a test that `localOnly` declared; throws on another target. */
export function localAws(target: Target): LocalAws {
  if (target.local === undefined) {
    throw new Error(`this test needs the local AWS's control plane; the target is ${target.kind}`);
  }
  return target.local;
}

/** What of the local AWS's control plane (`/_local`) a test needs, which no other target has. */
export type LocalControl = 'fault injection' | 'SNS published-message log' | 'simulated clock';

/** A test run only against the local AWS, because it needs `needs`; the reason is in its name. */
export function localOnly(needs: LocalControl, name: string, body: () => Promise<void> | void): void {
  it.skipIf(TARGET_KIND !== 'local')(`${name} (local AWS only: ${needs})`, body);
}

/**
 * A test of a behaviour moto gets wrong, skipped under moto: `verdict` says how, against the AWS
 * documentation (the table at the end of packages/local/README.md lists each difference).
 */
export function notOnMoto(verdict: string, name: string, body: () => Promise<void> | void): void {
  it.skipIf(TARGET_KIND === 'moto')(`${name} (not on moto: ${verdict})`, body);
}

export interface MotoServer extends Endpoint {
  stop(): Promise<void>;
}

const MOTO_START_MS = 60_000;

/**
 * Starts `moto_server` on 127.0.0.1 with port 0: the OS picks a free port (no race with another suite
 * over a port found free a moment earlier) and werkzeug announces it ("Running on http://…"); then
 * waits, bounded, until it answers.
 */
export async function startMoto(): Promise<MotoServer> {
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    const url = await announcedUrl(child);
    await eventually(
      () =>
        fetch(`${url}/moto-api/`).then(
          (answer) => answer.ok,
          () => false,
        ),
      (ok) => ok,
      { timeoutMs: MOTO_START_MS, intervalMs: 100, what: `moto_server at ${url} answering` },
    );
    return {
      url,
      stop: async () => {
        process.off('exit', killOnExit);
        await stopChild(child);
      },
    };
  } catch (error) {
    process.off('exit', killOnExit);
    await stopChild(child);
    throw error;
  }
}

function announcedUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(`moto_server announced no URL within ${MOTO_START_MS} ms`),
      MOTO_START_MS,
    );
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`${why}; its output: ${output.slice(-2_000)}`));
    };
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('error', (error) => fail(`moto_server could not start: ${error.message}`));
    child.once('exit', (code) => fail(`moto_server exited with code ${code}`));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
