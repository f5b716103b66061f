/**
 * Referees: clients and emulators none of us wrote (Debian's AWS CLI, boto3, moto), used as independent
 * evidence. In CI (CI=true) each is mandatory: a missing one fails its suite. Elsewhere a missing one
 * skips its suite with a line saying why.
 */
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
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

/**
 * A referee, probed on first use (not at import: every test file imports the kit, and starting Python
 * to probe takes a second): `probe` returns undefined when it is usable, else why not and how to fix it.
 */
export function findReferee(name: string, probe: () => string | undefined): Referee {
  let found: { readonly missing: string | undefined } | undefined;
  const check = () => {
    if (found === undefined) {
      try {
        found = { missing: probe() };
      } catch (error) {
        found = { missing: error instanceof Error ? error.message : String(error) };
      }
    }
    return found;
  };
  return {
    name,
    get available() {
      return check().missing === undefined;
    },
    get missing() {
      return check().missing;
    },
  };
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

/** The Python interpreter `python3` runs, with boto3 importable; resolved once, past any pyenv shim. */
let pythonPath: string | undefined;

/** python3 with boto3 (and botocore), on every machine of this kind. */
export const boto3: Referee = findReferee('python3 with boto3', () => {
  const found = execFileSync(
    'python3',
    ['-c', 'import importlib.util, sys; print(sys.executable if importlib.util.find_spec("boto3") else "")'],
    { encoding: 'utf8', timeout: 30_000 },
  ).trim();
  if (found === '') return 'python3 has no boto3 (pip install boto3)';
  pythonPath = found;
  return undefined;
});

/** The interpreter with boto3 (the boto3 referee must be available). */
export function python3(): string {
  if (!boto3.available || pythonPath === undefined) {
    throw new Error(`python3 with boto3 is not available: ${boto3.missing}`);
  }
  return pythonPath;
}

/** moto's standalone server: `moto_server` on PATH (pip install 'moto[server]'). */
export const moto: Referee = findReferee('moto_server', () =>
  onPath('moto_server') === undefined ? "moto_server is not on PATH (pip install 'moto[server]')" : undefined,
);

/** The first executable `command` in PATH, found without running it (moto takes seconds to start). */
function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; try the next.
    }
  }
  return undefined;
}

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

/**
 * Runs Debian's AWS CLI against `endpoint`: the parsed JSON output (undefined when empty), or the text
 * when the command asks for `--output text` itself (as the README's commands with `--query` do).
 */
export async function awsCli(endpoint: Endpoint, ...args: readonly string[]): Promise<unknown> {
  const output = args.includes('--output') ? args[args.indexOf('--output') + 1] : undefined;
  const text = output === 'text';
  const { stdout } = await exec(
    DEBIAN_AWS_CLI,
    [...args, '--endpoint-url', endpoint.url, ...(output === undefined ? ['--output', 'json'] : [])],
    { env: childAwsEnv(), timeout: 60_000 },
  );
  if (text) return stdout.trim();
  return stdout.trim() === '' ? undefined : JSON.parse(stdout);
}
