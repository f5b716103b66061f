/**
 * `npm run local`: the local AWS in the foreground on 127.0.0.1 until Ctrl-C (SIGINT) or SIGTERM.
 */

import { startLocalAws } from '../local-aws';
import { FleetError, loadFleet } from '../services/kinesis-analytics/fleet';
import { CliUsageError, parseCliArgs, USAGE } from './cli-args';

async function main(): Promise<number> {
  const options = parseCliArgs(process.argv.slice(2), process.env);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  let fleet: Awaited<ReturnType<typeof loadFleet>> | undefined;
  try {
    fleet = options.fleetFile === undefined ? undefined : await loadFleet(options.fleetFile);
  } catch (error) {
    if (error instanceof FleetError) throw new CliUsageError(error.message);
    throw error;
  }
  let local: Awaited<ReturnType<typeof startLocalAws>>;
  try {
    local = await startLocalAws({
      port: options.port,
      ...(fleet === undefined ? {} : { fleet }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliUsageError(
        `port ${options.port} on 127.0.0.1 is already in use (another local AWS?); stop it, or pick another port with --port <n> or LOCAL_AWS_PORT=<n>`,
      );
    }
    throw error;
  }
  console.log(`local AWS listening on ${local.url} (sqs, sns, ssm, sts, kinesisanalytics, dynamodb)`);
  console.log(
    `seed ${local.seed()}, time scale ${local.clock.timeScale}${options.fleetFile === undefined ? '' : `, fleet from ${options.fleetFile}`}`,
  );
  console.log(
    'control plane: GET /_local/health, /_local/counters, /_local/faults, /_local/clock, /_local/sns/messages',
  );
  console.log('point the SDK, the AWS CLI and boto3 at it with:');
  console.log(`export AWS_ENDPOINT_URL=${local.url}`);
  // The AWS CLI v1 and boto3 read the region from AWS_DEFAULT_REGION only; SDK v3 and CLI v2 from AWS_REGION.
  console.log(
    `export AWS_REGION=${local.region} AWS_DEFAULT_REGION=${local.region} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`,
  );

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      console.log(`${signal}: stopping`);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await local.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CliUsageError) {
      console.error(`local AWS: ${error.message}`);
      console.error('run `npm run local -- --help` for the options');
    } else {
      console.error('local AWS failed:', error);
    }
    process.exit(1);
  },
);
