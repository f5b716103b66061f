import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AppConfig, parseAppConfig } from '../../src/domain/config';
import { InvalidMessageError } from '../../src/domain/errors';
import {
  buildFirstPollMessage,
  buildPollMessage,
  buildSnapshotMessage,
  chunkSendBatches,
  entryBytes,
  nextAttempt,
  parseWorkMessage,
  SEND_BATCH_LIMITS,
  type SendEntry,
  snapshotDeadline,
  WorkMessageSchema,
  workMessageEntry,
} from '../../src/domain/work-message';

const RUN_ID = '20261122T083000Z';
const NOW = Date.UTC(2026, 10, 22, 8, 30, 12);

function appConfig(value: object = {}): AppConfig {
  const result = parseAppConfig('/flink-snapshots/dev/apps/team-a/orders', JSON.stringify(value), {
    stage: 'dev',
    tickMinutes: 5,
  });
  if (!result.ok) throw result.error;
  return result.config;
}

const CONFIG = appConfig({ region: 'eu-west-1', snapshotTimeoutMinutes: 20, retention: { maxAgeDays: 7 } });
const SNAPSHOT = buildSnapshotMessage({ config: CONFIG, runId: RUN_ID, now: NOW });
const POLL = buildFirstPollMessage(SNAPSHOT, NOW);

describe('work message builders', () => {
  it('builds the snapshot step from a config, with the deadline at now plus the snapshot timeout', () => {
    expect(SNAPSHOT).toEqual({
      v: 1,
      step: 'snapshot',
      tenant: 'team-a',
      application: 'orders',
      appKey: 'team-a/orders',
      runId: RUN_ID,
      attempt: 0,
      deadline: NOW + 20 * 60_000,
      config: CONFIG,
    });
  });

  it('runs the first poll’s deadline from when the snapshot was requested, not from the dispatch', () => {
    const requestedAt = NOW + 7 * 60_000;
    expect(buildFirstPollMessage(SNAPSHOT, requestedAt).deadline).toBe(requestedAt + 20 * 60_000);
    expect(snapshotDeadline(CONFIG, requestedAt)).toBe(requestedAt + 20 * 60_000);
  });

  it('builds the first poll from the snapshot step, naming the run snapshot', () => {
    expect(POLL).toEqual({
      ...SNAPSHOT,
      step: 'poll',
      snapshotName: 'flink-snapshots-20261122T083000Z',
      polls: 0,
    });
  });

  it('counts polls from one poll to the next, keeping run, snapshot and deadline', () => {
    const third = buildPollMessage(buildPollMessage(POLL));
    expect(third).toMatchObject({
      polls: 2,
      snapshotName: POLL.snapshotName,
      deadline: SNAPSHOT.deadline,
      runId: RUN_ID,
    });
  });

  it('starts each step at attempt 0 unless told otherwise', () => {
    const retried = nextAttempt(nextAttempt(SNAPSHOT));
    expect(retried.attempt).toBe(2);
    expect(buildFirstPollMessage(retried, NOW).attempt).toBe(0);
    expect(buildFirstPollMessage(retried, NOW, { attempt: 3 }).attempt).toBe(3);
    expect(buildPollMessage(POLL, { attempt: 2 }).attempt).toBe(2);
    expect(buildSnapshotMessage({ config: CONFIG, runId: RUN_ID, now: NOW, attempt: 4 }).attempt).toBe(4);
  });

  it('refuses to build a message that would not parse', () => {
    expect(() => buildSnapshotMessage({ config: CONFIG, runId: 'today', now: NOW })).toThrow(
      InvalidMessageError,
    );
    expect(() => buildSnapshotMessage({ config: CONFIG, runId: RUN_ID, now: NOW, attempt: -1 })).toThrow(
      /attempt: received -1, expected attempts so far: an integer >= 0/,
    );
  });
});

describe('parseWorkMessage', () => {
  it.each([
    ['snapshot', SNAPSHOT],
    ['poll', POLL],
  ])('round-trips a %s step through JSON', (_step, message) => {
    expect(parseWorkMessage(JSON.stringify(message))).toEqual({ ok: true, message });
  });

  it('round-trips any built message (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 3 }),
        (now, attempt, polls) => {
          const message = buildSnapshotMessage({ config: CONFIG, runId: RUN_ID, now, attempt });
          expect(parseWorkMessage(JSON.stringify(message))).toEqual({ ok: true, message });
          let poll = buildFirstPollMessage(message, now);
          for (let i = 0; i < polls; i++) poll = buildPollMessage(poll);
          expect(parseWorkMessage(JSON.stringify(poll))).toEqual({ ok: true, message: poll });
        },
      ),
      { numRuns: 200 },
    );
  });

  const without = <T extends object>(message: T, field: keyof T) => {
    const copy = { ...message };
    delete copy[field];
    return copy;
  };

  it.each([
    { problem: 'a body that is not JSON', body: '{"v":1,', field: '(body)', kind: 'not-json' },
    { problem: 'a body that is not an object', body: '[1]', field: '(body)', kind: 'not-object' },
    {
      problem: 'an unknown step',
      body: { ...SNAPSHOT, step: 'prune' },
      field: 'step',
      kind: 'invalid-value',
    },
    { problem: 'a missing step', body: without(SNAPSHOT, 'step'), field: 'step', kind: 'invalid-value' },
    { problem: 'another version', body: { ...SNAPSHOT, v: 2 }, field: 'v', kind: 'invalid-value' },
    { problem: 'a missing tenant', body: without(SNAPSHOT, 'tenant'), field: 'tenant', kind: 'missing' },
    {
      problem: 'a negative attempt',
      body: { ...SNAPSHOT, attempt: -1 },
      field: 'attempt',
      kind: 'out-of-range',
    },
    {
      problem: 'a fractional deadline',
      body: { ...SNAPSHOT, deadline: 1.5 },
      field: 'deadline',
      kind: 'wrong-type',
    },
    {
      problem: 'a bad run id',
      body: { ...SNAPSHOT, runId: '2026-11-22' },
      field: 'runId',
      kind: 'constraint',
    },
    {
      problem: 'an unknown field',
      body: { ...SNAPSHOT, extra: true },
      field: 'extra',
      kind: 'unknown-field',
    },
    {
      problem: 'a poll field on a snapshot step',
      body: { ...SNAPSHOT, polls: 1 },
      field: 'polls',
      kind: 'unknown-field',
    },
    {
      problem: 'a poll without its snapshot name',
      body: without(POLL, 'snapshotName'),
      field: 'snapshotName',
      kind: 'missing',
    },
    {
      problem: 'a snapshot name MSF would refuse',
      body: { ...POLL, snapshotName: 'a b' },
      field: 'snapshotName',
      kind: 'invalid-format',
    },
    { problem: 'a missing config', body: without(SNAPSHOT, 'config'), field: 'config', kind: 'missing' },
    {
      problem: 'an invalid embedded config',
      body: { ...SNAPSHOT, config: { ...CONFIG, retention: { ...CONFIG.retention, count: 0 } } },
      field: 'config.retention.count',
      kind: 'out-of-range',
    },
    {
      problem: 'an unknown field in the embedded config',
      body: { ...SNAPSHOT, config: { ...CONFIG, retian: 1 } },
      field: 'config.retian',
      kind: 'unknown-field',
    },
    {
      problem: 'a tenant other than the config',
      body: { ...SNAPSHOT, tenant: 'team-b' },
      field: 'tenant',
      kind: 'constraint',
    },
    {
      problem: 'an app key other than the config',
      body: { ...POLL, appKey: 'team-a/x' },
      field: 'appKey',
      kind: 'constraint',
    },
    {
      problem: 'an application other than the config',
      body: { ...SNAPSHOT, application: 'payments' },
      field: 'application',
      kind: 'constraint',
    },
  ])('rejects $problem, naming $field', ({ body, field, kind }) => {
    const result = parseWorkMessage(typeof body === 'string' ? body : JSON.stringify(body), 'msg-1');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(InvalidMessageError);
    expect(result.error.messageId).toBe('msg-1');
    expect(result.error.issues).toEqual([expect.objectContaining({ field, kind })]);
    expect(result.error.message).toContain(`work message msg-1 is invalid, 1 problem: ${field}: received`);
  });

  it('says which value was expected for a mismatch', () => {
    const result = parseWorkMessage(JSON.stringify({ ...SNAPSHOT, tenant: 'team-b' }));
    expect(result.ok || result.error.message).toBe(
      'work message is invalid, 1 problem: tenant: received "team-b", expected "team-a" (config.tenant)',
    );
  });

  it('reports where a body stops being JSON', () => {
    const result = parseWorkMessage('{"v":1,');
    expect(result.ok || result.error.issues[0]?.expected).toMatch(
      /^a JSON work message; the value is not JSON at position 7 /,
    );
  });

  it('validates with the exported schema too', () => {
    expect(WorkMessageSchema.parse(POLL)).toEqual(POLL);
  });
});

describe('chunkSendBatches', () => {
  const entry = (id: string, bytes: number, extra: Partial<SendEntry> = {}): SendEntry => ({
    id,
    body: 'x'.repeat(bytes),
    ...extra,
  });
  const sizes = (batches: SendEntry[][]) => batches.map((b) => b.map((e) => e.id));

  it('packs at most 10 entries per batch, in order', () => {
    const entries = Array.from({ length: 25 }, (_, i) => entry(`e${i}`, 100));
    const batches = chunkSendBatches(entries);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(entries);
  });

  it('returns no batch for no entries', () => {
    expect(chunkSendBatches([])).toEqual([]);
  });

  it('fills a batch to exactly 262,144 bytes', () => {
    expect(sizes(chunkSendBatches([entry('a', 131_072), entry('b', 131_072), entry('c', 1)]))).toEqual([
      ['a', 'b'],
      ['c'],
    ]);
  });

  it('starts a new batch when one more byte would pass 262,144', () => {
    expect(sizes(chunkSendBatches([entry('a', 131_072), entry('b', 131_073)]))).toEqual([['a'], ['b']]);
  });

  it('sends an entry of exactly 262,144 bytes alone', () => {
    expect(sizes(chunkSendBatches([entry('a', 1), entry('big', 262_144), entry('c', 1)]))).toEqual([
      ['a'],
      ['big'],
      ['c'],
    ]);
  });

  it('fails naming an entry over 262,144 bytes on its own', () => {
    expect(() => chunkSendBatches([entry('ok', 10), entry('huge', 262_145)])).toThrow(
      'work message is invalid, 1 problem: entries[1].body: received 262145 bytes (entry huge), expected at most 262144 bytes of body and attributes',
    );
  });

  it('counts bytes of UTF-8, not characters', () => {
    const accented = { id: 'a', body: 'é'.repeat(131_072) };
    expect(entryBytes(accented)).toBe(262_144);
    expect(sizes(chunkSendBatches([accented, entry('b', 1)]))).toEqual([['a'], ['b']]);
  });

  it('counts attribute names, types and values toward the limit', () => {
    const withAttributes = entry('a', 262_144 - 17, { attributes: { tenant: 'team-a' } });
    expect(entryBytes(withAttributes)).toBe(
      262_144 - 17 + 'tenant'.length + 'String'.length + 'team-a'.length,
    );
    expect(() => chunkSendBatches([withAttributes])).toThrow(/entries\[0\]\.body: received 262145 bytes/);
  });

  it('never puts two entries with the same id in one batch', () => {
    expect(sizes(chunkSendBatches([entry('a', 1), entry('b', 1), entry('a', 1)]))).toEqual([
      ['a', 'b'],
      ['a'],
    ]);
  });

  it('lists every entry that could never be sent', () => {
    let thrown: unknown;
    try {
      chunkSendBatches([
        entry('bad id!', 1),
        entry('late', 1, { delaySeconds: 901 }),
        entry('soon', 1, { delaySeconds: -1 }),
        entry('half', 1, { delaySeconds: 1.5 }),
        entry('x'.repeat(81), 1),
        entry('fine', 1, { delaySeconds: 900 }),
      ]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidMessageError);
    expect((thrown as InvalidMessageError).issues.map((i) => `${i.field} ${i.kind}`)).toEqual([
      'entries[0].id invalid-format',
      'entries[1].delaySeconds out-of-range',
      'entries[2].delaySeconds out-of-range',
      'entries[3].delaySeconds out-of-range',
      'entries[4].id invalid-format',
    ]);
  });

  it('keeps every batch within 10 entries and 256 KiB, order preserved (property)', () => {
    const entriesArb = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 90_000 })), { maxLength: 30 })
      .map((specs) => specs.map(([id, bytes]) => entry(`id${id}`, bytes)));
    fc.assert(
      fc.property(entriesArb, (entries) => {
        const batches = chunkSendBatches(entries);
        expect(batches.flat()).toEqual(entries);
        for (const batch of batches) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(SEND_BATCH_LIMITS.entries);
          expect(batch.reduce((sum, e) => sum + entryBytes(e), 0)).toBeLessThanOrEqual(
            SEND_BATCH_LIMITS.bytes,
          );
          expect(new Set(batch.map((e) => e.id)).size).toBe(batch.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('makes an entry of a work message, grouped by tenant', () => {
    expect(workMessageEntry(POLL, 'm0', 30)).toEqual({
      id: 'm0',
      body: JSON.stringify(POLL),
      groupId: 'team-a',
      delaySeconds: 30,
    });
    expect(chunkSendBatches([workMessageEntry(SNAPSHOT, 'm1')])).toHaveLength(1);
  });
});
