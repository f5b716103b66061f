/**
 * Generated fleets for the benchmarks: each tenant's applications tagged with their tenant (the worker
 * acts on an application only for the tenant its tag names), named `<tenant>-<index>`.
 */
import { TENANT_TAG_KEY } from '@flink-snapshots/core';
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
