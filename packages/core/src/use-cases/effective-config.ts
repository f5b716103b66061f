/**
 * One application's configuration judged exactly as the dispatcher judges it (admitConfigs: stage
 * defaults, tenant registry, placement, the tenant's application cap over its parameters in SSM's order),
 * for a value that may not be written yet (`config put`, `config validate --app`), with where each
 * effective field came from (`config get --effective`).
 */
import {
  type AppConfigResult,
  configParameterName,
  configPathPrefix,
  parseAppConfig,
} from '../domain/config';
import type { ConfigParameter, Deps } from '../ports';
import { type Admission, admitConfigs, layersOf, type PipelineSettings, readAdmission } from './dispatch';

/**
 * Judges `value` as the parameter of `tenant`/`app` (the stored value when `value` is undefined), among
 * the tenant's other parameters as they are; undefined when there is neither a value nor a parameter.
 */
export async function judgeApplicationConfig(
  deps: Pick<Deps, 'configs' | 'log'>,
  settings: PipelineSettings,
  ref: { readonly tenant: string; readonly app: string },
  value?: string,
): Promise<{ readonly stored?: ConfigParameter; readonly result: AppConfigResult } | undefined> {
  const name = configParameterName(settings.stage, ref.tenant, ref.app);
  const [admission, siblings] = await Promise.all([
    readAdmission(deps, settings),
    deps.configs.readAll(`${configPathPrefix(settings.stage)}${ref.tenant}/`),
  ]);
  const stored = siblings.find((parameter) => parameter.name === name);
  if (value === undefined && stored === undefined) return undefined;
  const candidate: ConfigParameter = {
    name,
    value: value ?? (stored as ConfigParameter).value,
    version: (stored?.version ?? 0) + (value === undefined ? 0 : 1),
    type: value === undefined ? stored?.type : 'String',
  };
  // SSM lists a path's parameters by name: a new one takes its place among them.
  const parameters = [...siblings.filter((parameter) => parameter.name !== name), candidate].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return {
    ...(stored === undefined ? {} : { stored }),
    result: judgeAdmitted(admission, parameters, candidate),
  };
}

function judgeAdmitted(
  admission: Admission,
  parameters: readonly ConfigParameter[],
  candidate: ConfigParameter,
): AppConfigResult {
  const { invalid } = admitConfigs(parameters, admission);
  const rejected = invalid.find((entry) => entry.parameter.name === candidate.name);
  if (rejected !== undefined) return { ok: false, error: rejected.error };
  // Admitted: parsed once more with its layers, for the provenance of each field.
  const layers = layersOf(admission, candidate.name);
  return parseAppConfig(
    candidate.name,
    candidate.value,
    { ...admission.input, layers: Array.isArray(layers) ? layers : [] },
    candidate.type,
  );
}
