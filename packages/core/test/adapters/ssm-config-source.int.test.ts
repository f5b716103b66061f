import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  clientConfig,
  countCalls,
  describeOnTarget,
  expectFailure,
  localAws,
  localOnly,
  notOnMoto,
  useTarget,
} from '@flink-snapshots/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SsmConfigSource } from '../../src/adapters/ssm-config-source';
import { InvalidRequestError, ServiceUnavailableError, ThrottledError } from '../../src/domain/errors';

const PREFIX = '/flink-snapshots/test/apps/';
const target = useTarget();
let ssm: SSMClient;

beforeAll(async () => {
  ssm = new SSMClient(clientConfig(target));
  // 25 parameters over 3 tenants (3 pages of 10), one updated twice, and one outside the prefix.
  for (let i = 0; i < 25; i++) {
    await ssm.send(
      new PutParameterCommand({
        Name: `${PREFIX}tenant-${i % 3}/app-${String(i).padStart(2, '0')}`,
        Value: JSON.stringify({ index: i }),
        Type: 'String',
      }),
    );
  }
  await ssm.send(
    new PutParameterCommand({
      Name: `${PREFIX}tenant-0/app-00`,
      Value: '{}',
      Type: 'String',
      Overwrite: true,
    }),
  );
  await ssm.send(
    new PutParameterCommand({ Name: '/flink-snapshots/other/apps/t/a', Value: '{}', Type: 'String' }),
  );
});

afterAll(async () => {
  ssm.destroy();
});

describeOnTarget('SsmConfigSource', () => {
  it('reads every parameter under the prefix, recursively and over every page of 10', async () => {
    const calls = countCalls(ssm);
    const parameters = await new SsmConfigSource(ssm).readAll(PREFIX);

    expect(parameters).toHaveLength(25);
    expect(new Set(parameters.map((p) => p.name)).size).toBe(25);
    expect(parameters.every((p) => p.name.startsWith(PREFIX))).toBe(true);
    expect(parameters.find((p) => p.name === `${PREFIX}tenant-1/app-07`)).toEqual({
      name: `${PREFIX}tenant-1/app-07`,
      value: '{"index":7}',
      version: 1,
      type: 'String',
    });
    expect(parameters.find((p) => p.name === `${PREFIX}tenant-0/app-00`)).toMatchObject({
      value: '{}',
      version: 2,
    });
    expect(calls.count('GetParametersByPath')).toBe(3);
  });

  it('paces its page requests to maxRequestsPerSecond, so it stays under the SSM quota', async () => {
    const waits: number[] = [];
    const source = new SsmConfigSource(ssm, {
      maxRequestsPerSecond: 4,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const pages: number[] = [];
    for await (const page of source.pages(PREFIX)) pages.push(page.length);
    expect(pages).toEqual([10, 10, 5]);
    // The first page goes at once; each later one waits for what is left of its 250 ms slot.
    expect(waits).toHaveLength(2);
    for (const wait of waits) {
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(250);
    }
  });

  it('returns no parameters for a prefix that holds none', async () => {
    await expect(new SsmConfigSource(ssm).readAll('/flink-snapshots/empty/apps/')).resolves.toEqual([]);
  });

  localOnly('fault injection', 'rides out throttling through the client retry', async () => {
    localAws(target).faults.add({
      kind: 'throttle',
      service: 'ssm',
      operation: 'GetParametersByPath',
      limit: 1,
    });
    const retrying = new SSMClient(clientConfig(target, 5));

    const parameters = await new SsmConfigSource(retrying).readAll(PREFIX);

    expect(parameters).toHaveLength(25);
    retrying.destroy();
  });

  localOnly(
    'fault injection',
    'fails with ThrottledError naming the operation and the code when throttling outlasts the retries',
    async () => {
      localAws(target).faults.add({ kind: 'throttle', service: 'ssm', operation: 'GetParametersByPath' });
      const once = new SSMClient(clientConfig(target, 1));

      const error = await expectFailure(new SsmConfigSource(once).readAll(PREFIX), ThrottledError);

      expect(error).toMatchObject({ operation: 'GetParametersByPath', code: 'ThrottlingException' });
      expect((error as Error).message).toContain(
        'GetParametersByPath was throttled (received ThrottlingException)',
      );
      expect((error as Error).cause).toMatchObject({ name: 'ThrottlingException' });
      once.destroy();
    },
  );

  localOnly('fault injection', 'fails with ServiceUnavailableError when SSM answers 500', async () => {
    localAws(target).faults.add({ kind: 'server-error', service: 'ssm', operation: 'GetParametersByPath' });
    const once = new SSMClient(clientConfig(target, 1));

    await expect(new SsmConfigSource(once).readAll(PREFIX)).rejects.toBeInstanceOf(ServiceUnavailableError);
    once.destroy();
  });

  notOnMoto(
    'moto answers a path without a leading slash; AWS refuses it',
    'fails with InvalidRequestError when the path is not a parameter path',
    async () => {
      const error = await expectFailure(
        new SsmConfigSource(ssm).readAll('no-leading-slash'),
        InvalidRequestError,
      );

      expect(error).toMatchObject({ code: 'ValidationException' });
    },
  );
});
