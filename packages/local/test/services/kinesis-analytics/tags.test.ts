import {
  CreateApplicationCommand,
  DescribeApplicationCommand,
  InvalidArgumentException,
  KinesisAnalyticsV2Client,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  TooManyTagsException,
  UntagResourceCommand,
} from '@aws-sdk/client-kinesis-analytics-v2';
import type { LocalAws } from '@flink-snapshots/local';
import { expectFailure, sdkClient, startLocal } from '@flink-snapshots/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ARN_PREFIX = 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/';

let local: LocalAws;
let kda: KinesisAnalyticsV2Client;

beforeAll(async () => {
  local = await startLocal({
    fleet: {
      applications: [
        { name: 'orders', tags: { 'flink-snapshots:tenant': 'payments', team: 'ledger' } },
        { name: 'untagged' },
        { name: 'crowded', tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v'])) },
      ],
    },
  });
  kda = sdkClient(KinesisAnalyticsV2Client, local, { maxAttempts: 1 });
});
afterAll(async () => {
  kda.destroy();
  await local.stop();
});

async function arnOf(name: string): Promise<string> {
  const out = await kda.send(new DescribeApplicationCommand({ ApplicationName: name }));
  return out.ApplicationDetail?.ApplicationARN ?? '';
}

async function tagsOf(name: string) {
  const out = await kda.send(new ListTagsForResourceCommand({ ResourceARN: await arnOf(name) }));
  return out.Tags;
}

describe('MSF tags', () => {
  it('lists the tags the fleet file gives an application, by the ARN DescribeApplication gives', async () => {
    expect(await arnOf('orders')).toBe(`${ARN_PREFIX}orders`);
    expect(await tagsOf('orders')).toEqual([
      { Key: 'flink-snapshots:tenant', Value: 'payments' },
      { Key: 'team', Value: 'ledger' },
    ]);
    expect(await tagsOf('untagged')).toEqual([]);
  });

  it('adds tags, replaces the value of a key already there, and removes tags by key', async () => {
    const ResourceARN = await arnOf('untagged');
    await kda.send(
      new TagResourceCommand({
        ResourceARN,
        Tags: [
          { Key: 'flink-snapshots:tenant', Value: 'search' },
          { Key: 'owner', Value: 'ana' },
        ],
      }),
    );
    await kda.send(new TagResourceCommand({ ResourceARN, Tags: [{ Key: 'owner', Value: 'bo' }] }));
    expect(await tagsOf('untagged')).toEqual([
      { Key: 'flink-snapshots:tenant', Value: 'search' },
      { Key: 'owner', Value: 'bo' },
    ]);
    await kda.send(new UntagResourceCommand({ ResourceARN, TagKeys: ['owner', 'not-there'] }));
    expect(local.services.kinesisAnalytics.getApplication('untagged')?.tags).toEqual({
      'flink-snapshots:tenant': 'search',
    });
  });

  it('creates an application with the Tags of CreateApplication', async () => {
    await kda.send(
      new CreateApplicationCommand({
        ApplicationName: 'created-tagged',
        RuntimeEnvironment: 'FLINK-1_20',
        ServiceExecutionRole: 'arn:aws:iam::000000000000:role/flink',
        Tags: [{ Key: 'flink-snapshots:tenant', Value: 'analytics' }],
      }),
    );
    expect(await tagsOf('created-tagged')).toEqual([{ Key: 'flink-snapshots:tenant', Value: 'analytics' }]);
  });

  it('fails with ResourceNotFoundException for the ARN of no application', async () => {
    for (const ResourceARN of [
      `${ARN_PREFIX}nothing`,
      'arn:aws:kinesisanalytics:eu-west-1:000000000000:application/orders',
    ]) {
      await expectFailure(
        kda.send(new ListTagsForResourceCommand({ ResourceARN })),
        ResourceNotFoundException,
        `Application ${ResourceARN} not found`,
      );
      await expectFailure(
        kda.send(new TagResourceCommand({ ResourceARN, Tags: [{ Key: 'a', Value: 'b' }] })),
        ResourceNotFoundException,
      );
      await expectFailure(
        kda.send(new UntagResourceCommand({ ResourceARN, TagKeys: ['a'] })),
        ResourceNotFoundException,
      );
    }
  });

  it('fails with TooManyTagsException when an application would have more than 50 tags, and adds none', async () => {
    const ResourceARN = await arnOf('crowded');
    await kda.send(new TagResourceCommand({ ResourceARN, Tags: [{ Key: 'k0', Value: 'replaced' }] }));
    await kda.send(new TagResourceCommand({ ResourceARN, Tags: [{ Key: 'k49', Value: 'fiftieth' }] }));
    await expectFailure(
      kda.send(
        new TagResourceCommand({
          ResourceARN,
          Tags: [
            { Key: 'k1', Value: 'x' },
            { Key: 'k50', Value: 'x' },
          ],
        }),
      ),
      TooManyTagsException,
      'Application crowded would have 51 tags; the maximum number of user-defined application tags is 50',
    );
    const tags = await tagsOf('crowded');
    expect(tags).toHaveLength(50);
    expect(tags).toContainEqual({ Key: 'k0', Value: 'replaced' });
    expect(tags).toContainEqual({ Key: 'k1', Value: 'v' });
  });

  it('fails CreateApplication with TooManyTagsException for 51 tags', async () => {
    await expectFailure(
      kda.send(
        new CreateApplicationCommand({
          ApplicationName: 'too-many-tags',
          RuntimeEnvironment: 'FLINK-1_20',
          ServiceExecutionRole: 'arn:aws:iam::000000000000:role/flink',
          Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
        }),
      ),
      TooManyTagsException,
    );
    expect(local.services.kinesisAnalytics.getApplication('too-many-tags')).toBeUndefined();
  });

  it.each([
    [
      'a key starting with aws:',
      [{ Key: 'aws:cloudformation:stack-name', Value: 'x' }],
      'Tag key aws:cloudformation:stack-name starts with aws:',
    ],
    [
      'a key starting with AWS: in capitals',
      [{ Key: 'AWS:owner', Value: 'x' }],
      'Tag key AWS:owner starts with aws:',
    ],
    [
      'an empty key',
      [{ Key: '', Value: 'x' }],
      "at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ],
    [
      'a key of 129 characters',
      [{ Key: 'k'.repeat(129), Value: 'x' }],
      "at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128",
    ],
    [
      'a value of 257 characters',
      [{ Key: 'k', Value: 'v'.repeat(257) }],
      "at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256",
    ],
    [
      'no tags',
      [],
      "at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ],
  ])('fails TagResource with InvalidArgumentException for %s', async (_what, Tags, message) => {
    await expectFailure(
      kda.send(new TagResourceCommand({ ResourceARN: await arnOf('orders'), Tags })),
      InvalidArgumentException,
      message,
    );
  });

  it('fails with InvalidArgumentException for a ResourceARN that is not an ARN, and UntagResource of an aws: key', async () => {
    await expectFailure(
      kda.send(new ListTagsForResourceCommand({ ResourceARN: 'orders' })),
      InvalidArgumentException,
      "Value 'orders' at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:.*",
    );
    await expectFailure(
      kda.send(new UntagResourceCommand({ ResourceARN: await arnOf('orders'), TagKeys: ['aws:x'] })),
      InvalidArgumentException,
      'Tag key aws:x starts with aws:',
    );
  });
});
