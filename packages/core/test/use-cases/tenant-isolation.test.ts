/**
 * Tenant isolation as a property: whatever the tenants' parameters name, whatever the applications'
 * tags and the registry say, a snapshot is created or deleted only through a session for the tenant the
 * application's tag names, and only for a parameter of that tenant.
 */
import {
  configParameterName,
  dispatch,
  processWorkMessage,
  TENANT_TAG_KEY,
  tenantParameterName,
} from '@flink-snapshots/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEPLOYMENT, tickAt, world } from './fakes';

const TENANTS = ['payments', 'search', 'ads'] as const;
const APPLICATIONS = ['indexer', 'ledger', 'router'] as const;

const scenario = fc.record({
  mode: fc.constantFrom('required' as const, 'open' as const),
  /** Each application's tenant tag: one of the tenants, or none. */
  tags: fc.tuple(...APPLICATIONS.map(() => fc.option(fc.constantFrom(...TENANTS), { nil: undefined }))),
  /** Each tenant's registry entry: none, or one that may or may not hold the deployment's account. */
  registry: fc.tuple(
    ...TENANTS.map(() =>
      fc.option(fc.constantFrom(DEPLOYMENT.accountId, '999999999999'), { nil: undefined }),
    ),
  ),
  /** Parameters: a tenant's key naming an application (by its key, or applicationName). */
  parameters: fc.uniqueArray(
    fc.record({
      tenant: fc.constantFrom(...TENANTS),
      key: fc.constantFrom(...APPLICATIONS, 'other'),
      applicationName: fc.option(fc.constantFrom(...APPLICATIONS), { nil: undefined }),
    }),
    { maxLength: 6, selector: (p) => `${p.tenant}/${p.key}` },
  ),
});

describe('tenant isolation (property)', () => {
  it('creates or deletes snapshots of an application only for the tenant its tag names', async () => {
    let mutations = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ mode, tags, registry, parameters }) => {
        const w = world();
        w.flink.createAs = 'READY';
        APPLICATIONS.forEach((name, i) => {
          const tag = tags[i];
          const manual = [1, 2, 3].map((day) => ({
            name: `manual-${day}`,
            status: 'READY' as const,
            createdAt: Date.UTC(2026, 10, day),
            applicationVersionId: 1,
          }));
          w.flink.add(name, {}, manual, tag === undefined ? {} : { [TENANT_TAG_KEY]: tag });
        });
        TENANTS.forEach((tenant, i) => {
          const account = registry[i];
          if (account === undefined) return;
          w.configs.put(tenantParameterName('test', tenant), {
            accounts: [account],
            regions: [DEPLOYMENT.region],
          });
        });
        for (const p of parameters) {
          w.configs.put(configParameterName('test', p.tenant, p.key), {
            ...(p.applicationName === undefined ? {} : { applicationName: p.applicationName }),
            // As much deleting power as a parameter can ask for.
            retention: { count: 1, minCount: 0, manage: 'all' },
          });
        }

        await dispatch(w, tickAt(w, { tenantMode: mode }));
        for (let steps = 0; w.queue.sent.length > 0; steps++) {
          if (steps > 50) throw new Error('the worker did not settle in 50 steps');
          const entry = w.queue.sent.shift();
          if (entry === undefined) break;
          w.clock.advance(60_000);
          await processWorkMessage(w, entry.body, `m${steps}`, { remainingMs: () => 60_000 });
        }

        for (const mutation of w.flink.mutations) {
          const owner = w.flink.apps.get(mutation.application)?.tags[TENANT_TAG_KEY];
          expect(owner, `${mutation.op} on ${mutation.application} for tenant ${mutation.tenant}`).toBe(
            mutation.tenant,
          );
        }
        mutations += w.flink.mutations.length;
      }),
      { numRuns: 1000 },
    );
    // Not vacuous: bound applications were snapshotted and pruned in many of the runs.
    expect(mutations).toBeGreaterThan(500);
  });
});
