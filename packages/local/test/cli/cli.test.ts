import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliUsageError, parseCliArgs } from '../../src/cli/cli-args';

const root = resolve(import.meta.dirname, '../../../..');
const cli = join(root, 'packages/local/src/cli/cli.ts');

interface Run {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => output, exited };
}

/** Polls until the output holds `pattern` or the process exits; bounded. */
async function waitFor(r: Run, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  r.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    const match = pattern.exec(r.output());
    if (match !== null) return match;
    if (exited) break;
    await new Promise((done) => setImmediate(done));
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error(`expected output matching ${pattern}, got:\n${r.output()}`);
}

/** boto3 reads the region from AWS_DEFAULT_REGION only: the printed export line must set it. */
const boto3 = hasBoto3();
if (!boto3) console.warn('boto3 check skipped: python3 with boto3 is not installed (pip install boto3)');

function hasBoto3(): boolean {
  try {
    execFileSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The variables of every `export A=1 B=2` line printed. */
function exported(output: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [, assignments = ''] of output.matchAll(/^export (.+)$/gm)) {
    for (const assignment of assignments.split(' ')) {
      const [name = '', ...value] = assignment.split('=');
      env[name] = value.join('=');
    }
  }
  return env;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-aws-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('npm run local', () => {
  it('prints the URL and the export line, serves, and stops cleanly on SIGTERM', async () => {
    const fleet = join(dir, 'fleet.json');
    await writeFile(
      fleet,
      JSON.stringify({ applications: [{ name: 'orders', generatedSnapshots: { count: 3 } }] }),
    );
    const r = run(['--port', '0', '--fleet', fleet, '--seed', '9']);
    const [, url] = await waitFor(r, /^export AWS_ENDPOINT_URL=(http:\/\/127\.0\.0\.1:\d+)$/m);
    expect(r.output()).toContain(`local AWS listening on ${url}`);
    const health = await fetch(`${url}/_local/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', seed: 9 });
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  });

  it('prints AWS_DEFAULT_REGION beside AWS_REGION, since the AWS CLI v1 and boto3 read only the former', async () => {
    const r = run(['--port', '0']);
    const [line] = await waitFor(r, /^export AWS_REGION=.*$/m);
    r.child.kill('SIGTERM');
    await r.exited;
    expect(line).toBe(
      'export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test',
    );
  });

  it.skipIf(!boto3)('serves boto3 configured by nothing but the printed exports', async () => {
    const r = run(['--port', '0']);
    try {
      await waitFor(r, /^export AWS_REGION=.*$/m);
      const script = [
        'import boto3',
        "sqs = boto3.client('sqs')",
        "url = sqs.create_queue(QueueName='from-boto3')['QueueUrl']",
        "print(sqs.meta.region_name, url.rsplit('/', 1)[-1])",
      ].join('\n');
      const { stdout } = await promisify(execFile)('python3', ['-c', script], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/tmp',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          ...exported(r.output()),
        },
        timeout: 30_000,
      });
      expect(stdout.trim()).toBe('us-east-1 from-boto3');
    } finally {
      r.child.kill('SIGTERM');
      await r.exited;
    }
  });

  it('fails with a clear message when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as { port: number }).port;
    const r = run([], { LOCAL_AWS_PORT: String(port) });
    expect(await r.exited).toBe(1);
    expect(r.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    await new Promise<void>((done) => blocker.close(() => done()));
  });

  it('fails naming the file and the field when the fleet file is invalid', async () => {
    const fleet = join(dir, 'bad-fleet.json');
    await writeFile(fleet, JSON.stringify({ applications: [{ name: 'bad name!' }] }));
    const r = run(['--port', '0', '--fleet', fleet]);
    expect(await r.exited).toBe(1);
    expect(r.output()).toContain(fleet);
    expect(r.output()).toContain('applications[0].name');
  });
});

describe('CLI arguments', () => {
  it('defaults to port 4566', () => {
    expect(parseCliArgs([], {})).toEqual({ port: 4566, help: false });
  });

  it('takes the port from LOCAL_AWS_PORT, and --port over it', () => {
    expect(parseCliArgs([], { LOCAL_AWS_PORT: '4599' }).port).toBe(4599);
    expect(parseCliArgs(['--port', '4600'], { LOCAL_AWS_PORT: '4599' }).port).toBe(4600);
  });

  it('reads the fleet file, seed and time scale', () => {
    expect(parseCliArgs(['--fleet', 'f.json', '--seed', '3', '--time-scale', '0.01'], {})).toEqual({
      port: 4566,
      help: false,
      fleetFile: 'f.json',
      seed: 3,
      timeScale: 0.01,
    });
  });

  it.each([
    [['--port', 'abc'], "--port must be an integer from 0 to 65535, got 'abc'"],
    [['--port', '70000'], "--port must be an integer from 0 to 65535, got '70000'"],
    [['--time-scale', '2'], "--time-scale must be a number in (0, 1], got '2'"],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('rejects %j saying what was expected', (argv, message) => {
    expect(() => parseCliArgs(argv, {})).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv, {})).toThrow(message);
  });

  it('rejects a LOCAL_AWS_PORT that is not a port, naming the variable', () => {
    expect(() => parseCliArgs([], { LOCAL_AWS_PORT: 'x' })).toThrow(
      "LOCAL_AWS_PORT must be an integer from 0 to 65535, got 'x'",
    );
  });
});
