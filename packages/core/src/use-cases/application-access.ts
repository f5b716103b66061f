import { type AppConfig, configParameterName, configPathPrefix } from '../domain/config';
import { ApplicationNotConfiguredError, ConfigError, TenantBindingError } from '../domain/errors';
import { IssueKind, renderValue } from '../domain/issues';
import { checkBinding } from '../domain/tenant';
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
 * it: an untagged or another tenant's application is a TenantBindingError, and nothing was done.
 */
export async function describeBoundApplication(
  flink: FlinkSnapshots,
  config: Pick<AppConfig, 'tenant' | 'applicationName'>,
): Promise<ApplicationInfo> {
  const app = await flink.describeApplication(config.applicationName);
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
