/**
 * The one IAM policy emulated here: the MSF access role's, which lets a session act on an application
 * only when the application's tenant tag equals the session's
 * (`StringEquals aws:ResourceTag/flink-snapshots:tenant = ${aws:PrincipalTag/flink-snapshots:tenant}`).
 * A caller whose STS session carries the tenant tag is refused, with IAM's AccessDeniedException, every
 * operation on an application whose tag is missing or differs (a missing application has no tag either,
 * so it is refused too, as on AWS). Callers without that session tag are not checked: no other IAM
 * policy is evaluated here.
 */
import { TENANT_TAG_KEY } from '@flink-snapshots/settings';
import type { ServiceContext, SessionDirectory } from '../../protocol/service';
import { msfErrors } from './errors';
import type { KinesisAnalyticsOperation } from './inputs';
import type { KinesisAnalyticsOperationTable } from './operations';
import { applicationArn, applicationNameOf } from './outputs';
import type { FleetSimulation } from './simulation';

/** Operations on one application (by ApplicationName or ResourceARN): checked for a tenant's session. */
export const TENANT_BOUND_OPERATIONS = [
  'DescribeApplication',
  'StartApplication',
  'StopApplication',
  'UpdateApplication',
  'DeleteApplication',
  'CreateApplicationSnapshot',
  'DescribeApplicationSnapshot',
  'ListApplicationSnapshots',
  'DeleteApplicationSnapshot',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
] as const satisfies readonly KinesisAnalyticsOperation[];

type Handler = (input: unknown, ctx: ServiceContext) => unknown;

/** `table` with every tenant-bound operation refused to a session of another tenant. */
export function bindToTenants(
  table: KinesisAnalyticsOperationTable,
  fleet: FleetSimulation,
  sessions: SessionDirectory,
): KinesisAnalyticsOperationTable {
  const bound: Record<string, Handler> = { ...(table as unknown as Record<string, Handler>) };
  for (const operation of TENANT_BOUND_OPERATIONS) {
    const handler = bound[operation] as Handler;
    bound[operation] = (input, ctx) => {
      authorize(operation, input as ApplicationInput, ctx, fleet, sessions);
      return handler(input, ctx);
    };
  }
  return bound as unknown as KinesisAnalyticsOperationTable;
}

type ApplicationInput = { readonly ApplicationName: string } | { readonly ResourceARN: string };

function authorize(
  operation: KinesisAnalyticsOperation,
  input: ApplicationInput,
  ctx: ServiceContext,
  fleet: FleetSimulation,
  sessions: SessionDirectory,
): void {
  const session = ctx.callerAccessKeyId === undefined ? undefined : sessions.sessionOf(ctx.callerAccessKeyId);
  if (session === undefined) return;
  const tenant = tagOf(session.tags, TENANT_TAG_KEY);
  if (tenant === undefined) return;
  const resource = 'ResourceARN' in input ? input.ResourceARN : applicationArn(input.ApplicationName, ctx);
  const name = 'ResourceARN' in input ? applicationNameOf(input.ResourceARN, ctx) : input.ApplicationName;
  const app = name === undefined ? undefined : fleet.find(name, fleet.now());
  if (app?.tags.get(TENANT_TAG_KEY) !== tenant)
    throw msfErrors.accessDenied(session.arn, operation, resource);
}

/** A session tag's value: session tag keys compare case-insensitively, as STS keeps them. */
function tagOf(tags: Readonly<Record<string, string>>, key: string): string | undefined {
  const wanted = key.toLowerCase();
  return Object.entries(tags).find(([k]) => k.toLowerCase() === wanted)?.[1];
}
