/**
 * Referees: clients and emulators none of us wrote (Debian's AWS CLI, boto3, moto), used as independent
 * evidence. In CI (CI=true) each is mandatory: a missing one fails its suite. Elsewhere a missing one
 * skips its suite with a line saying why.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CREDENTIALS, type Endpoint, REGION } from './aws';

export const IN_CI = process.env.CI === 'true';

export interface Referee {
  readonly name: string;
  readonly available: boolean;
  /** Why it is missing and how to get it; undefined when available. */
  readonly missing?: string | undefined;
}

/** Probes a referee once: `probe` returns undefined when it is usable, else why not and how to fix it. */
export function findReferee(name: string, probe: () => string | undefined): Referee {
  let missing: string | undefined;
  try {
    missing = probe();
  } catch (error) {
    missing = error instanceof Error ? error.message : String(error);
  }
  return { name, available: missing === undefined, missing };
}

/**
 * Declares the CI rule for a referee: under CI=true a suite that fails when the referee is missing;
 * elsewhere, a missing referee is reported on stderr. Returns whether the referee's suites should run.
 */
export function requireReferee(referee: Referee): boolean {
  if (!referee.available && !IN_CI) {
    console.warn(`${referee.name} suite skipped: ${referee.missing}. In CI (CI=true) this fails.`);
  }
  describe.runIf(IN_CI)(`${referee.name} availability in CI`, () => {
    it(`finds ${referee.name}`, () => {
      expect(referee.available, `${referee.name}: ${referee.missing}`).toBe(true);
    });
  });
  return referee.available;
}

/** Debian's AWS CLI 2.9 (`.ci/run` installs it with apt-get install awscli). */
export const DEBIAN_AWS_CLI = '/usr/bin/aws';

export const debianAwsCli: Referee = findReferee("Debian's AWS CLI", () =>
  existsSync(DEBIAN_AWS_CLI)
    ? undefined
    : `${DEBIAN_AWS_CLI} is not installed (apt-get install awscli; .ci/run does it)`,
);

/** python3 with boto3 (and botocore), on every machine of this kind. */
export const boto3: Referee = findReferee('python3 with boto3', () => {
  execFileSync('python3', ['-c', 'import boto3'], { stdio: 'ignore', timeout: 30_000 });
  return undefined;
});

/** An environment for a client run as a child process: test credentials, the region, no user config. */
export function childAwsEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: REGION,
    AWS_REGION: REGION,
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    ...extra,
  };
}

const exec = promisify(execFile);

/** Runs Debian's AWS CLI against `endpoint` with JSON output; the parsed output, or undefined when empty. */
export async function awsCli(endpoint: Endpoint, ...args: readonly string[]): Promise<unknown> {
  const { stdout } = await exec(
    DEBIAN_AWS_CLI,
    [...args, '--endpoint-url', endpoint.url, '--output', 'json'],
    { env: childAwsEnv(), timeout: 60_000 },
  );
  return stdout.trim() === '' ? undefined : JSON.parse(stdout);
}
