/**
 * How a configuration parameter is judged, the same for the dispatcher on every tick and for the command
 * line: parsed with the stage defaults and its tenant's registry entry as layers, then admitted against
 * the registry and the deployment. One module, so the command line reports exactly the dispatcher's
 * problems in the dispatcher's words.
 */
import {
  type AppConfig,
  type AppConfigResult,
  configPathPrefix,
  parseAppConfig,
  parseStageDefaults,
  type StageDefaultsResult,
} from '../domain/config';
import { type DefaultsLayer, stageDefaultsParameterName } from '../domain/defaults';
import { ConfigError } from '../domain/errors';
import { formatIssue, IssueKind, renderValue } from '../domain/issues';
import {
  admitApplication,
  type Deployment,
  readTenantRegistry,
  type TenantMode,
  type TenantRegistry,
  tenantDefaultsLayer,
  tenantRegistryPrefix,
} from '../domain/tenant';
import type { ConfigParameter, Deps } from '../ports';

/** What judging a stage's configurations depends on besides the parameters. */
export interface JudgeInput {
  readonly stage: string;
  /** The dispatcher's tick; no application can run more often. */
  readonly tickMinutes: number;
  /** Where the pipeline runs: what each configuration's account, region and role are judged against. */
  readonly deployment: Deployment;
  /** Whether every tenant needs a registry entry. */
  readonly tenantMode: TenantMode;
}

/** The stage's registry and defaults, read once, and the count of each tenant's admitted configurations. */
export interface ConfigJudge {
  readonly input: JudgeInput;
  readonly registry: TenantRegistry;
  /** The stage defaults every configuration inherits (undefined when there are none). */
  readonly stageLayer: StageDefaultsResult | undefined;
  /** Valid configurations judged so far, by tenant: the application cap counts them in SSM's order. */
  readonly admitted: Map<string, number>;
}

export interface JudgedParameters {
  readonly valid: AppConfig[];
  readonly invalid: { readonly parameter: ConfigParameter; readonly error: ConfigError }[];
}

/** Reads the tenant registry and the stage defaults a stage's configurations are judged with. */
export async function loadConfigJudge(
  deps: Pick<Deps, 'configs' | 'log'>,
  input: JudgeInput,
): Promise<ConfigJudge> {
  const [registryParameters, stageDefaults] = await Promise.all([
    deps.configs.readAll(tenantRegistryPrefix(input.stage)),
    deps.configs.get(stageDefaultsParameterName(input.stage)),
  ]);
  const registry = readTenantRegistry(registryParameters, { stage: input.stage, mode: input.tenantMode });
  for (const error of registry.unnamed)
    deps.log.warn('invalid tenant registry entry', { error: error.message });
  const stageLayer =
    stageDefaults === undefined
      ? undefined
      : parseStageDefaults(stageDefaults.name, stageDefaults.value, {
          stage: input.stage,
          type: stageDefaults.type,
        });
  if (stageLayer !== undefined && !stageLayer.ok) {
    // Every configuration inherits from it: none is dispatched until it is fixed, and each says why.
    deps.log.error('invalid stage defaults', { error: stageLayer.error.message });
  }
  return { input, registry, stageLayer, admitted: new Map() };
}

/**
 * Parses parameters, then admits each valid configuration against the tenant registry and the
 * deployment; what is not admitted is invalid too, with the reason as its issues. Synchronous, and to be
 * called in SSM's order: `judge.admitted` counts each tenant's configurations as they come.
 */
export function judgeParameters(
  judge: ConfigJudge,
  parameters: readonly ConfigParameter[],
): JudgedParameters {
  const valid: AppConfig[] = [];
  const invalid: JudgedParameters['invalid'] = [];
  for (const parameter of parameters) {
    const result = judgeParameter(judge, parameter);
    if (result.ok) valid.push(result.config);
    else invalid.push({ parameter, error: result.error });
  }
  return { valid, invalid };
}

/** One parameter judged as the dispatcher judges it, with the provenance of each effective field. */
export function judgeParameter(
  judge: ConfigJudge,
  parameter: Pick<ConfigParameter, 'name' | 'value' | 'type'>,
): AppConfigResult {
  const { input, registry, admitted } = judge;
  const layers = layersOf(judge, parameter.name);
  if (!Array.isArray(layers)) return { ok: false, error: layers };
  const result = parseAppConfig(parameter.name, parameter.value, { ...input, layers }, parameter.type);
  if (!result.ok) return result;
  const config = result.config;
  const ordinal = (admitted.get(config.tenant) ?? 0) + 1;
  admitted.set(config.tenant, ordinal);
  const issues = admitApplication(config, input.deployment, registry, ordinal);
  if (issues.length === 0) return result;
  const { tenant, appKey } = config;
  return { ok: false, error: new ConfigError({ parameter: parameter.name, issues, tenant, appKey }) };
}

/**
 * What a parameter's configuration inherits, least specific first: the stage defaults, then its tenant's
 * registry entry's; or the error saying the stage defaults are invalid (nothing inherits from them then).
 */
function layersOf(judge: ConfigJudge, parameter: string): DefaultsLayer[] | ConfigError {
  const layers: DefaultsLayer[] = [];
  if (judge.stageLayer !== undefined) {
    if (!judge.stageLayer.ok) {
      const error = judge.stageLayer.error;
      return new ConfigError({
        parameter,
        issues: [
          {
            field: '(stage defaults)',
            kind: IssueKind.CONSTRAINT,
            value: renderValue(error.parameter),
            expected: `valid stage defaults, which every application inherits; an administrator must fix ${error.parameter}: ${error.issues.map(formatIssue).join('; ')}`,
          },
        ],
        ...tenantOf(judge.input.stage, parameter),
      });
    }
    layers.push(judge.stageLayer.layer);
  }
  const tenant = tenantOf(judge.input.stage, parameter).tenant;
  const entry = tenant === undefined ? undefined : judge.registry.entries.get(tenant);
  if (entry !== undefined) layers.push(tenantDefaultsLayer(entry));
  return layers;
}

/** The tenant and application key a parameter name spells, if it spells them. */
function tenantOf(stage: string, parameter: string): { tenant?: string; appKey?: string } {
  const [tenant, app, ...rest] = parameter.slice(configPathPrefix(stage).length).split('/');
  if (
    tenant === undefined ||
    app === undefined ||
    rest.length > 0 ||
    !parameter.startsWith(configPathPrefix(stage))
  )
    return {};
  return { tenant, appKey: `${tenant}/${app}` };
}
