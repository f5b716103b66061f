import type { DeadLetter, DeadLetterQueue, RedriveTask } from '@flink-snapshots/core';
import {
  configParameterName,
  dispatch,
  fleetStatus,
  inspectDeadLetters,
  judgeApplicationConfig,
  RunState,
  runHistory,
  tenantParameterName,
} from '@flink-snapshots/core';
import { describe, expect, it } from 'vitest';
import { tickAt, world } from './fakes';

const STAGE = 'test';
const param = (tenant: string, app: string) => configParameterName(STAGE, tenant, app);
const settings = (w: ReturnType<typeof world>) => {
  const { tick: _tick, ...rest } = tickAt(w);
  return rest;
};

class MemoryDeadLetters implements DeadLetterQueue {
  constructor(readonly letters: DeadLetter[]) {}
  async peek(max: number): Promise<DeadLetter[]> {
    return this.letters.slice(0, max);
  }
  async depth(): Promise<number> {
    return this.letters.length;
  }
  async redrive(): Promise<RedriveTask> {
    return { status: 'RUNNING', moved: 0 };
  }
  async redriveTasks(): Promise<RedriveTask[]> {
    return [];
  }
}

describe('fleetStatus', () => {
  it('reports every application with its last run, and an invalid one with the dispatcher’s problems', async () => {
    const w = world();
    w.configs.put(param('payments', 'ledger'), { intervalMinutes: 60 });
    w.configs.put(param('payments', 'broken'), { intervalMinutes: 1 });
    await dispatch(w, tickAt(w));

    const rows = await fleetStatus(w, { ...settings(w), now: w.clock.now() });

    expect(rows.map((row) => row.appKey)).toEqual(['payments/broken', 'payments/ledger']);
    const [broken, ledger] = rows;
    expect(broken?.problems).toEqual([expect.stringContaining('intervalMinutes: received 1')]);
    expect(broken?.lastRun?.state).toBe(RunState.FAILED);
    expect(ledger).toMatchObject({
      enabled: true,
      intervalMinutes: 60,
      problems: [],
      lastRun: { state: RunState.DISPATCHED, trigger: 'schedule' },
      freshness: { state: 'grace', objectiveMinutes: 120 },
    });
    expect(ledger?.nextDueAt).toBeGreaterThan(w.clock.now());
  });

  it('lists a pointer whose parameter is gone, without a parameter', async () => {
    const w = world();
    w.configs.put(param('payments', 'gone'), {});
    await dispatch(w, tickAt(w));
    w.configs.parameters.delete(param('payments', 'gone'));

    const rows = await fleetStatus(w, { ...settings(w), now: w.clock.now() });

    expect(rows.map((row) => [row.appKey, row.parameter, row.lastRun?.state])).toEqual([
      ['payments/gone', undefined, RunState.DISPATCHED],
    ]);
  });

  it('judges a tenant without a registry entry as the dispatcher does on a stage that requires one', async () => {
    const w = world();
    w.configs.put(param('payments', 'ledger'), {});
    const rows = await fleetStatus(w, { ...settings(w), tenantMode: 'required', now: w.clock.now() });
    expect(rows[0]?.problems).toEqual([expect.stringContaining(tenantParameterName(STAGE, 'payments'))]);
  });
});

describe('runHistory', () => {
  it('lists an application’s runs without its scheduling pointer', async () => {
    const w = world();
    w.configs.put(param('payments', 'ledger'), {});
    await dispatch(w, tickAt(w));
    const runs = await runHistory(w, 'payments/ledger', 10);
    expect(runs.map((run) => run.state)).toEqual([RunState.DISPATCHED]);
  });
});

describe('inspectDeadLetters', () => {
  it('joins each dead letter with its run’s attempts and last error, and reports a body that is no work message', async () => {
    const w = world();
    w.configs.put(param('payments', 'ledger'), {});
    await dispatch(w, tickAt(w));
    const [sent] = w.queue.sent;
    const body = sent?.body as string;
    const { appKey, runId } = JSON.parse(body) as { appKey: string; runId: string };
    await w.runs.noteRetry(
      { appKey, runId },
      { name: 'ThrottledError', message: 'slow down' },
      w.clock.now(),
    );

    const report = await inspectDeadLetters(
      {
        deadLetters: new MemoryDeadLetters([
          { messageId: 'm1', body, receiveCount: 5 },
          { messageId: 'm2', body: 'not json', receiveCount: 1 },
        ]),
        runs: w.runs,
      },
      10,
    );

    expect(report[0]).toMatchObject({
      appKey,
      runId,
      step: 'snapshot',
      receiveCount: 5,
      run: { state: RunState.DISPATCHED, attempts: 1, lastRetryableError: { name: 'ThrottledError' } },
    });
    expect(report[1]?.unreadable).toContain('JSON');
  });
});

describe('judgeApplicationConfig', () => {
  it('judges a value not written yet among the tenant’s parameters, with the source of each field', async () => {
    const w = world();
    w.configs.put(param('payments', 'ledger'), { intervalMinutes: 60 });

    const judged = await judgeApplicationConfig(
      w,
      settings(w),
      { tenant: 'payments', app: 'ledger' },
      '{"retention":{"count":3}}',
    );

    expect(judged?.stored?.version).toBe(1);
    expect(judged?.result).toMatchObject({
      ok: true,
      config: { retention: { count: 3 }, intervalMinutes: 1440 },
      provenance: { 'retention.count': { layer: 'application' } },
    });
  });

  it('counts the tenant’s application cap as the dispatcher does', async () => {
    const w = world();
    w.configs.put(tenantParameterName(STAGE, 'payments'), {
      accounts: ['000000000000'],
      regions: ['us-east-1'],
      maxApplications: 1,
    });
    w.configs.put(param('payments', 'a-first'), {});

    const judged = await judgeApplicationConfig(
      w,
      { ...settings(w), tenantMode: 'required' },
      { tenant: 'payments', app: 'b-second' },
      '{}',
    );

    expect(judged?.result.ok).toBe(false);
    expect(judged?.stored).toBeUndefined();
  });

  it('is undefined for an application with neither a parameter nor a value', async () => {
    const w = world();
    expect(
      await judgeApplicationConfig(w, settings(w), { tenant: 'payments', app: 'nothing' }),
    ).toBeUndefined();
  });
});
