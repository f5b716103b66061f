import { type AppConfig, configParameterName, configPathPrefix } from '../domain/config';
import {
  AccessDeniedError,
  ApplicationNotConfiguredError,
  ConfigError,
  TenantBindingError,
} from '../domain/errors';
import { IssueKind, renderValue } from '../domain/issues';
import { checkBinding, deniedBinding } from '../domain/tenant';
import type { ApplicationInfo, Deps, FlinkSnapshots } from '../ports';
import { admitConfigs, type PipelineSettings, readAdmission } from './dispatch';

/**
 * One application's configuration, read, parsed and admitted exactly as the dispatcher does (stage
 * defaults, tenant registry, the tenant's application cap counted over its parameters in SSM's order).
 * Throws ApplicationNotConfiguredError when it has no parameter, ConfigError when it is not valid or not
 * admitted.
 */
export async function readApplicationConfig(
  deps: Pick<Deps, 'configs' | 'log'>,
  settings: PipelineSettings,
  appKey: string,
): Promise<AppConfig> {
  const [tenant, app, ...rest] = appKey.split('/');
  if (tenant === undefined || app === undefined || tenant === '' || app === '' || rest.length > 0) {
    throw new ConfigError({
      parameter: `${configPathPrefix(settings.stage)}${appKey}`,
      issues: [
        {
          field: '(application key)',
          kind: IssueKind.CONSTRAINT,
          value: renderValue(appKey),
          expected: 'an application key <tenant>/<app>, as the parameter name spells it under the stage',
        },
      ],
    });
  }
  const parameter = configParameterName(settings.stage, tenant, app);
  const [admission, parameters] = await Promise.all([
    readAdmission(deps, settings),
    deps.configs.readAll(`${configPathPrefix(settings.stage)}${tenant}/`),
  ]);
  if (!parameters.some((p) => p.name === parameter)) {
    throw new ApplicationNotConfiguredError({ appKey, parameter });
  }
  const { valid, invalid } = admitConfigs(parameters, admission);
  const rejected = invalid.find((entry) => entry.parameter.name === parameter);
  if (rejected !== undefined) throw rejected.error;
  const config = valid.find((entry) => entry.parameter === parameter);
  if (config === undefined) throw new ApplicationNotConfiguredError({ appKey, parameter });
  return config;
}

/**
 * Describes the application and checks it is its tenant's (its tenant tag) before anything is done to
 * it: an untagged or another tenant's application is a TenantBindingError, and nothing was done. IAM
 * denies the tenant's session every other application, the describe included (and a missing one: IAM
 * refuses before MSF looks), so a denied describe is a TenantBindingError too, saying what to tag.
 */
export async function describeBoundApplication(
  flink: FlinkSnapshots,
  config: Pick<AppConfig, 'tenant' | 'applicationName'>,
): Promise<ApplicationInfo> {
  let app: ApplicationInfo;
  try {
    app = await flink.describeApplication(config.applicationName);
  } catch (error) {
    // A refused AssumeRole is not this: the role, not the application, is what the tenant may not use.
    const deniedDescribe =
      error instanceof AccessDeniedError &&
      error.tenant !== undefined &&
      error.operation === 'DescribeApplication';
    if (!deniedDescribe) throw error;
    const as = error.roleArn === undefined ? '' : ` as ${error.roleArn}`;
    const denial = `${error.operation} was denied${as}, ${error.code ?? 'AccessDenied'}`;
    const denied = deniedBinding(config.tenant, config.applicationName, denial);
    throw new TenantBindingError(
      { tenant: config.tenant, application: config.applicationName, owner: undefined, reason: denied.reason },
      { cause: error },
    );
  }
  const binding = checkBinding(config.tenant, config.applicationName, await flink.listTags(app.arn));
  if (!binding.bound) {
    throw new TenantBindingError({
      tenant: config.tenant,
      application: config.applicationName,
      owner: binding.owner,
      reason: binding.reason,
    });
  }
  return app;
}
