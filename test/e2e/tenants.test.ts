/**
 * Tenant isolation end to end on the local AWS: a tenant's parameter never causes a call on another
 * tenant's application, by the worker's check and by the local emulation of the MSF access role's policy
 * and of cross-account trust policies that require an ExternalId.
 */
import { RunState, TENANT_TAG_KEY } from '@flink-snapshots/core';
import type { LocalAws } from '@flink-snapshots/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { broken, runScenario, startAws } from './harness';

let aws: LocalAws;

beforeAll(async () => {
  aws = await startAws();
});

afterAll(async () => {
  await aws.stop();
});

const events = (application: string, since: number) =>
  aws.services.kinesisAnalytics
    .snapshotEvents(application)
    .filter((event) => event.at >= since)
    .map((event) => `${event.type} ${event.snapshotName}`);

describe('tenant isolation', () => {
  it("fails a tenant's parameter that names another tenant's application, and touches none of its snapshots", async () => {
    const since = aws.clock.now();
    const manual = [1, 2, 3, 4].map((week) => ({
      name: `manual-${week}`,
      createdAt: since - week * 7 * 86_400_000,
    }));
    const s = await runScenario(aws, {
      apps: [
        { tenant: 'search', name: 'indexer', msf: { snapshots: manual } },
        {
          tenant: 'payments',
          name: 'grab',
          config: { applicationName: 'indexer', retention: { count: 1, minCount: 0, manage: 'all' } },
          msf: false,
        },
      ],
    });

    const grab = s.run('payments', 'grab');
    expect(grab?.state).toBe(RunState.FAILED);
    // IAM denies payments' session even the describe, so the reason cannot name the owner; it says what to tag.
    expect(grab?.reason).toContain(
      "tenant payments's session may not reach application indexer (DescribeApplication was denied as arn:aws:iam::",
    );
    expect(grab?.reason).toContain('nothing was done to it; tag it flink-snapshots:tenant=payments');
    expect(s.run('search', 'indexer')?.state).toBe(RunState.COMPLETED);
    // search's own run created its snapshot; nothing was deleted: its manual snapshots are not its own.
    expect(events('indexer', since).filter((e) => e.startsWith('deleted'))).toEqual([]);
    expect(events('indexer', since).filter((e) => e.startsWith('created'))).toHaveLength(1);
    expect(aws.services.kinesisAnalytics.listSnapshots('indexer').map((x) => x.name)).toEqual(
      expect.arrayContaining(manual.map((m) => m.name)),
    );
    expect(broken(s.checks)).toEqual([]);
  });

  it('fails an untagged application, naming the tag to set, and creates nothing', async () => {
    const since = aws.clock.now();
    const s = await runScenario(aws, { apps: [{ tenant: 'payments', name: 'untagged', msf: { tags: {} } }] });
    expect(s.run('payments', 'untagged')?.reason).toContain(
      `has no ${TENANT_TAG_KEY} tag, or does not exist in this account and region (IAM refuses before MSF looks); nothing was done to it; tag it ${TENANT_TAG_KEY}=payments`,
    );
    expect(events('untagged', since)).toEqual([]);
  });

  it('is enforced by IAM too: a payments session may not even describe search’s application', async () => {
    const s = await runScenario(aws, {
      apps: [
        { tenant: 'search', name: 'ranker' },
        { tenant: 'payments', name: 'ranker-alias', config: { applicationName: 'ranker' }, msf: false },
      ],
    });
    const alias = s.run('payments', 'ranker-alias');
    expect(alias?.state).toBe(RunState.FAILED);
    expect(alias?.error?.name).toBe('TenantBindingError');
    expect(alias?.error?.message).toContain(
      "tenant payments's session may not reach application ranker (DescribeApplication was denied as arn:aws:iam::000000000000:role/",
    );
    expect(s.run('search', 'ranker')?.state).toBe(RunState.COMPLETED);
  });

  it("refuses a run when another tenant's cross-account role requires its own ExternalId", async () => {
    const role = 'arn:aws:iam::222233334444:role/flink-snapshots-search';
    const stage = `extid${Math.floor(aws.clock.now() % 1000)}`;
    aws.services.sts.requireExternalId(role, `${stage}/search`);
    const s = await runScenario(aws, {
      stage,
      apps: [
        { tenant: 'search', name: 'far-search', config: { roleArn: role } },
        { tenant: 'payments', name: 'far-payments', config: { roleArn: role } },
      ],
    });

    expect(s.run('search', 'far-search')?.state).toBe(RunState.COMPLETED);
    const refused = s.run('payments', 'far-payments');
    expect(refused?.state).toBe(RunState.FAILED);
    expect(refused?.error?.message).toContain(
      `was denied as ${role} for tenant payments (ExternalId ${stage}/payments)`,
    );
    const sessions = aws.services.sts.sessions().filter((session) => session.roleArn === role);
    expect(sessions.map((session) => [session.externalId, session.tags[TENANT_TAG_KEY]])).toContainEqual([
      `${stage}/search`,
      'search',
    ]);
  });

  it('fails the applications beyond a tenant’s cap, a SecureString and a duplicated key, and runs the rest', async () => {
    const s = await runScenario(aws, {
      registry: { capped: { accounts: [aws.accountId], regions: [aws.region], maxApplications: 2 } },
      apps: [
        { tenant: 'capped', name: 'cap-a' },
        { tenant: 'capped', name: 'cap-b' },
        { tenant: 'capped', name: 'cap-c' },
        { tenant: 'payments', name: 'secret', parameterType: 'SecureString', msf: false },
        { tenant: 'payments', name: 'twice', config: '{"enabled":true,"enabled":false}', msf: false },
        { tenant: 'payments', name: 'fine' },
      ],
    });
    const failed = (name: string, tenant = 'payments') => s.run(tenant, name)?.error?.message ?? '';
    expect(failed('cap-c', 'capped')).toContain('expected at most 2 applications for tenant capped');
    expect([s.run('capped', 'cap-a')?.state, s.run('capped', 'cap-b')?.state]).toEqual([
      RunState.COMPLETED,
      RunState.COMPLETED,
    ]);
    expect(failed('secret')).toContain('(type): received "SecureString", expected a String parameter');
    expect(failed('twice')).toContain('enabled: received "enabled" twice');
    expect(s.run('payments', 'fine')?.state).toBe(RunState.COMPLETED);
    expect(
      s.result.dispatch.invalidParameters.map((p) => p.parameter.split('/').slice(-2).join('/')),
    ).toEqual(['capped/cap-c', 'payments/secret', 'payments/twice']);
  });

  it('fails every application of a tenant without a registry entry, naming the entry to create', async () => {
    const s = await runScenario(aws, {
      registry: { orphan: false },
      apps: [{ tenant: 'orphan', name: 'lonely' }],
    });
    expect(s.run('orphan', 'lonely')?.error?.message).toContain(
      `expected a registry entry for tenant orphan: an administrator creates the String parameter /flink-snapshots/${s.stage}/tenants/orphan`,
    );
  });
});
