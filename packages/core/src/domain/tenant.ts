/**
 * Tenants: the registry administrators write (`/flink-snapshots/<stage>/tenants/<tenant>`), where a
 * tenant's applications may live, and the binding of an application to its tenant. A tenant writes only
 * its own parameters (`…/apps/<tenant>/*`), but a parameter names what the worker acts on: the registry
 * bounds the accounts and regions it may name, and the application's tenant tag must name the tenant of
 * the parameter, or the worker does nothing to it. IAM enforces the same binding (see the README).
 */
import { TENANT_TAG_KEY, tenantRegistryPrefix } from '@flink-snapshots/settings';
import { z } from 'zod';
import {
  type AppConfig,
  CapsSchema,
  knownLayerFields,
  LayerSchema,
  parseParameterJson,
  partitionOf,
  RegionSchema,
  TENANT_PATTERN,
} from './config';
import { ConfigLayer, type DefaultsLayer } from './defaults';
import { ConfigError } from './errors';
import { type FieldIssue, IssueKind, issuesFromZod, renderValue } from './issues';

export { TENANT_TAG_KEY, tenantRegistryPrefix } from '@flink-snapshots/settings';

export const AccountIdSchema = z
  .string({ error: 'a 12-digit AWS account id' })
  .regex(/^[0-9]{12}$/, { error: 'a 12-digit AWS account id' });

/** A tenant's registry entry, written by administrators only. */
export const TenantEntrySchema = z.strictObject(
  {
    /** AWS accounts the tenant's applications may live in (the deployment's own account included, if so). */
    accounts: z
      .array(AccountIdSchema, { error: 'an array of 12-digit AWS account ids, at least one' })
      .min(1, { error: 'an array of 12-digit AWS account ids, at least one' }),
    /** Regions the tenant's applications may live in. */
    regions: z
      .array(RegionSchema, { error: 'an array of AWS regions such as eu-west-1, at least one' })
      .min(1, { error: 'an array of AWS regions such as eu-west-1, at least one' }),
    /** How many applications the tenant may have; parameters beyond it are reported, the others run. */
    maxApplications: z.int({ error: 'an integer from 1 to 10000' }).min(1).max(10_000).default(100),
    /** Application fields the tenant's applications inherit, over the stage's defaults. */
    defaults: LayerSchema.optional(),
    /** Limits on the tenant's applications, besides the stage's. */
    caps: CapsSchema.optional(),
  },
  { error: 'a JSON object with fields accounts, regions, maxApplications, defaults, caps' },
);
export type TenantEntry = z.infer<typeof TenantEntrySchema>;

/** Whether a stage requires every tenant to be in the registry, or runs without one ("open"). */
export const TenantMode = { REQUIRED: 'required', OPEN: 'open' } as const;
export type TenantMode = (typeof TenantMode)[keyof typeof TenantMode];

/** The SSM parameter of a tenant's registry entry. */
export function tenantParameterName(stage: string, tenant: string): string {
  return `${tenantRegistryPrefix(stage)}${tenant}`;
}

export type TenantEntryResult =
  | { readonly ok: true; readonly tenant: string; readonly entry: TenantEntry }
  | { readonly ok: false; readonly tenant: string | undefined; readonly error: ConfigError };

/** Parses one registry parameter (name, JSON value, SSM type) into a TenantEntry, or every problem. */
export function parseTenantEntry(
  parameter: string,
  rawValue: string,
  context: { readonly stage: string; readonly type?: string | undefined },
): TenantEntryResult {
  const prefix = tenantRegistryPrefix(context.stage);
  const tenant = parameter.startsWith(prefix) ? parameter.slice(prefix.length) : '';
  const issues: FieldIssue[] = [];
  if (!TENANT_PATTERN.test(tenant)) {
    issues.push({
      field: '(name)',
      kind: IssueKind.BAD_PATH,
      value: renderValue(parameter),
      expected: `a name ${prefix}<tenant>, the tenant 1 to 64 characters from a-z A-Z 0-9 _ . -`,
    });
  }
  const json = parseParameterJson(rawValue, context.type, issues);
  if (json.ok) {
    const parsed = TenantEntrySchema.safeParse(json.value, { reportInput: true });
    if (parsed.success && issues.length === 0) return { ok: true, tenant, entry: parsed.data };
    if (!parsed.success) {
      const known = (path: readonly PropertyKey[]) =>
        knownLayerFields(path, Object.keys(TenantEntrySchema.shape));
      issues.push(...issuesFromZod(parsed.error.issues, json.value, '(value)', known));
    }
  }
  const named = TENANT_PATTERN.test(tenant) ? tenant : undefined;
  return { ok: false, tenant: named, error: new ConfigError({ parameter, issues, tenant: named }) };
}

/** The layer a tenant's applications inherit from: its entry's defaults and caps (parseAppConfig's context.layers). */
export function tenantDefaultsLayer(registry: {
  readonly parameter: string;
  readonly entry: TenantEntry;
}): DefaultsLayer {
  const { defaults, caps } = registry.entry;
  return { layer: ConfigLayer.TENANT, parameter: registry.parameter, defaults, caps };
}

/** Where the pipeline is deployed: what a configuration's defaults and limits are judged against. */
export interface Deployment {
  readonly region: string;
  readonly accountId: string;
  /** `aws`, `aws-cn`, `aws-us-gov`: the partition of the deployment's region. */
  readonly partition: string;
  /** The IAM role ARN pattern the worker may assume (the stage's), with `*` wildcards. */
  readonly roleArnPattern: string;
}

/** True when `value` matches an IAM ARN pattern whose `*` matches any run of characters and `?` one. */
export function matchesArnPattern(value: string, pattern: string): boolean {
  const regex = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${regex}$`).test(value);
}

/**
 * Where a valid configuration places its application, judged against the deployment and, when the stage
 * requires a registry, the tenant's entry: the account (the role's, or the deployment's own) and region
 * must be the tenant's; the role must match the stage's pattern and the partition of the region, which
 * must be the deployment's. Returns every problem, naming the field, the value and what was expected.
 */
export function checkPlacement(
  config: Pick<AppConfig, 'tenant' | 'region' | 'roleArn'>,
  deployment: Deployment,
  registry?: { readonly parameter: string; readonly entry: TenantEntry },
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const region = config.region ?? deployment.region;
  const regionField = config.region === undefined ? 'region (default)' : 'region';
  const partition = partitionOf(region);
  if (partition !== deployment.partition) {
    issues.push({
      field: regionField,
      kind: IssueKind.CONSTRAINT,
      value: renderValue(region),
      expected: `a region of partition ${deployment.partition}, where flink-snapshots is deployed (${region} is in ${partition}; a role cannot be assumed across partitions)`,
    });
  }
  const role = config.roleArn;
  if (role !== undefined) {
    if (!role.startsWith(`arn:${partition}:`)) {
      issues.push({
        field: 'roleArn',
        kind: IssueKind.CONSTRAINT,
        value: renderValue(role),
        expected: `a role ARN in partition ${partition}, the partition of region ${region}`,
      });
    }
    if (!matchesArnPattern(role, deployment.roleArnPattern)) {
      issues.push({
        field: 'roleArn',
        kind: IssueKind.CONSTRAINT,
        value: renderValue(role),
        expected: `a role matching the stage's pattern ${deployment.roleArnPattern}, the roles the worker may assume`,
      });
    }
  }
  if (registry === undefined) return issues;
  // A role ARN that passed the schema names a 12-digit account as its fifth field.
  const account = role === undefined ? deployment.accountId : (role.split(':')[4] as string);
  if (!registry.entry.accounts.includes(account)) {
    issues.push({
      field: role === undefined ? 'roleArn (absent: the deployment account)' : 'roleArn',
      kind: IssueKind.CONSTRAINT,
      value: renderValue(role ?? account),
      expected: `an application in one of tenant ${config.tenant}'s accounts (${registry.entry.accounts.join(', ')}, in ${registry.parameter}); account ${account} is not one`,
    });
  }
  if (!registry.entry.regions.includes(region)) {
    issues.push({
      field: regionField,
      kind: IssueKind.CONSTRAINT,
      value: renderValue(region),
      expected: `one of tenant ${config.tenant}'s regions (${registry.entry.regions.join(', ')}, in ${registry.parameter})`,
    });
  }
  return issues;
}

/** Whether an application is bound to a tenant, judged by its tenant tag. */
export type Binding =
  | { readonly bound: true }
  | { readonly bound: false; readonly owner: string | undefined; readonly reason: string };

/**
 * An application is bound to the tenant its `flink-snapshots:tenant` tag names, and to no other: the
 * worker acts on it only for that tenant. An untagged application is bound to nobody.
 */
export function checkBinding(
  tenant: string,
  application: string,
  tags: Readonly<Record<string, string>>,
): Binding {
  const owner = tags[TENANT_TAG_KEY];
  if (owner === tenant) return { bound: true };
  const fix = tagFix(tenant);
  const reason =
    owner === undefined
      ? `application ${application} has no ${TENANT_TAG_KEY} tag, so it is bound to no tenant and nothing was done to it; ${fix}`
      : `application ${application} belongs to tenant ${owner} (its ${TENANT_TAG_KEY} tag), not to tenant ${tenant} whose parameter names it; nothing was done to it`;
  return { bound: false, owner, reason };
}

/**
 * The binding as IAM judged it: the tenant's session was denied the application (the MSF access role
 * allows only applications whose tenant tag equals the session's), so its tag cannot even be read.
 */
export function deniedBinding(
  tenant: string,
  application: string,
  denial: string,
): Extract<Binding, { bound: false }> {
  return {
    bound: false,
    owner: undefined,
    reason: `tenant ${tenant}'s session may not reach application ${application} (${denial}): IAM lets it act only on applications tagged ${TENANT_TAG_KEY}=${tenant}, so ${application} is another tenant's, has no ${TENANT_TAG_KEY} tag, or does not exist in this account and region (IAM refuses before MSF looks); nothing was done to it; ${tagFix(tenant)}`,
  };
}

function tagFix(tenant: string): string {
  return `tag it ${TENANT_TAG_KEY}=${tenant} (aws kinesisanalyticsv2 tag-resource --resource-arn <its ARN> --tags Key=${TENANT_TAG_KEY},Value=${tenant}) if it is tenant ${tenant}'s`;
}

/** What the dispatcher knows of the registry on a tick: valid entries and invalid ones, by tenant. */
export interface TenantRegistry {
  readonly stage: string;
  readonly mode: TenantMode;
  readonly entries: ReadonlyMap<string, { readonly parameter: string; readonly entry: TenantEntry }>;
  readonly invalid: ReadonlyMap<string, ConfigError>;
}

/** The registry from its parameters: each parsed, the valid ones by tenant, the invalid ones too. */
export function readTenantRegistry(
  parameters: readonly {
    readonly name: string;
    readonly value: string;
    readonly type?: string | undefined;
  }[],
  context: { readonly stage: string; readonly mode: TenantMode },
): TenantRegistry & { readonly unnamed: readonly ConfigError[] } {
  const entries = new Map<string, { parameter: string; entry: TenantEntry }>();
  const invalid = new Map<string, ConfigError>();
  const unnamed: ConfigError[] = [];
  for (const parameter of parameters) {
    const result = parseTenantEntry(parameter.name, parameter.value, {
      stage: context.stage,
      type: parameter.type,
    });
    if (result.ok) entries.set(result.tenant, { parameter: parameter.name, entry: result.entry });
    else if (result.tenant === undefined) unnamed.push(result.error);
    else invalid.set(result.tenant, result.error);
  }
  return { stage: context.stage, mode: context.mode, entries, invalid, unnamed };
}

/**
 * Whether the registry admits a valid configuration, and every reason it does not: the tenant's entry is
 * missing (a stage that requires one) or invalid, the application lies outside the tenant's accounts or
 * regions or the deployment's partition, or the tenant is over its application cap (`ordinal` counts
 * this tenant's valid configurations read so far on the tick, this one included).
 */
export function admitApplication(
  config: Pick<AppConfig, 'tenant' | 'region' | 'roleArn'>,
  deployment: Deployment,
  registry: TenantRegistry,
  ordinal: number,
): FieldIssue[] {
  const { tenant } = config;
  const registryError = registry.invalid.get(tenant);
  if (registryError !== undefined) {
    return [
      {
        field: '(tenant)',
        kind: IssueKind.CONSTRAINT,
        value: renderValue(tenant),
        expected: `a valid registry entry for tenant ${tenant}; an administrator must fix ${registryError.parameter}: ${registryError.issues.map((i) => `${i.field}: expected ${i.expected}`).join('; ')}`,
      },
    ];
  }
  const found = registry.entries.get(tenant);
  if (found === undefined && registry.mode === TenantMode.REQUIRED) {
    return [
      {
        field: '(tenant)',
        kind: IssueKind.CONSTRAINT,
        value: renderValue(tenant),
        expected: `a registry entry for tenant ${tenant}: an administrator creates the String parameter ${tenantParameterName(registry.stage, tenant)} with the accounts and regions its applications may live in, e.g. {"accounts":["${deployment.accountId}"],"regions":["${deployment.region}"]}`,
      },
    ];
  }
  const issues = checkPlacement(config, deployment, found);
  if (found !== undefined && ordinal > found.entry.maxApplications) {
    issues.push({
      field: '(tenant)',
      kind: IssueKind.CONSTRAINT,
      value: `application #${ordinal} of tenant ${tenant}`,
      expected: `at most ${found.entry.maxApplications} applications for tenant ${tenant} (maxApplications in ${found.parameter}); the first ${found.entry.maxApplications} read run, this one does not`,
    });
  }
  return issues;
}
