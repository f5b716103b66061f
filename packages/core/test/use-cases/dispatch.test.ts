import {
  configParameterName,
  dispatch,
  RunState,
  runIdFromTick,
  tenantParameterName,
} from '@flink-snapshots/core';
import { describe, expect, it } from 'vitest';
import { DEPLOYMENT, tickAt, type World, world } from './fakes';

const STAGE = 'test';
const param = (tenant: string, app: string) => configParameterName(STAGE, tenant, app);

describe('dispatch', () => {
  it('records a DISPATCHED run and enqueues one snapshot message per due application, grouped by tenant', async () => {
    const w = world();
    w.configs.put(param('payments', 'ledger'), {});
    w.configs.put(param('payments', 'fraud'), { intervalMinutes: 60 });
    w.configs.put(param('search', 'indexer'), { applicationName: 'indexer-v2' });

    const report = await dispatch(w, tickAt(w));

    expect(report).toMatchObject({ configsRead: 3, invalid: 0, due: 3, enqueued: 3, alreadyRunning: 0 });
    const runId = runIdFromTick(w.clock.now());
    const runs = await w.runs.listByRun(runId);
    expect(runs.map((r) => [r.appKey, r.state, r.application]).sort()).toEqual([
      ['payments/fraud', RunState.DISPATCHED, 'fraud'],
      ['payments/ledger', RunState.DISPATCHED, 'ledger'],
      ['search/indexer', RunState.DISPATCHED, 'indexer-v2'],
    ]);
    expect(w.queue.sent.map((e) => e.groupId).sort()).toEqual(['payments', 'payments', 'search']);
    expect(w.queue.messages().every((m) => m.step === 'snapshot' && m.runId === runId)).toBe(true);
  });

  it('sends at most 10 messages per SendMessageBatch', async () => {
    const w = world();
    for (let i = 0; i < 23; i++) w.configs.put(param('t', `app-${i}`), {});
    await dispatch(w, tickAt(w));
    expect(w.queue.batches.map((b) => b.length)).toEqual([10, 10, 3]);
  });

  it('records an invalid parameter as a FAILED run naming field and value, alerts once per version, and dispatches the others', async () => {
    const w = world();
    w.configs.put(param('payments', 'ledger'), {});
    w.configs.put(param('payments', 'broken'), { retention: { count: 0 } });

    const first = await dispatch(w, tickAt(w));
    expect(first).toMatchObject({ invalid: 1, invalidReported: 1, enqueued: 1 });
    const failed = (await w.runs.listByApplication('payments/broken', 10))[0];
    expect(failed?.state).toBe(RunState.FAILED);
    expect(failed?.error?.message).toContain('retention.count');
    expect(failed?.error?.message).toContain('0');
    expect(w.alerts.published).toHaveLength(1);
    expect(w.alerts.published[0]).toMatchObject({
      event: 'config-invalid',
      tenant: 'payments',
      severity: 'critical',
    });

    w.clock.advance(5 * 60_000);
    const second = await dispatch(w, tickAt(w));
    expect(second).toMatchObject({ invalid: 1, invalidReported: 0 });
    expect(w.alerts.published).toHaveLength(1);

    w.configs.put(param('payments', 'broken'), { retian: 3 });
    w.clock.advance(5 * 60_000);
    const third = await dispatch(w, tickAt(w));
    expect(third.invalidReported).toBe(1);
    expect(w.alerts.published[1]?.error?.message).toContain('retian');
  });

  it('records a parameter outside <tenant>/<app> under its own name', async () => {
    const w = world();
    w.configs.put(`/flink-snapshots/${STAGE}/apps/lonely`, {});
    const report = await dispatch(w, tickAt(w));
    expect(report.invalidReported).toBe(1);
    const runs = await w.runs.listByApplication(`/flink-snapshots/${STAGE}/apps/lonely`, 1);
    expect(runs[0]?.state).toBe(RunState.FAILED);
  });

  it('does not dispatch an application again before its next slot, and coalesces missed ticks into one run', async () => {
    const w = world();
    w.configs.put(param('t', 'hourly'), { intervalMinutes: 60 });
    await dispatch(w, tickAt(w));
    expect(w.queue.take()).toHaveLength(1);

    w.clock.advance(5 * 60_000);
    expect((await dispatch(w, tickAt(w))).due).toBe(0);

    // Ten hours without a tick: one run, not ten.
    w.clock.advance(10 * 3600_000);
    expect((await dispatch(w, tickAt(w))).enqueued).toBe(1);
    w.clock.advance(5 * 60_000);
    expect((await dispatch(w, tickAt(w))).enqueued).toBe(0);
  });

  it('records a disabled application SKIPPED once per interval and sends nothing', async () => {
    const w = world();
    w.configs.put(param('t', 'paused'), { enabled: false });
    const report = await dispatch(w, tickAt(w));
    expect(report).toMatchObject({ disabled: 1, enqueued: 0 });
    expect((await w.runs.listByApplication('t/paused', 1))[0]?.state).toBe(RunState.SKIPPED);
    w.clock.advance(5 * 60_000);
    expect((await dispatch(w, tickAt(w))).disabled).toBe(0);
  });

  it('re-sends on a repeated tick only the runs no worker has taken yet', async () => {
    const w = world();
    w.configs.put(param('t', 'a'), {});
    w.configs.put(param('t', 'b'), {});
    const input = tickAt(w);
    await dispatch(w, input);
    w.queue.take();
    const runId = runIdFromTick(input.tick);
    await w.runs.transition(
      { appKey: 't/a', runId },
      RunState.DISPATCHED,
      RunState.SNAPSHOT_REQUESTED,
      {},
      1,
    );

    const again = await dispatch(w, input);

    expect(again).toMatchObject({ due: 2, enqueued: 1, alreadyRunning: 1 });
    expect(w.queue.messages().map((m) => m.appKey)).toEqual(['t/b']);
  });

  it('forgets the pointer of an application whose parameter is gone, unless it holds a pin', async () => {
    const w = world();
    for (const app of ['kept', 'removed', 'pinned']) w.configs.put(param('t', app), {});
    await dispatch(w, tickAt(w));
    await w.runs.setPinned({ appKey: 't/pinned', tenant: 't' }, 'flink-snapshots-1', true);
    w.configs.parameters.delete(param('t', 'removed'));
    w.configs.parameters.delete(param('t', 'pinned'));
    w.clock.advance(5 * 60_000);

    expect((await dispatch(w, tickAt(w))).forgotten).toBe(1);

    expect([...(await w.runs.readSchedule()).keys()].sort()).toEqual(['t/kept', 't/pinned']);
    // Its runs stay, for their time to live: the audit trail outlives the parameter.
    expect(await w.runs.listByApplication('t/removed', 5)).toHaveLength(1);
  });
});

describe('dispatch against the tenant registry', () => {
  const registered = (w: World, tenant: string, entry: Record<string, unknown> = {}) =>
    w.configs.put(tenantParameterName(STAGE, tenant), {
      accounts: [DEPLOYMENT.accountId],
      regions: [DEPLOYMENT.region],
      ...entry,
    });
  const failure = async (w: World, appKey: string) => (await w.runs.listByApplication(appKey, 1))[0];

  it('dispatches a registered tenant’s applications and fails, naming the entry to create, an unregistered one’s', async () => {
    const w = world();
    registered(w, 'payments');
    w.configs.put(param('payments', 'ledger'), {});
    w.configs.put(param('search', 'indexer'), {});

    const report = await dispatch(w, tickAt(w, { tenantMode: 'required' }));

    expect(report).toMatchObject({ configsRead: 2, invalid: 1, enqueued: 1 });
    expect(w.queue.messages().map((m) => m.appKey)).toEqual(['payments/ledger']);
    const failed = await failure(w, 'search/indexer');
    expect(failed?.state).toBe(RunState.FAILED);
    expect(failed?.error?.message).toContain(
      '(tenant): received "search", expected a registry entry for tenant search: an administrator creates the String parameter /flink-snapshots/test/tenants/search',
    );
  });

  it('runs the first maxApplications of a tenant and reports the others', async () => {
    const w = world();
    registered(w, 'payments', { maxApplications: 2 });
    for (const app of ['a', 'b', 'c']) w.configs.put(param('payments', app), {});

    const report = await dispatch(w, tickAt(w, { tenantMode: 'required' }));

    expect(report).toMatchObject({ invalid: 1, enqueued: 2 });
    expect((await failure(w, 'payments/c'))?.error?.message).toContain(
      'expected at most 2 applications for tenant payments (maxApplications in /flink-snapshots/test/tenants/payments)',
    );
  });

  it('refuses a role in an account the tenant does not have, before any run is dispatched', async () => {
    const w = world();
    registered(w, 'payments');
    w.configs.put(param('payments', 'elsewhere'), {
      roleArn: 'arn:aws:iam::999999999999:role/flink-snapshots-x',
    });

    expect(await dispatch(w, tickAt(w, { tenantMode: 'required' }))).toMatchObject({
      invalid: 1,
      enqueued: 0,
    });
    expect((await failure(w, 'payments/elsewhere'))?.error?.message).toContain(
      'account 999999999999 is not one',
    );
  });

  it('reports a SecureString and a duplicated key as invalid configurations, and runs the rest', async () => {
    const w = world();
    w.configs.put(param('payments', 'secret'), '{}', 'SecureString');
    w.configs.put(param('payments', 'twice'), '{"enabled":true,"enabled":false}');
    w.configs.put(param('payments', 'fine'), {});

    expect(await dispatch(w, tickAt(w))).toMatchObject({ invalid: 2, enqueued: 1 });
    expect((await failure(w, 'payments/secret'))?.error?.message).toContain('expected a String parameter');
    expect((await failure(w, 'payments/twice'))?.error?.message).toContain(
      'enabled: received "enabled" twice',
    );
  });
});
