/** `pin` / `unpin`: retention keeps a pinned snapshot (reason `pinned`) whatever the policy says. */
import { type FlinkTarget, judgeApplicationConfig } from '@flink-snapshots/core';
import { parameterOf, parseAppRef } from '../app-key';
import type { Stage } from '../context';
import { CliError, ExitCode } from '../errors';
import { printJson, println, say } from '../output';

/** The application's MSF name and target (region, role), from its configuration as the worker reads it. */
export async function targetOf(
  stage: Stage,
  app: string,
): Promise<{ appKey: string; tenant: string; application: string; target: FlinkTarget }> {
  const ref = parseAppRef(app);
  const parameter = parameterOf(stage.descriptor.stage, ref);
  const judged = await judgeApplicationConfig(stage.deps, stage.settings, ref);
  if (judged === undefined) {
    throw new CliError(
      `No parameter ${parameter}: ${ref.appKey} is not configured on stage ${stage.descriptor.stage}`,
      ExitCode.NOT_FOUND_OR_INVALID,
    );
  }
  const { result } = judged;
  if (!result.ok) {
    throw new CliError(
      `${parameter} is not a valid configuration, so where its application lives is unknown; fix it first (\`flink-snapshots config get ${ref.appKey} --effective\` shows the problems)`,
      ExitCode.NOT_FOUND_OR_INVALID,
    );
  }
  const { config } = result;
  return {
    appKey: ref.appKey,
    tenant: ref.tenant,
    application: config.applicationName,
    target: { tenant: config.tenant, region: config.region, roleArn: config.roleArn },
  };
}

export async function pinCommand(
  stage: Stage,
  app: string,
  snapshot: string,
  pinned: boolean,
): Promise<void> {
  const { appKey, tenant, application, target } = await targetOf(stage, app);
  if (pinned) {
    const found = await stage.adapters.flink.forTarget(target).describeSnapshot(application, snapshot);
    if (found === undefined) {
      throw new CliError(
        `Application ${application} (${appKey}) has no snapshot ${snapshot}; list them with \`aws kinesisanalyticsv2 list-application-snapshots --application-name ${application}\``,
        ExitCode.NOT_FOUND_OR_INVALID,
      );
    }
  } else {
    const pins = await stage.adapters.runs.pinsOf(appKey);
    if (!pins.has(snapshot)) {
      throw new CliError(`Snapshot ${snapshot} of ${appKey} is not pinned`, ExitCode.NOT_FOUND_OR_INVALID);
    }
  }
  await stage.adapters.runs.setPinned({ appKey, tenant }, snapshot, pinned);
  const pins = [...(await stage.adapters.runs.pinsOf(appKey))].sort();
  if (stage.options.json) {
    printJson({ appKey, snapshot, pinned, pins });
    return;
  }
  say(
    pinned
      ? `Pinned ${snapshot} of ${appKey}: retention keeps it (reason pinned) until it is unpinned.`
      : `Unpinned ${snapshot} of ${appKey}: retention may delete it on the next run.`,
  );
  println(`Pins of ${appKey}: ${pins.length === 0 ? 'none' : pins.join(', ')}`);
}
