/**
 * `npm run cycle`: one cycle against a local AWS already running (`npm run local`), named by
 * AWS_ENDPOINT_URL; stage from STAGE (default `local`). Creates the queues, table and topic if missing,
 * seeds nothing: build the fleet with the AWS CLI first (see the README).
 */
import { PIPELINE } from '@flink-snapshots/settings';
import { SimClock } from '../common/clock';
import { LocalAwsControl } from '../cycle/control-client';
import { runCycle } from '../cycle/cycle';
import { checkInvariants, readFleet } from '../cycle/invariants';
import { presentCycle, progressLine } from '../cycle/present';

async function main(): Promise<boolean> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (endpoint === undefined || endpoint === '') {
    throw new Error(
      'AWS_ENDPOINT_URL is not set; expected the local AWS, e.g. `npm run local` in another terminal, then AWS_ENDPOINT_URL=http://127.0.0.1:4566 npm run cycle',
    );
  }
  const stage = process.env.STAGE ?? 'local';
  const described = await new LocalAwsControl(endpoint).clock();
  const clock = new SimClock(described.timeScale, described.simStart, described.realStart);
  // The SDK clients find their endpoints themselves, so AWS_ENDPOINT_URL_<SERVICE> can point one
  // service elsewhere; the control plane is the local AWS's.
  const result = await runCycle({
    controlUrl: endpoint,
    stage,
    clock,
    region: process.env.AWS_REGION ?? 'us-east-1',
    onProgress: progressLine(),
  });
  const fleet = await readFleet(result, stage, PIPELINE.tickMinutes);
  return presentCycle(result, checkInvariants(result, fleet));
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    console.error(`npm run cycle failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
