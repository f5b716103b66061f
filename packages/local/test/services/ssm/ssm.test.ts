import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  type Parameter,
  PutParameterCommand,
  paginateGetParametersByPath,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { Faults, type LocalAws, SimClock, SsmService, startLocalAws } from '@flink-snapshots/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let local: LocalAws;
let ssm: SSMClient;

beforeAll(async () => {
  local = await startLocalAws({ port: 0, seed: 1 });
  ssm = new SSMClient({
    endpoint: local.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  ssm.destroy();
  await local.stop();
});

async function put(Name: string, Value = '{}', Type: 'String' | 'StringList' | 'SecureString' = 'String') {
  return ssm.send(new PutParameterCommand({ Name, Value, Type }));
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

/** A raw AWS JSON 1.1 call, for inputs the SDK would never send. */
async function rawCall(
  operation: string,
  body: string,
): Promise<{ status: number; json: Record<string, string> }> {
  const response = await fetch(local.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `AmazonSSM.${operation}`,
      Authorization: 'AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/ssm/aws4_request, Signature=x',
    },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, string> };
}

describe('PutParameter and GetParameter', () => {
  it('stores a parameter and returns it with its version, ARN, data type and modification date', async () => {
    const before = local.clock.now();
    await expect(put('/put/orders', '{"enabled":true}')).resolves.toMatchObject({
      Version: 1,
      Tier: 'Standard',
    });
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/put/orders' }));
    expect(Parameter).toMatchObject({
      Name: '/put/orders',
      Type: 'String',
      Value: '{"enabled":true}',
      Version: 1,
      ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/put/orders',
      DataType: 'text',
    });
    expect(Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    expect(Parameter?.LastModifiedDate?.getTime()).toBeGreaterThanOrEqual(Math.floor(before));
  });

  it('stores StringList and SecureString values as given', async () => {
    await put('/put/list', 'a,b,c', 'StringList');
    await put('/put/secret', 's3cr3t', 'SecureString');
    const { Parameters } = await ssm.send(
      new GetParametersCommand({ Names: ['/put/list', '/put/secret'], WithDecryption: true }),
    );
    expect(Parameters?.map((p) => [p.Type, p.Value])).toEqual([
      ['StringList', 'a,b,c'],
      ['SecureString', 's3cr3t'],
    ]);
  });

  it('refuses to replace a parameter without Overwrite, and bumps the version with it', async () => {
    await put('/put/versioned', 'one');
    const error = await failure(put('/put/versioned', 'two'));
    expect(error.name).toBe('ParameterAlreadyExists');
    await expect(
      ssm.send(new PutParameterCommand({ Name: '/put/versioned', Value: 'two', Overwrite: true })),
    ).resolves.toMatchObject({ Version: 2 });
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/put/versioned' }));
    expect(Parameter).toMatchObject({ Value: 'two', Version: 2, Type: 'String' });
  });

  it('treats a name without a leading slash as the same parameter as with one', async () => {
    await put('rootlevel', 'x');
    const error = await failure(put('/rootlevel', 'y'));
    expect(error.name).toBe('ParameterAlreadyExists');
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/rootlevel' }));
    expect(Parameter).toMatchObject({
      Name: 'rootlevel',
      ARN: expect.stringMatching(/:parameter\/rootlevel$/),
    });
  });

  it('rejects a standard-tier value over 4 KiB, and keeps it in the advanced tier', async () => {
    const big = 'x'.repeat(4097);
    const error = await failure(put('/put/big', big));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(
      /4097 bytes; standard tier parameters support a maximum parameter value of 4096/,
    );
    await expect(
      ssm.send(
        new PutParameterCommand({
          Name: '/put/big',
          Value: big,
          Type: 'String',
          Tier: 'Intelligent-Tiering',
        }),
      ),
    ).resolves.toMatchObject({ Tier: 'Advanced' });
    await expect(put('/put/exactly-4k', 'y'.repeat(4096))).resolves.toMatchObject({ Tier: 'Standard' });
  });

  it.each([
    ['a space', '/put/has space'],
    ['a character outside a-zA-Z0-9_.-/', '/put/user@example.com'],
    ['a path without a leading slash', 'put/child'],
    ['an "ssm" prefix', '/ssm/reserved'],
    ['an "aws" prefix', 'awsThing'],
    ['a trailing slash', '/put/dir/'],
  ])('rejects a name with %s as ValidationException', async (_, name) => {
    const error = await failure(put(name));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain(`'${name}'`);
  });

  it('rejects a hierarchy deeper than 15 levels', async () => {
    await expect(put(`/${Array(15).fill('l').join('/')}`)).resolves.toMatchObject({ Version: 1 });
    const error = await failure(put(`/${Array(16).fill('l').join('/')}`));
    expect(error.name).toBe('HierarchyLevelLimitExceededException');
  });

  it('requires a Type when creating a parameter', async () => {
    const error = await failure(ssm.send(new PutParameterCommand({ Name: '/put/untyped', Value: 'v' })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/Type is required/);
  });

  it('answers ParameterNotFound for a parameter that does not exist', async () => {
    const error = await failure(ssm.send(new GetParameterCommand({ Name: '/put/nothing-here' })));
    expect(error.name).toBe('ParameterNotFound');
    expect(error.message).toContain('/put/nothing-here');
  });

  it('resolves a version selector only for the current version', async () => {
    await put('/put/selected', 'v1');
    await expect(ssm.send(new GetParameterCommand({ Name: '/put/selected:1' }))).resolves.toMatchObject({
      Parameter: { Value: 'v1', Selector: ':1' },
    });
    const error = await failure(ssm.send(new GetParameterCommand({ Name: '/put/selected:2' })));
    expect(error.name).toBe('ParameterVersionNotFound');
  });
});

describe('GetParameters', () => {
  it('returns the parameters found and lists the others as InvalidParameters', async () => {
    await put('/many/a', '1');
    await put('/many/b', '2');
    const result = await ssm.send(
      new GetParametersCommand({ Names: ['/many/a', '/many/missing', '/many/b'] }),
    );
    expect(result.Parameters?.map((p) => p.Name)).toEqual(['/many/a', '/many/b']);
    expect(result.InvalidParameters).toEqual(['/many/missing']);
  });

  it('rejects more than 10 names', async () => {
    const names = Array.from({ length: 11 }, (_, i) => `/many/n${i}`);
    const error = await failure(ssm.send(new GetParametersCommand({ Names: names })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(
      /at 'names' failed to satisfy constraint: Member must have length less than or equal to 10/,
    );
  });
});

describe('GetParametersByPath', () => {
  beforeAll(async () => {
    for (const name of [
      '/tree/acme/orders',
      '/tree/acme/payments',
      '/tree/acme/deep/nested',
      '/tree/globex/orders',
      '/tree/globex.eu/orders',
      '/tree-sibling/orders',
      '/tree/top',
    ]) {
      await put(name, name);
    }
  });

  async function names(input: { Path: string; Recursive?: boolean }): Promise<string[]> {
    const out: string[] = [];
    for await (const page of paginateGetParametersByPath({ client: ssm, pageSize: 2 }, input)) {
      out.push(...(page.Parameters ?? []).map((p) => p.Name ?? ''));
    }
    return out;
  }

  it('returns the whole subtree in name order when Recursive', async () => {
    expect(await names({ Path: '/tree', Recursive: true })).toEqual([
      '/tree/acme/deep/nested',
      '/tree/acme/orders',
      '/tree/acme/payments',
      '/tree/globex.eu/orders',
      '/tree/globex/orders',
      '/tree/top',
    ]);
  });

  it('returns only the direct children without Recursive', async () => {
    expect(await names({ Path: '/tree/acme' })).toEqual(['/tree/acme/orders', '/tree/acme/payments']);
    expect(await names({ Path: '/tree/' })).toEqual(['/tree/top']);
  });

  it('returns nothing for a path with no parameters under it', async () => {
    await expect(ssm.send(new GetParametersByPathCommand({ Path: '/tree/none' }))).resolves.toMatchObject({
      Parameters: [],
    });
  });

  it('pages with NextToken and returns no token after the last page', async () => {
    const first = await ssm.send(
      new GetParametersByPathCommand({ Path: '/tree', Recursive: true, MaxResults: 4 }),
    );
    expect(first.Parameters).toHaveLength(4);
    expect(first.NextToken).toBeDefined();
    const second = await ssm.send(
      new GetParametersByPathCommand({
        Path: '/tree',
        Recursive: true,
        MaxResults: 4,
        NextToken: first.NextToken,
      }),
    );
    expect(second.Parameters?.map((p) => p.Name)).toEqual(['/tree/globex/orders', '/tree/top']);
    expect(second.NextToken).toBeUndefined();
  });

  it('keeps paging stable when a parameter is added before the token', async () => {
    const first = await ssm.send(
      new GetParametersByPathCommand({ Path: '/tree', Recursive: true, MaxResults: 3 }),
    );
    await put('/tree/aaa-late', 'late');
    const second = await ssm.send(
      new GetParametersByPathCommand({
        Path: '/tree',
        Recursive: true,
        MaxResults: 10,
        NextToken: first.NextToken,
      }),
    );
    expect(second.Parameters?.map((p) => p.Name)).toEqual([
      '/tree/globex.eu/orders',
      '/tree/globex/orders',
      '/tree/top',
    ]);
    await ssm.send(new DeleteParameterCommand({ Name: '/tree/aaa-late' }));
  });

  it('filters by Type', async () => {
    await put('/typed/plain', 'a');
    await put('/typed/list', 'a,b', 'StringList');
    const result = await ssm.send(
      new GetParametersByPathCommand({
        Path: '/typed',
        ParameterFilters: [{ Key: 'Type', Option: 'Equals', Values: ['StringList'] }],
      }),
    );
    expect(result.Parameters?.map((p) => p.Name)).toEqual(['/typed/list']);
  });

  it('rejects a Name filter, which only DescribeParameters takes', async () => {
    const error = await failure(
      ssm.send(
        new GetParametersByPathCommand({
          Path: '/typed',
          ParameterFilters: [{ Key: 'Name', Values: ['x'] }],
        }),
      ),
    );
    expect(error.name).toBe('InvalidFilterKey');
  });

  it('rejects MaxResults above 10', async () => {
    const error = await failure(ssm.send(new GetParametersByPathCommand({ Path: '/tree', MaxResults: 11 })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      "1 validation error detected: Value '11' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10",
    );
  });

  it('rejects a path that does not start with a slash', async () => {
    const error = await failure(ssm.send(new GetParametersByPathCommand({ Path: 'tree' })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/must begin with a forward slash/);
  });

  it('rejects a token it did not issue', async () => {
    const error = await failure(
      ssm.send(new GetParametersByPathCommand({ Path: '/tree', NextToken: 'not-a-token' })),
    );
    expect(error.name).toBe('InvalidNextToken');
  });
});

describe('public parameters under /aws/', () => {
  it('answers GetParametersByPath under /aws/ with the public parameters stored there', async () => {
    const parameters: Parameter[] = [];
    for await (const page of paginateGetParametersByPath(
      { client: ssm },
      { Path: '/aws/service/global-infrastructure/regions' },
    )) {
      parameters.push(...(page.Parameters ?? []));
    }
    const regions = parameters.map((p) => [p.Name, p.Value]);
    expect(regions).toContainEqual(['/aws/service/global-infrastructure/regions/us-east-1', 'us-east-1']);
    expect(regions).toContainEqual(['/aws/service/global-infrastructure/regions/eu-west-1', 'eu-west-1']);
    // Public parameters belong to no account.
    expect(parameters[0]?.ARN).toMatch(/^arn:aws:ssm:us-east-1::parameter\/aws\/service\//);
  });

  it('answers a public path with nothing stored under it with no parameters', async () => {
    await expect(
      ssm.send(new GetParametersByPathCommand({ Path: '/aws/service/nothing-here', Recursive: true })),
    ).resolves.toMatchObject({ Parameters: [] });
  });

  it('reads one public parameter with GetParameter', async () => {
    const { Parameter } = await ssm.send(
      new GetParameterCommand({ Name: '/aws/service/global-infrastructure/regions/us-west-2' }),
    );
    expect(Parameter).toMatchObject({ Type: 'String', Value: 'us-west-2', Version: 1 });
  });

  it("keeps public parameters out of DescribeParameters, which lists the account's own", async () => {
    const { Parameters } = await ssm.send(new DescribeParametersCommand({ MaxResults: 50 }));
    expect(Parameters?.some((p) => p.Name?.startsWith('/aws/'))).toBe(false);
  });

  it.each(['/aws/service/mine', 'aws-mine', '/ssm/mine'])(
    'refuses to write %s: names beginning with aws or ssm are reserved',
    async (Name) => {
      const error = await failure(put(Name));
      expect(error.name).toBe('ValidationException');
      expect(error.message).toMatch(/can't be prefixed with "aws" or "ssm"/);
    },
  );
});

describe('DeleteParameter and DeleteParameters', () => {
  it('deletes a parameter, then reports it not found', async () => {
    await put('/delete/one');
    await ssm.send(new DeleteParameterCommand({ Name: '/delete/one' }));
    const error = await failure(ssm.send(new DeleteParameterCommand({ Name: '/delete/one' })));
    expect(error.name).toBe('ParameterNotFound');
    const { Parameters } = await ssm.send(new GetParametersByPathCommand({ Path: '/delete' }));
    expect(Parameters).toEqual([]);
  });

  it('deletes several, listing the ones that did not exist', async () => {
    await put('/delete/a');
    await put('/delete/b');
    await expect(
      ssm.send(new DeleteParametersCommand({ Names: ['/delete/a', '/delete/ghost', '/delete/b'] })),
    ).resolves.toMatchObject({
      DeletedParameters: ['/delete/a', '/delete/b'],
      InvalidParameters: ['/delete/ghost'],
    });
  });
});

describe('DescribeParameters', () => {
  beforeAll(async () => {
    await put('/describe/t1/a');
    await put('/describe/t1/b', 's', 'SecureString');
    await put('/describe/t2/a');
  });

  it('filters by Path (one level or recursive) and returns metadata without values', async () => {
    const oneLevel = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Values: ['/describe/t1'] }] }),
    );
    expect(oneLevel.Parameters?.map((p) => p.Name)).toEqual(['/describe/t1/a', '/describe/t1/b']);
    expect(oneLevel.Parameters?.[1]).toMatchObject({
      Type: 'SecureString',
      KeyId: 'alias/aws/ssm',
      Version: 1,
    });
    expect(oneLevel.Parameters?.[0]).not.toHaveProperty('Value');
    const recursive = await ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/describe'] }],
        MaxResults: 2,
      }),
    );
    expect(recursive.Parameters).toHaveLength(2);
    const rest = await ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/describe'] }],
        NextToken: recursive.NextToken,
      }),
    );
    expect(rest.Parameters?.map((p) => p.Name)).toEqual(['/describe/t2/a']);
  });

  it('filters by Name prefix and Type', async () => {
    const result = await ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [
          { Key: 'Name', Option: 'BeginsWith', Values: ['/describe/'] },
          { Key: 'Type', Values: ['SecureString'] },
        ],
      }),
    );
    expect(result.Parameters?.map((p) => p.Name)).toEqual(['/describe/t1/b']);
  });

  it('rejects an unknown filter option', async () => {
    const error = await failure(
      ssm.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: 'Path', Option: 'Sideways', Values: ['/x'] }],
        }),
      ),
    );
    expect(error.name).toBe('InvalidFilterOption');
  });
});

describe('bad input', () => {
  it('answers SerializationException for a member of the wrong JSON type', async () => {
    const { status, json } = await rawCall('GetParameter', '{"Name": 42}');
    expect(status).toBe(400);
    expect(json.__type).toBe('SerializationException');
    expect(json.message).toMatch(/'name': expected string, received number 42/);
  });

  it('answers ValidationException for a missing required member', async () => {
    const { status, json } = await rawCall('PutParameter', '{"Name": "/bad/x"}');
    expect(status).toBe(400);
    expect(json).toEqual({
      __type: 'ValidationException',
      message:
        "1 validation error detected: Value null at 'value' failed to satisfy constraint: Member must not be null",
    });
  });

  it('answers an operation it does not serve with UnknownOperationException', async () => {
    const { json } = await rawCall('LabelParameterVersion', '{}');
    expect(json.__type).toBe('UnknownOperationException');
  });
});

describe('SsmService at scale', () => {
  it('pages one tenant out of 10,000 parameters and refuses the 10,001st standard parameter', () => {
    const clock = new SimClock();
    const service = new SsmService({ clock, faults: new Faults(() => 1), random: () => 0.5 });
    const ctx = {
      clock,
      faults: new Faults(() => 1),
      random: () => 0.5,
      region: 'us-east-1',
      accountId: '000000000000',
      baseUrl: 'http://127.0.0.1',
    };
    for (let tenant = 0; tenant < 100; tenant++) {
      for (let app = 0; app < 100; app++) {
        service.handle(
          'PutParameter',
          {
            Name: `/fs/test/apps/t${String(tenant).padStart(3, '0')}/app-${app}`,
            Value: '{}',
            Type: 'String',
          },
          ctx,
        );
      }
    }
    expect(service.size).toBe(10_000);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = service.handle(
        'GetParametersByPath',
        { Path: '/fs/test/apps/t042', ...(token === undefined ? {} : { NextToken: token }) },
        ctx,
      ) as { Parameters: { Name: string }[]; NextToken?: string };
      seen.push(...page.Parameters.map((p) => p.Name));
      token = page.NextToken;
    } while (token !== undefined);
    expect(seen).toHaveLength(100);
    expect(new Set(seen).size).toBe(100);
    expect(seen.every((name) => name.startsWith('/fs/test/apps/t042/'))).toBe(true);
    expect(() =>
      service.handle('PutParameter', { Name: '/fs/one-more', Value: 'x', Type: 'String' }, ctx),
    ).toThrow(expect.objectContaining({ code: 'ParameterLimitExceeded' }));
  });
});
