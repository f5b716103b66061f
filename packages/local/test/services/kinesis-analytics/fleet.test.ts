import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  Faults,
  FleetError,
  FleetSchema,
  generateFleet,
  KinesisAnalyticsService,
  loadFleet,
  parseFleet,
  resolveFleet,
  SimClock,
} from '@flink-snapshots/local';
import { describe, expect, it } from 'vitest';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const fleetsDir = fileURLToPath(new URL('../../../fleets/', import.meta.url));

function simulator(fleet?: Parameters<typeof parseFleet>[0]) {
  const clock = new SimClock(1, NOW);
  return new KinesisAnalyticsService({
    clock,
    faults: new Faults(() => 0.5),
    random: () => 0.5,
    ...(fleet === undefined ? {} : { fleet: parseFleet(fleet) }),
  });
}

function problemsOf(json: unknown): string {
  try {
    parseFleet(json);
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return (error as Error).message;
  }
  throw new Error('expected parseFleet to reject the fleet');
}

describe('parseFleet', () => {
  it('fills in the defaults of a minimal fleet', () => {
    const [app] = resolveFleet({ applications: [{ name: 'orders' }] }, NOW);
    expect(app).toMatchObject({
      name: 'orders',
      status: 'RUNNING',
      versionId: 1,
      snapshotsEnabled: true,
      runtime: 'FLINK-1_20',
      restoreType: 'RESTORE_FROM_LATEST_SNAPSHOT',
      snapshots: [],
    });
  });

  it('applies the fleet defaults to applications that do not set a field', () => {
    const [first, second] = resolveFleet(
      {
        defaults: { status: 'READY', snapshotDurationSeconds: 12, versionId: 3 },
        applications: [
          { name: 'a' },
          { name: 'b', status: 'RUNNING', snapshotDurationSeconds: { min: 1, max: 2 } },
        ],
      },
      NOW,
    );
    expect(first).toMatchObject({
      status: 'READY',
      versionId: 3,
      snapshotDurationSeconds: { min: 12, max: 12 },
    });
    expect(second).toMatchObject({
      status: 'RUNNING',
      versionId: 3,
      snapshotDurationSeconds: { min: 1, max: 2 },
    });
  });

  it('accepts snapshot times as ISO date-times or epoch milliseconds and orders snapshots oldest first', () => {
    const [app] = resolveFleet(
      {
        applications: [
          {
            name: 'orders',
            versionId: 2,
            snapshots: [
              { name: 'newer', createdAt: '2026-11-21T00:00:00Z' },
              {
                name: 'older',
                createdAt: Date.parse('2026-11-20T00:00:00Z'),
                versionId: 1,
                status: 'FAILED',
              },
            ],
          },
        ],
      },
      NOW,
    );
    expect(app?.snapshots).toEqual([
      { name: 'older', status: 'FAILED', versionId: 1, createdAt: Date.parse('2026-11-20T00:00:00Z') },
      { name: 'newer', status: 'READY', versionId: 2, createdAt: Date.parse('2026-11-21T00:00:00Z') },
    ]);
  });

  it('spreads generated snapshots over versions, newest olderThanDays old and intervalMinutes apart', () => {
    const [app] = resolveFleet(
      {
        applications: [
          {
            name: 'orders',
            versionId: 5,
            generatedSnapshots: {
              count: 4,
              versions: 2,
              olderThanDays: 1,
              intervalMinutes: 30,
              prefix: 's-',
            },
          },
        ],
      },
      NOW,
    );
    const day = 86_400_000;
    expect(app?.snapshots).toEqual([
      { name: 's-0000', status: 'READY', versionId: 4, createdAt: NOW - day - 90 * 60_000 },
      { name: 's-0001', status: 'READY', versionId: 4, createdAt: NOW - day - 60 * 60_000 },
      { name: 's-0002', status: 'READY', versionId: 5, createdAt: NOW - day - 30 * 60_000 },
      { name: 's-0003', status: 'READY', versionId: 5, createdAt: NOW - day },
    ]);
  });

  it('gives an application the tags it lists, and none when it lists none', () => {
    const [tagged, untagged] = resolveFleet(
      {
        applications: [
          { name: 'orders', tags: { 'flink-snapshots:tenant': 'payments', team: '' } },
          { name: 'b' },
        ],
      },
      NOW,
    );
    expect(tagged?.tags).toEqual({ 'flink-snapshots:tenant': 'payments', team: '' });
    expect(untagged?.tags).toEqual({});
  });

  it('implies RESTORE_FROM_CUSTOM_SNAPSHOT when a restore snapshot is named', () => {
    const [app] = resolveFleet({ applications: [{ name: 'orders', restoreSnapshotName: 'pinned' }] }, NOW);
    expect(app).toMatchObject({ restoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT', restoreSnapshotName: 'pinned' });
  });

  it.each([
    [
      'an unknown field',
      { applications: [{ name: 'orders', colour: 'blue' }] },
      /applications\[0\]\.colour: unknown field \(received "blue"\)/,
    ],
    [
      'a bad application name',
      { applications: [{ name: 'orders app' }] },
      /applications\[0\]\.name: expected letters, digits, "_", "\." or "-" only \(received "orders app"\)/,
    ],
    [
      'an unknown status',
      { applications: [{ name: 'orders', status: 'PAUSED' }] },
      /applications\[0\]\.status: .*"READY".*\(received "PAUSED"\)/,
    ],
    [
      'a snapshot time that is not a date',
      { applications: [{ name: 'orders', snapshots: [{ name: 's', createdAt: 'yesterday' }] }] },
      /applications\[0\]\.snapshots\[0\]\.createdAt: expected an ISO-8601 date-time.*\(received "yesterday"\)/,
    ],
    [
      'a duration range upside down',
      { applications: [{ name: 'orders', snapshotDurationSeconds: { min: 9, max: 3 } }] },
      /applications\[0\]\.snapshotDurationSeconds: .*expected min <= max/,
    ],
    [
      'two applications of one name',
      { applications: [{ name: 'orders' }, { name: 'orders' }] },
      /applications\[1\]\.name: duplicate application name "orders"/,
    ],
    [
      'a generated name repeated by an explicit snapshot',
      {
        applications: [
          {
            name: 'orders',
            generatedSnapshots: { count: 2, prefix: 's-' },
            snapshots: [{ name: 's-0001', createdAt: 0 }],
          },
        ],
      },
      /applications\[0\]\.snapshots\[0\]\.name: duplicate snapshot name "s-0001"/,
    ],
    [
      'more snapshots than MSF allows',
      {
        applications: [
          {
            name: 'orders',
            generatedSnapshots: { count: 1000 },
            snapshots: [{ name: 'extra', createdAt: 0 }],
          },
        ],
      },
      /has 1001 snapshots; expected at most 1000/,
    ],
    [
      'a tag key starting with aws:',
      { applications: [{ name: 'orders', tags: { 'aws:owner': 'x' } }] },
      /applications\[0\]\.tags\.aws:owner: expected a tag key not starting with "aws:" \(reserved for AWS\) \(received "x"\)/,
    ],
    [
      'a tag value of 257 characters',
      { applications: [{ name: 'orders', tags: { team: 'v'.repeat(257) } }] },
      /applications\[0\]\.tags\.team: expected a tag value of at most 256 characters/,
    ],
    [
      '51 tags on an application',
      {
        applications: [
          { name: 'orders', tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
        ],
      },
      /applications\[0\]\.tags: expected at most 50 tags \(MSF's limit of user tags per application\) \(received 51\)/,
    ],
    [
      'a tag value that is not a string',
      { applications: [{ name: 'orders', tags: { team: 7 } }] },
      /applications\[0\]\.tags\.team: .*expected string.*\(received 7\)/,
    ],
    [
      'a role ARN that is not a role ARN',
      { applications: [], roles: [{ arn: 'arn:aws:iam::123:role/x', externalId: 'prod/search' }] },
      /roles\[0\]\.arn: expected an IAM role ARN such as "arn:aws:iam::123456789012:role\/name" \(received "arn:aws:iam::123:role\/x"\)/,
    ],
    [
      'an ExternalId STS would refuse',
      { applications: [], roles: [{ arn: 'arn:aws:iam::123456789012:role/x', externalId: 'prod search' }] },
      /roles\[0\]\.externalId: expected an ExternalId of 2 to 1224 letters, digits or _\+=,\.@:\/- .*\(received "prod search"\)/,
    ],
    [
      'a role without its ExternalId',
      { applications: [], roles: [{ arn: 'arn:aws:iam::123456789012:role/x' }] },
      /roles\[0\]\.externalId: .*\(received nothing\)/,
    ],
    [
      'one role twice',
      {
        applications: [],
        roles: [
          { arn: 'arn:aws:iam::123456789012:role/x', externalId: 'prod/a' },
          { arn: 'arn:aws:iam::123456789012:role/x', externalId: 'prod/b' },
        ],
      },
      /roles\[1\]\.arn: duplicate role "arn:aws:iam::123456789012:role\/x"/,
    ],
    [
      'a snapshot newer than its application version',
      {
        applications: [
          { name: 'orders', versionId: 2, snapshots: [{ name: 's', versionId: 3, createdAt: 0 }] },
        ],
      },
      /versionId 3, newer than the application's version 2/,
    ],
  ])('rejects %s, naming the field, the value and what was expected', (_, json, pattern) => {
    expect(problemsOf(json)).toMatch(pattern);
  });

  it('rejects a fleet without applications', () => {
    expect(problemsOf({})).toMatch(/applications: .*expected array.*\(received nothing\)/);
  });

  it('loads every example fleet file', async () => {
    const files = (await readdir(fleetsDir)).filter((file) => file.endsWith('.json'));
    expect(files).toContain('demo.json');
    for (const file of files) {
      const fleet = await loadFleet(`${fleetsDir}${file}`);
      expect(fleet.applications.length).toBeGreaterThan(0);
    }
  });

  it('names the file when a fleet file is not JSON', async () => {
    await expect(loadFleet(`${fleetsDir}../package.json.missing`)).rejects.toThrow(/Cannot read fleet file/);
  });
});

describe('generateFleet', () => {
  it('is reproducible for a seed and valid against the schema', () => {
    const options = { applications: 20, snapshotsPerApplication: 7, seed: 42 };
    const fleet = generateFleet(options);
    expect(generateFleet(options)).toEqual(fleet);
    expect(FleetSchema.safeParse(fleet).success).toBe(true);
    const resolved = resolveFleet(fleet, NOW);
    expect(resolved).toHaveLength(20);
    for (const app of resolved) {
      expect(app.snapshots).toHaveLength(7);
      expect(new Set(app.snapshots.map((s) => s.versionId)).size).toBe(3);
      expect(app.snapshots.at(-1)?.versionId).toBe(app.versionId);
    }
  });

  it('gives every application the tags it is asked for', () => {
    const kda = simulator(
      generateFleet({
        applications: 3,
        snapshotsPerApplication: 0,
        tags: { 'flink-snapshots:tenant': 'load' },
      }),
    );
    for (const name of kda.applicationNames()) {
      expect(kda.getApplication(name)?.tags).toEqual({ 'flink-snapshots:tenant': 'load' });
    }
  });

  it('loads 10,000 applications with 10 snapshots each into the simulator', () => {
    const kda = simulator(generateFleet({ applications: 10_000, snapshotsPerApplication: 10, seed: 1 }));
    expect(kda.applicationNames()).toHaveLength(10_000);
    expect(kda.getApplication('app-09999')).toMatchObject({ status: 'RUNNING', snapshotCount: 10 });
    expect(kda.listSnapshots('app-05000').map((s) => s.status)).toEqual(Array(10).fill('READY'));
  });
});
