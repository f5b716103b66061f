/** Command-line options of `npm run local`, parsed without side effects so they can be tested. */
import { parseArgs } from 'node:util';
import { DEFAULT_PORT } from '../local-aws';

export interface CliOptions {
  readonly port: number;
  readonly fleetFile?: string;
  readonly seed?: number;
  readonly timeScale?: number;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run local -- [--port <n>] [--fleet <file.json>] [--seed <n>] [--time-scale <x>]

Runs the local AWS (SQS, SNS, SSM, STS, Kinesis Analytics V2, DynamoDB) on 127.0.0.1 in the foreground.
  --port <n>          port to listen on (default ${DEFAULT_PORT}, or LOCAL_AWS_PORT); 0 picks a free one
  --fleet <file>      JSON fleet file seeding Kinesis Analytics applications and snapshots
  --seed <n>          seed of every random choice, for reproducible runs
  --time-scale <x>    real time per simulated time, in (0, 1]; 0.01 runs simulated durations 100x faster
Stop with Ctrl-C.`;

export class CliUsageError extends Error {}

export function parseCliArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CliOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const portText = values.port ?? env.LOCAL_AWS_PORT;
  const port =
    portText === undefined
      ? DEFAULT_PORT
      : integer(portText, values.port === undefined ? 'LOCAL_AWS_PORT' : '--port', 0, 65_535);
  const options: CliOptions = {
    port,
    help: values.help ?? false,
    ...(values.fleet === undefined ? {} : { fleetFile: values.fleet }),
    ...(values.seed === undefined ? {} : { seed: integer(values.seed, '--seed', 0, 2 ** 32 - 1) }),
    ...(values['time-scale'] === undefined ? {} : { timeScale: timeScale(values['time-scale']) }),
  };
  return options;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string', short: 'p' },
      fleet: { type: 'string', short: 'f' },
      seed: { type: 'string' },
      'time-scale': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
}

function integer(text: string, name: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new CliUsageError(`${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

function timeScale(text: string): number {
  const value = Number(text);
  if (!(value > 0 && value <= 1)) {
    throw new CliUsageError(`--time-scale must be a number in (0, 1], got '${text}'`);
  }
  return value;
}
