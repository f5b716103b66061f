import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeApplicationCommand, KinesisAnalyticsV2Client } from '@aws-sdk/client-kinesis-analytics-v2';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, ListQueuesCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock } from '../../src/common/clock';
import { Counters } from '../../src/control/counters';
import { Faults } from '../../src/control/faults';
import { type LocalAws, startLocalAws } from '../../src/local-aws';
import { createFrontDoor } from '../../src/protocol/front-door';
import { AwsError, type JsonService } from '../../src/protocol/service';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let local: LocalAws;
const config = () => ({ endpoint: local.url, region: 'us-east-1', credentials, maxAttempts: 1 });

function authorization(service: string): string {
  return `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

async function post(
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${local.url}${path}`, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const jsonHeaders = (target: string, service: string, version = '1.1') => ({
  'content-type': `application/x-amz-json-${version}`,
  'x-amz-target': target,
  authorization: authorization(service),
});
const formHeaders = (service: string) => ({
  'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
  authorization: authorization(service),
});

beforeAll(async () => {
  local = await startLocalAws({
    port: 0,
    maxBodyBytes: 64 * 1024,
    fleet: { applications: [{ name: 'orders' }] },
  });
});
afterAll(() => local.stop());

describe('front door: authentication and routing', () => {
  it('refuses a JSON request without an Authorization header with MissingAuthenticationTokenException (403)', async () => {
    const { status, text, headers } = await post(
      '/',
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' },
      '{"Name":"/a"}',
    );
    expect(status).toBe(403);
    expect(headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(JSON.parse(text)).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });

  it('refuses a query request without an Authorization header with MissingAuthenticationToken (403)', async () => {
    const { status, text } = await post(
      '/',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'Action=ListQueues&Version=2012-11-05',
    );
    expect(status).toBe(403);
    expect(text).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  it('answers an unknown X-Amz-Target prefix with UnknownOperationException', async () => {
    const { status, text } = await post('/', jsonHeaders('AmazonKinesis.ListStreams', 'kinesis'), '{}');
    expect(status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('answers malformed JSON with SerializationException and keeps serving', async () => {
    const { status, text } = await post('/', jsonHeaders('AmazonSSM.GetParameter', 'ssm'), '{"Name":');
    expect(status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ __type: 'SerializationException' });
    const array = await post('/', jsonHeaders('AmazonSSM.GetParameter', 'ssm'), '[1,2]');
    expect(JSON.parse(array.text)).toMatchObject({
      __type: 'SerializationException',
      message: expect.stringContaining('an array'),
    });
    const identity = await new STSClient(config()).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe('000000000000');
  });

  it('renders SQS JSON errors with the query-compatible header so the SDK throws QueueDoesNotExist', async () => {
    const sqs = new SQSClient(config());
    const error = await sqs
      .send(new GetQueueUrlCommand({ QueueName: 'does-not-exist' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    const raw = await post(
      '/',
      { ...jsonHeaders('AmazonSQS.GetQueueUrl', 'sqs', '1.0'), 'x-amzn-query-mode': 'true' },
      '{"QueueName":"does-not-exist"}',
    );
    expect(raw.headers.get('x-amzn-query-error')).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
    expect(JSON.parse(raw.text).__type).toBe('com.amazonaws.sqs#QueueDoesNotExist');
    sqs.destroy();
  });

  it('answers a query request without Action with MissingAction', async () => {
    const { status, text } = await post('/', formHeaders('sns'), 'Version=2010-03-31');
    expect(status).toBe(400);
    expect(text).toContain('<Code>MissingAction</Code>');
  });

  it('refuses a query request whose credential scope names no service it serves', async () => {
    const { status, text } = await post('/', formHeaders('s3'), 'Action=ListBuckets');
    expect(status).toBe(403);
    expect(text).toContain('names service s3; query requests here go to sqs, sns, sts');
  });

  it('takes the queue from the path when an SQS query request is POSTed to the queue URL', async () => {
    const created = await post(
      '/',
      formHeaders('sqs'),
      'Action=CreateQueue&QueueName=path-routed&Version=2012-11-05',
    );
    const queueUrl = /<QueueUrl>([^<]+)<\/QueueUrl>/.exec(created.text)?.[1] ?? '';
    expect(queueUrl.startsWith(local.url)).toBe(true);
    const path = new URL(queueUrl).pathname;
    const sent = await post(
      path,
      formHeaders('sqs'),
      'Action=SendMessage&MessageBody=hello&Version=2012-11-05',
    );
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('<SendMessageResponse');
    const received = await post(path, formHeaders('sqs'), 'Action=ReceiveMessage&Version=2012-11-05');
    expect(received.text).toContain('<Body>hello</Body>');
  });

  it('refuses a body over the limit with 413 and keeps serving', async () => {
    const big = 'x'.repeat(128 * 1024);
    const { status } = await post(
      '/',
      jsonHeaders('AmazonSSM.PutParameter', 'ssm'),
      JSON.stringify({ Name: '/big', Value: big }),
    );
    expect(status).toBe(413);
    const query = await post('/', formHeaders('sns'), `Action=Publish&Message=${big}`);
    expect(query.status).toBe(413);
    expect(query.text).toContain('<Code>RequestEntityTooLarge</Code>');
    const ssm = new SSMClient(config());
    await expect(ssm.send(new GetParameterCommand({ Name: '/big' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
    ssm.destroy();
  });
});

describe('front door: faults and counters', () => {
  it.each([
    ['SQS', 'sqs', () => new SQSClient(config()).send(new ListQueuesCommand({})), 'RequestThrottled', 403],
    ['SNS', 'sns', () => new SNSClient(config()).send(new ListTopicsCommand({})), 'ThrottledException', 429],
    ['STS', 'sts', () => new STSClient(config()).send(new GetCallerIdentityCommand({})), 'Throttling', 400],
    [
      'SSM',
      'ssm',
      () => new SSMClient(config()).send(new GetParameterCommand({ Name: '/x' })),
      'ThrottlingException',
      400,
    ],
    [
      'Kinesis Analytics',
      'kinesisanalytics',
      () =>
        new KinesisAnalyticsV2Client(config()).send(
          new DescribeApplicationCommand({ ApplicationName: 'orders' }),
        ),
      'ThrottlingException',
      400,
    ],
  ])('throttles %s with its own throttling error', async (_label, service, send, name, status) => {
    const rule = local.faults.add({ kind: 'throttle', service, limit: 1 });
    await expect(send()).rejects.toMatchObject({ name, $metadata: { httpStatusCode: status } });
    expect(rule.hits).toBe(1);
    local.faults.remove(rule.id);
  });

  it('fails calls with a 500 InternalFailure when a server-error fault matches', async () => {
    const rule = local.faults.add({
      kind: 'server-error',
      service: 'ssm',
      operation: 'GetParameter',
      limit: 1,
    });
    const ssm = new SSMClient(config());
    await expect(ssm.send(new GetParameterCommand({ Name: '/x' }))).rejects.toMatchObject({
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 500 },
    });
    local.faults.remove(rule.id);
    ssm.destroy();
  });

  it('lets the SDK retry through a throttle that fires once', async () => {
    const rule = local.faults.add({ kind: 'throttle', service: 'sts', limit: 1 });
    const sts = new STSClient({ ...config(), maxAttempts: 3 });
    const out = await sts.send(new GetCallerIdentityCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    expect(rule.hits).toBe(1);
    local.faults.remove(rule.id);
    sts.destroy();
  });

  it('delays calls matched by a latency fault and counts the hit', async () => {
    const rule = local.faults.add({ kind: 'latency', service: 'sts', latencyMs: 5, limit: 2 });
    const sts = new STSClient(config());
    await sts.send(new GetCallerIdentityCommand({}));
    expect(rule.hits).toBe(1);
    local.faults.remove(rule.id);
    sts.destroy();
  });

  it('counts every call by service and operation, failed ones included', async () => {
    local.counters.reset();
    const sts = new STSClient(config());
    await sts.send(new GetCallerIdentityCommand({}));
    await post('/', jsonHeaders('AmazonSSM.GetParameter', 'ssm'), '{"Name":');
    expect(local.counters.snapshot()).toEqual({ sts: { GetCallerIdentity: 1 }, ssm: { GetParameter: 1 } });
    sts.destroy();
  });
});

describe('front door: a failing service', () => {
  let server: Server;
  let url: string;
  const logged: string[] = [];

  beforeAll(async () => {
    const clock = new SimClock();
    const faults = new Faults(() => 0.5);
    const broken: JsonService = {
      signingName: 'ssm',
      targetPrefix: 'AmazonSSM',
      handle(operation) {
        if (operation === 'Bug') throw new TypeError('cannot read properties of undefined');
        throw new AwsError('ParameterNotFound', 'no such parameter', 400);
      },
    };
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on(
      'request',
      createFrontDoor({
        context: {
          clock,
          faults,
          random: () => 0.5,
          region: 'us-east-1',
          accountId: '000000000000',
          baseUrl: url,
        },
        json: [broken],
        query: [],
        counters: new Counters(),
        faults,
        log: (message) => logged.push(message),
      }),
    );
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('turns an unexpected exception into 500 InternalFailure, logs it and keeps serving', async () => {
    const headers = jsonHeaders('AmazonSSM.Bug', 'ssm');
    const failed = await fetch(url, { method: 'POST', headers, body: '{}' });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ __type: 'InternalFailure' });
    expect(logged).toEqual(['service failed']);
    const next = await fetch(url, {
      method: 'POST',
      headers: jsonHeaders('AmazonSSM.GetParameter', 'ssm'),
      body: '{}',
    });
    expect(next.status).toBe(400);
    expect(next.headers.get('x-amzn-errortype')).toBe('ParameterNotFound');
  });
});
