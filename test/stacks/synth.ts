/**
 * Synthesizes the real app (sst.config.ts) for one stage the way `sst build` does, offline: SST's
 * `initProject` + `App`, the stacks registered by sst.config.ts, `app.finish()` (which bundles the
 * handlers with esbuild, locally), then one Template per stack. NODE_ENV=test (vitest's default) makes
 * SST skip its bootstrap lookups, the only AWS calls of a synth besides STS, which this does not need.
 */

import { APP_NAME } from '@flink-snapshots/settings';
import { Template } from 'aws-cdk-lib/assertions';
import { App, getStack } from 'sst/constructs';
import { initProject } from 'sst/project.js';
import config from '../../sst.config';
import { Pipeline } from '../../stacks/Pipeline';
import { Storage } from '../../stacks/Storage';

export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'eu-west-1';

export interface SynthesizedStage {
  readonly stage: string;
  /** CloudFormation stack names, by stack function. */
  readonly stackNames: { readonly storage: string; readonly pipeline: string };
  readonly storage: Template;
  readonly pipeline: Template;
}

/** Synthesizes `stage` with `env` set (and every other STAGE_ENV variable unset) while the stacks build. */
export async function synthesize(
  stage: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<SynthesizedStage> {
  if (process.env.NODE_ENV !== 'test') {
    throw new Error(
      `NODE_ENV is ${JSON.stringify(process.env.NODE_ENV)}; expected "test" so SST skips bootstrap lookups`,
    );
  }
  await initProject({ stage, region: TEST_REGION });
  // initProject loads .env files; the test decides what the stage variables are.
  const saved = { ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    const app = new App({
      mode: 'deploy',
      stage,
      name: APP_NAME,
      region: TEST_REGION,
      account: TEST_ACCOUNT,
    });
    await config.stacks(app);
    await app.finish();
    return {
      stage,
      stackNames: { storage: getStack(Storage).stackName, pipeline: getStack(Pipeline).stackName },
      storage: Template.fromStack(getStack(Storage)),
      pipeline: Template.fromStack(getStack(Pipeline)),
    };
  } finally {
    for (const name of Object.keys(env)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Renders a CloudFormation value as one string, so ARNs can be compared whole: `{ Ref: X }` → `${X}`,
 * `{ Fn::GetAtt: [X, A] }` → `${X.A}`, Fn::Join joined, and an Fn::ImportValue replaced by the value
 * the exporting template gives it (rendered there), so cross-stack references read as the resource.
 */
export function render(value: unknown, exporter?: Template): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, Json>;
    if ('Ref' in object) return `\${${String(object.Ref)}}`;
    if ('Fn::GetAtt' in object) {
      const [resource, attribute] = object['Fn::GetAtt'] as [string, string];
      return `\${${resource}.${attribute}}`;
    }
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, Json[]];
      return parts.map((part) => render(part, exporter)).join(separator);
    }
    if ('Fn::ImportValue' in object) {
      const name = render(object['Fn::ImportValue'], exporter);
      if (exporter === undefined) return `\${Import:${name}}`;
      const outputs = exporter.toJSON().Outputs as Record<string, { Value: Json; Export?: { Name: Json } }>;
      const output = Object.values(outputs).find(
        (o) => o.Export !== undefined && render(o.Export.Name) === name,
      );
      if (output === undefined) throw new Error(`Import ${name} is not exported by the given template`);
      return render(output.Value);
    }
  }
  throw new Error(`Cannot render CloudFormation value ${JSON.stringify(value)}`);
}

/** The logical ID of the only resource of `type` in `template`. */
export function logicalId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  if (ids.length !== 1)
    throw new Error(`Expected exactly one ${type}, found ${ids.length}: ${ids.join(', ')}`);
  return ids[0] as string;
}

export interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Sid?: string;
}

export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every statement of the identity policies (inline, default and managed) in a template, by resource. */
export function identityStatements(template: Template): { owner: string; statement: Statement }[] {
  const found: { owner: string; statement: Statement }[] = [];
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties?: Record<string, Json> }
  >;
  for (const [id, resource] of Object.entries(resources)) {
    const properties = resource.Properties ?? {};
    const documents: Json[] = [];
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      documents.push(properties.PolicyDocument ?? null);
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of asList(properties.Policies as Json[] | undefined)) {
        documents.push((policy as { PolicyDocument: Json }).PolicyDocument);
      }
    }
    for (const document of documents) {
      for (const statement of asList((document as unknown as { Statement: Statement[] }).Statement)) {
        found.push({ owner: id, statement });
      }
    }
  }
  return found;
}

/** The statements of the policies attached to one role, as `action → rendered resources`. */
export function permissionsOf(template: Template, roleId: string, exporter: Template): Map<string, string[]> {
  const permissions = new Map<string, string[]>();
  const policies = template.findResources('AWS::IAM::Policy');
  for (const policy of Object.values(policies)) {
    const roles = asList(policy.Properties.Roles as unknown[]).map((role) => render(role));
    if (!roles.includes(`\${${roleId}}`)) continue;
    for (const statement of asList(policy.Properties.PolicyDocument.Statement as Statement[])) {
      if (statement.Effect !== 'Allow')
        throw new Error(`Unexpected ${statement.Effect} in the policy of ${roleId}`);
      for (const action of asList(statement.Action)) {
        const resources = asList(statement.Resource).map((resource) => render(resource, exporter));
        permissions.set(action, [...(permissions.get(action) ?? []), ...resources].sort());
      }
    }
  }
  return permissions;
}
