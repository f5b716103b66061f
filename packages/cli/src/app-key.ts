/** `<tenant>/<app>` arguments, checked as the runs table and the parameter names spell them. */
import { AppKeySchema, configParameterName } from '@flink-snapshots/core';
import { CliError, ExitCode } from './errors';

export interface AppRef {
  readonly tenant: string;
  readonly app: string;
  readonly appKey: string;
}

/** Parses `<tenant>/<app>`, or fails with a usage error saying what was expected. */
export function parseAppRef(value: string): AppRef {
  if (!AppKeySchema.safeParse(value).success) {
    throw new CliError(
      `Application ${JSON.stringify(value)} is not <tenant>/<app>; expected e.g. payments/orders-enricher (tenant: 1 to 64 of a-z A-Z 0-9 _ . -)`,
      ExitCode.USAGE,
    );
  }
  const [tenant = '', app = ''] = value.split('/');
  return { tenant, app, appKey: value };
}

/** The SSM parameter of an application on a stage. */
export function parameterOf(stage: string, ref: AppRef): string {
  return configParameterName(stage, ref.tenant, ref.app);
}
