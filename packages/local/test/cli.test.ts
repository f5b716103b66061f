import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliUsageError, parseCliArgs } from '../src/cli-args';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'packages/local/src/cli.ts');

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
