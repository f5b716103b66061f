/**
 * Generated fleets for the benchmarks: each tenant's applications tagged with their tenant (the worker
 * acts on an application only for the tenant its tag names), named `<tenant>-<index>`.
 */
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { configParameterName, mapWithConcurrency, TENANT_TAG_KEY } from '@flink-snapshots/core';
import type { LocalAws } from '../src/local-aws';
import {
  type Fleet,
  type GenerateFleetOptions,
  generateFleet,
} from '../src/services/kinesis-analytics/fleet';

export type TenantFleetOptions = Omit<GenerateFleetOptions, 'applications' | 'namePrefix' | 'tags'>;

/** One fleet holding every tenant's applications: `{ busy: 200, small: 2 }`. */
export function tenantFleet(tenants: Readonly<Record<string, number>>, options: TenantFleetOptions): Fleet {
  const fleets = Object.entries(tenants).map(([tenant, applications]) =>
    generateFleet({ ...options, applications, namePrefix: `${tenant}-`, tags: { [TENANT_TAG_KEY]: tenant } }),
  );
  return { ...fleets[0], applications: fleets.flatMap((fleet) => fleet.applications ?? []) };
}

/** The tenant of an application of `tenantFleet`: its name up to the last hyphen. */
export function tenantOfApplication(name: string): string {
  return name.slice(0, name.lastIndexOf('-'));
}

/** Writes one parameter per application of the local AWS's fleet, under its tenant, all with `config`. */
export async function writeParameters(aws: LocalAws, stage: string, config: object): Promise<void> {
  const ssm = new SSMClient({
    endpoint: aws.url,
    region: aws.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    await mapWithConcurrency(aws.services.kinesisAnalytics.applicationNames(), 16, (name) =>
      ssm.send(
        new PutParameterCommand({
          Name: configParameterName(stage, tenantOfApplication(name), name),
          Type: 'String',
          Value: JSON.stringify(config),
        }),
      ),
    );
  } finally {
    ssm.destroy();
  }
}
