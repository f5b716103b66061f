import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  ScanCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../src/local-aws';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let local: LocalAws;
let dynamodb: DynamoDBClient;

async function createTable(name: string): Promise<void> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [
        { AttributeName: 'appKey', KeyType: 'HASH' },
        { AttributeName: 'runId', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'appKey', AttributeType: 'S' },
        { AttributeName: 'runId', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

beforeAll(async () => {
  local = await startLocalAws({ port: 0 });
  dynamodb = new DynamoDBClient({ endpoint: local.url, region: 'us-east-1', credentials, maxAttempts: 1 });
});
afterAll(async () => {
  dynamodb.destroy();
  await local.stop();
});

describe('DynamoDB behind the front door', () => {
  it('stores and reads items with conditional writes through dynalite', async () => {
    await createTable('runs-items');
    await dynamodb.send(
      new PutItemCommand({
        TableName: 'runs-items',
        Item: { appKey: { S: 't/app' }, runId: { S: 'r1' }, state: { S: 'DISPATCHED' } },
        ConditionExpression: 'attribute_not_exists(appKey)',
      }),
    );
    await expect(
      dynamodb.send(
        new PutItemCommand({
          TableName: 'runs-items',
          Item: { appKey: { S: 't/app' }, runId: { S: 'r1' }, state: { S: 'DISPATCHED' } },
          ConditionExpression: 'attribute_not_exists(appKey)',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    const item = await dynamodb.send(
      new GetItemCommand({ TableName: 'runs-items', Key: { appKey: { S: 't/app' }, runId: { S: 'r1' } } }),
    );
    expect(item.Item?.state?.S).toBe('DISPATCHED');
    const query = await dynamodb.send(
      new QueryCommand({
        TableName: 'runs-items',
        KeyConditionExpression: 'appKey = :k',
        ExpressionAttributeValues: { ':k': { S: 't/app' } },
      }),
    );
    expect(query.Count).toBe(1);
  });

  it('reports TTL disabled on a new table, then enabled on the attribute set by UpdateTimeToLive', async () => {
    await createTable('runs-ttl');
    const before = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'runs-ttl' }));
    expect(before.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'DISABLED' });
    const update = await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: 'runs-ttl',
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
      }),
    );
    expect(update.TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: 'expiresAt' });
    const after = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'runs-ttl' }));
    expect(after.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('fails UpdateTimeToLive with ValidationException when TTL is already enabled', async () => {
    await createTable('runs-ttl-twice');
    const spec = { Enabled: true, AttributeName: 'expiresAt' };
    await dynamodb.send(
      new UpdateTimeToLiveCommand({ TableName: 'runs-ttl-twice', TimeToLiveSpecification: spec }),
    );
    await expect(
      dynamodb.send(
        new UpdateTimeToLiveCommand({ TableName: 'runs-ttl-twice', TimeToLiveSpecification: spec }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: 'TimeToLive is already enabled' });
  });

  it('disables TTL, and forgets it when the table is deleted and created again', async () => {
    await createTable('runs-ttl-reset');
    const spec = { Enabled: true, AttributeName: 'expiresAt' };
    await dynamodb.send(
      new UpdateTimeToLiveCommand({ TableName: 'runs-ttl-reset', TimeToLiveSpecification: spec }),
    );
    await dynamodb.send(new DeleteTableCommand({ TableName: 'runs-ttl-reset' }));
    await createTable('runs-ttl-reset');
    const fresh = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'runs-ttl-reset' }));
    expect(fresh.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
    await dynamodb.send(
      new UpdateTimeToLiveCommand({ TableName: 'runs-ttl-reset', TimeToLiveSpecification: spec }),
    );
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: 'runs-ttl-reset',
        TimeToLiveSpecification: { ...spec, Enabled: false },
      }),
    );
    const disabled = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'runs-ttl-reset' }));
    expect(disabled.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
  });

  it('fails the TTL operations with ResourceNotFoundException for a table that does not exist', async () => {
    await expect(
      dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'no-such-table' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: 'no-such-table',
          TimeToLiveSpecification: { Enabled: true, AttributeName: 'x' },
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('fails UpdateTimeToLive with ValidationException when the specification is missing', async () => {
    await expect(
      dynamodb.send(new UpdateTimeToLiveCommand({ TableName: 'runs-ttl' } as never)),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('TimeToLiveSpecification'),
    });
  });

  it('answers a Query or Scan naming an index the table lacks with ValidationException, as DynamoDB does', async () => {
    await createTable('runs-indexes');
    const message = 'The table does not have the specified index: byNothing';
    await expect(
      dynamodb.send(
        new QueryCommand({
          TableName: 'runs-indexes',
          IndexName: 'byNothing',
          KeyConditionExpression: 'appKey = :k',
          ExpressionAttributeValues: { ':k': { S: 't/app' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message });
    await expect(
      dynamodb.send(new ScanCommand({ TableName: 'runs-indexes', IndexName: 'byNothing' })),
    ).rejects.toMatchObject({ name: 'ValidationException', message });
  });

  it('answers a Query on a table that does not exist with ResourceNotFoundException, index or not', async () => {
    await expect(
      dynamodb.send(
        new QueryCommand({
          TableName: 'no-such-table',
          IndexName: 'byNothing',
          KeyConditionExpression: 'appKey = :k',
          ExpressionAttributeValues: { ':k': { S: 't/app' } },
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('throttles DynamoDB calls with ThrottlingException when a throttle fault is set', async () => {
    const rule = local.faults.add({ kind: 'throttle', service: 'dynamodb', operation: 'GetItem', limit: 1 });
    await expect(
      dynamodb.send(
        new GetItemCommand({ TableName: 'runs-items', Key: { appKey: { S: 't/app' }, runId: { S: 'r1' } } }),
      ),
    ).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    expect(rule.hits).toBe(1);
    local.faults.remove(rule.id);
  });

  it('counts DynamoDB calls by operation', () => {
    expect(local.counters.count('dynamodb', 'CreateTable')).toBeGreaterThanOrEqual(4);
    expect(local.counters.count('dynamodb', 'UpdateTimeToLive')).toBeGreaterThanOrEqual(3);
  });
});
