/**
 * `npm start`: the embedded local AWS, a demo fleet of 14 parameters over 3 tenants, and one real
 * snapshot cycle through the dispatcher and worker handlers. Exits non-zero if an invariant broke.
 */
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { configParameterName, tenantParameterName } from '@flink-snapshots/core';
import { PIPELINE } from '@flink-snapshots/settings';
import { runCycle } from '../cycle/cycle';
import { demoFleet } from '../cycle/demo-fleet';
import { checkInvariants, readFleet } from '../cycle/invariants';
import { presentCycle, progressLine } from '../cycle/present';
import { startLocalAws } from '../local-aws';
import { clientConfig } from '../runtime/aws';

const STAGE = 'local';
/** One simulated second in 10 real milliseconds: a 5-minute snapshot takes 3 s. */
const TIME_SCALE = Number(process.env.TIME_SCALE ?? 0.01);

async function main(): Promise<boolean> {
  const aws = await startLocalAws({ port: 0, timeScale: TIME_SCALE, seed: Number(process.env.SEED ?? 7) });
  try {
    const demo = demoFleet(aws.clock.now(), STAGE);
    aws.services.kinesisAnalytics.seed(demo.fleet);
    for (const role of demo.fleet.roles ?? []) aws.services.sts.requireExternalId(role.arn, role.externalId);
    for (const rule of demo.faults) aws.faults.add(rule);
    const ssm = new SSMClient(clientConfig({ endpoint: aws.url, region: aws.region }));
    for (const [tenant, entry] of Object.entries(demo.registry)) {
      await ssm.send(
        new PutParameterCommand({
          Name: tenantParameterName(STAGE, tenant),
          Type: 'String',
          Value: JSON.stringify(entry),
          Overwrite: true,
        }),
      );
    }
    for (const app of demo.applications) {
      await ssm.send(
        new PutParameterCommand({
          Name: configParameterName(STAGE, app.tenant, app.key),
          Type: 'String',
          Value: typeof app.config === 'string' ? app.config : JSON.stringify(app.config),
          Overwrite: true,
        }),
      );
    }
    ssm.destroy();
    process.stderr.write(
      `local AWS on ${aws.url} (time scale ${TIME_SCALE}); ${demo.applications.length} applications, tenants payments, search, analytics\n`,
    );

    const result = await runCycle({
      endpoint: aws.url,
      stage: STAGE,
      clock: aws.clock,
      onProgress: progressLine(),
    });
    const fleet = await readFleet(result, STAGE, PIPELINE.tickMinutes);
    const checks = checkInvariants(result, fleet, aws.services.kinesisAnalytics);
    return presentCycle(result, checks, demo.applications);
  } finally {
    await aws.stop();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    console.error(
      `npm start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(2);
  },
);
