/**
 * Python child processes for the boto3 referee: the interpreter the boto3 referee found, the test
 * environment of childAwsEnv, and AWS_ENDPOINT_URL, which boto3 reads by itself.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { Endpoint } from './aws';
import { childAwsEnv, python3 } from './referees';

const exec = promisify(execFile);

export interface PythonOptions {
  /** Real milliseconds before the process is killed; default 120 000. */
  readonly timeoutMs?: number;
}

/** Runs `python3 script …args` against `endpoint` (boto3 clients need nothing else); its stdout. */
export async function runPython(
  endpoint: Endpoint,
  script: string,
  args: readonly string[] = [],
  options: PythonOptions = {},
): Promise<string> {
  try {
    const { stdout } = await exec(python3(), [script, ...args], {
      env: childAwsEnv({ AWS_ENDPOINT_URL: endpoint.url, PYTHONDONTWRITEBYTECODE: '1' }),
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`python3 ${script} ${args.join(' ')} failed: ${stderr?.slice(-4_000) ?? String(error)}`, {
      cause: error,
    });
  }
}

/** One unittest case as `runner.py run` reports it. */
export const PythonCaseSchema = z.object({
  id: z.string(),
  outcome: z.enum(['passed', 'failed', 'error', 'skipped']),
  /** The traceback of a failure or error, the reason of a skip; empty when it passed. */
  detail: z.string(),
  seconds: z.number(),
});
export type PythonCase = z.infer<typeof PythonCaseSchema>;

/** The ids of the unittest cases `runner` finds (`runner.py list`), e.g. `test_sqs.SqsTest.test_sends`. */
export async function listPythonTests(runner: string): Promise<string[]> {
  const listed = await exec(python3(), [runner, 'list'], {
    env: childAwsEnv({ PYTHONDONTWRITEBYTECODE: '1' }),
    timeout: 60_000,
  });
  return z.array(z.string()).parse(JSON.parse(listed.stdout));
}

/** Runs every case `runner` finds against `endpoint`, in one Python process; their outcomes by id. */
export async function runPythonTests(runner: string, endpoint: Endpoint): Promise<Map<string, PythonCase>> {
  const dir = await mkdtemp(join(tmpdir(), 'boto3-referee-'));
  try {
    const out = join(dir, 'results.json');
    await runPython(endpoint, runner, ['run', out], { timeoutMs: 300_000 });
    const cases = z.array(PythonCaseSchema).parse(JSON.parse(await readFile(out, 'utf8')));
    return new Map(cases.map((result) => [result.id, result]));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
