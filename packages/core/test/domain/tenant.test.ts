import { describe, expect, it } from 'vitest';
import { type AppConfig, parseAppConfig } from '../../src/domain/config';
import { findDuplicateKey } from '../../src/domain/issues';
import {
  admitApplication,
  checkBinding,
  checkPlacement,
  type Deployment,
  matchesArnPattern,
  parseTenantEntry,
  readTenantRegistry,
  TENANT_TAG_KEY,
  type TenantEntry,
  tenantParameterName,
} from '../../src/domain/tenant';

const STAGE = 'prod';
const DEPLOYMENT: Deployment = {
  region: 'eu-west-1',
  accountId: '111111111111',
  partition: 'aws',
  roleArnPattern: 'arn:aws:iam::*:role/flink-snapshots-*',
};
const ENTRY: TenantEntry = {
  accounts: ['111111111111', '222222222222'],
  regions: ['eu-west-1', 'us-east-1'],
  maxApplications: 2,
};
const REGISTRY = { parameter: tenantParameterName(STAGE, 'payments'), entry: ENTRY };

function config(fields: Partial<Pick<AppConfig, 'region' | 'roleArn'>> = {}) {
  return { tenant: 'payments', ...fields };
}

describe('parseTenantEntry', () => {
  it('reads accounts and regions, with a cap of 100 applications by default', () => {
    const result = parseTenantEntry(
      tenantParameterName(STAGE, 'payments'),
      '{"accounts":["111111111111"],"regions":["eu-west-1"]}',
      { stage: STAGE, type: 'String' },
    );
    expect(result).toEqual({
      ok: true,
      tenant: 'payments',
      entry: { accounts: ['111111111111'], regions: ['eu-west-1'], maxApplications: 100 },
    });
  });

  it.each([
    ['an empty account list', '{"accounts":[],"regions":["eu-west-1"]}', 'accounts', 'at least one'],
    [
      'an account id of 11 digits',
      '{"accounts":["11111111111"],"regions":["eu-west-1"]}',
      'accounts[0]',
      '12-digit',
    ],
    [
      'a region that is not one',
      '{"accounts":["111111111111"],"regions":["europe"]}',
      'regions[0]',
      'AWS region',
    ],
    [
      'a cap of 0',
      '{"accounts":["111111111111"],"regions":["eu-west-1"],"maxApplications":0}',
      'maxApplications',
      'from 1 to 10000',
    ],
    [
      'an unknown field',
      '{"accounts":["111111111111"],"regions":["eu-west-1"],"regoins":[]}',
      'regoins',
      'did you mean "regions"',
    ],
    [
      'a duplicated key',
      '{"accounts":["111111111111"],"regions":["eu-west-1"],"regions":[]}',
      'regions',
      'each field once',
    ],
  ])('rejects %s, naming the field and what was expected', (_what, value, field, expected) => {
    const result = parseTenantEntry(tenantParameterName(STAGE, 'payments'), value, { stage: STAGE });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.tenant).toBe('payments');
    expect(result.error.issues).toContainEqual(
      expect.objectContaining({ field, expected: expect.stringContaining(expected) }),
    );
  });

  it('rejects a SecureString, naming the type to use', () => {
    const result = parseTenantEntry(tenantParameterName(STAGE, 'payments'), 'AQICAH…', {
      stage: STAGE,
      type: 'SecureString',
    });
    expect(result.ok || result.error.message).toMatch(
      /\(type\): received "SecureString", expected a String parameter/,
    );
  });

  it.each(['/flink-snapshots/prod/tenants/a/b', '/flink-snapshots/dev/tenants/payments'])(
    'rejects %s, a name that is not a tenant of the stage, without a tenant to blame',
    (name) => {
      const result = parseTenantEntry(name, '{"accounts":["111111111111"],"regions":["eu-west-1"]}', {
        stage: STAGE,
      });
      expect(result).toMatchObject({ ok: false, tenant: undefined });
      expect(result.ok || result.error.issues[0]?.field).toBe('(name)');
    },
  );

  it('keeps the entries apart from those it cannot attribute to a tenant', () => {
    const registry = readTenantRegistry(
      [
        { name: tenantParameterName(STAGE, 'payments'), value: JSON.stringify(ENTRY) },
        { name: `${tenantParameterName(STAGE, 'x')}/y`, value: '{}' },
        { name: tenantParameterName(STAGE, 'ads'), value: '[]' },
      ],
      { stage: STAGE, mode: 'required' },
    );
    expect([...registry.entries.keys()]).toEqual(['payments']);
    expect([...registry.invalid.keys()]).toEqual(['ads']);
    expect(registry.unnamed).toHaveLength(1);
  });
});

describe('checkPlacement', () => {
  it('accepts an application in one of the tenant’s accounts and regions', () => {
    expect(checkPlacement(config(), DEPLOYMENT, REGISTRY)).toEqual([]);
    expect(
      checkPlacement(
        config({ region: 'us-east-1', roleArn: 'arn:aws:iam::222222222222:role/flink-snapshots-payments' }),
        DEPLOYMENT,
        REGISTRY,
      ),
    ).toEqual([]);
  });

  it.each([
    {
      what: 'a role in an account the tenant does not have',
      fields: { roleArn: 'arn:aws:iam::333333333333:role/flink-snapshots-x' },
      field: 'roleArn',
      expected:
        "an application in one of tenant payments's accounts (111111111111, 222222222222, in /flink-snapshots/prod/tenants/payments); account 333333333333 is not one",
    },
    {
      what: 'a region the tenant does not have',
      fields: { region: 'ap-south-1' },
      field: 'region',
      expected:
        "one of tenant payments's regions (eu-west-1, us-east-1, in /flink-snapshots/prod/tenants/payments)",
    },
    {
      what: 'a role outside the stage’s pattern',
      fields: { roleArn: 'arn:aws:iam::222222222222:role/admin' },
      field: 'roleArn',
      expected:
        "a role matching the stage's pattern arn:aws:iam::*:role/flink-snapshots-*, the roles the worker may assume",
    },
    {
      what: 'a role in another partition than the (default) region’s',
      fields: { roleArn: 'arn:aws-cn:iam::222222222222:role/flink-snapshots-x' },
      field: 'roleArn',
      expected: 'a role ARN in partition aws, the partition of region eu-west-1',
    },
    {
      what: 'a region in another partition than the deployment’s',
      fields: { region: 'cn-north-1' },
      field: 'region',
      expected:
        'a region of partition aws, where flink-snapshots is deployed (cn-north-1 is in aws-cn; a role cannot be assumed across partitions)',
    },
  ])('reports $what', ({ fields, field, expected }) => {
    expect(checkPlacement(config(fields), DEPLOYMENT, REGISTRY)).toContainEqual(
      expect.objectContaining({ field, expected }),
    );
  });

  it('places an application without a role in the deployment’s account, which the tenant must have', () => {
    const elsewhere = { ...REGISTRY, entry: { ...ENTRY, accounts: ['222222222222'] } };
    expect(checkPlacement(config(), DEPLOYMENT, elsewhere)).toEqual([
      expect.objectContaining({
        field: 'roleArn (absent: the deployment account)',
        value: '"111111111111"',
      }),
    ]);
  });

  it('knows GovCloud’s partition', () => {
    const gov = { ...DEPLOYMENT, region: 'us-gov-west-1', partition: 'aws-us-gov' };
    expect(checkPlacement(config({ roleArn: 'arn:aws:iam::222222222222:role/x' }), gov)).toContainEqual(
      expect.objectContaining({
        expected: 'a role ARN in partition aws-us-gov, the partition of region us-gov-west-1',
      }),
    );
  });

  it('checks the partition and the role pattern even without a registry (an open stage)', () => {
    expect(checkPlacement(config({ region: 'ap-south-1' }), DEPLOYMENT)).toEqual([]);
    expect(checkPlacement(config({ roleArn: 'arn:aws:iam::9:role/admin' }), DEPLOYMENT)).toHaveLength(1);
  });
});

describe('matchesArnPattern', () => {
  it.each([
    ['arn:aws:iam::123456789012:role/flink-snapshots-a', 'arn:aws:iam::*:role/flink-snapshots-*', true],
    ['arn:aws:iam::123456789012:role/path/flink-snapshots-a', 'arn:aws:iam::*:role/flink-snapshots-*', false],
    [
      'arn:aws:iam::123456789012:role/flink-snapshots-a',
      'arn:aws:iam::123456789012:role/flink-snapshots-?',
      true,
    ],
    ['arn:aws:iam::123456789012:role/x.y', 'arn:aws:iam::123456789012:role/x?y', true],
    ['arn:aws:iam::123456789012:role/xzy', 'arn:aws:iam::123456789012:role/x.y', false],
  ])('%s against %s: %s', (value, pattern, expected) => {
    expect(matchesArnPattern(value, pattern)).toBe(expected);
  });
});

describe('admitApplication', () => {
  const registry = (mode: 'required' | 'open', entries = [REGISTRY], invalid: string[] = []) => {
    const parameters = [
      ...entries.map((e) => ({ name: e.parameter, value: JSON.stringify(e.entry) })),
      ...invalid.map((tenant) => ({ name: tenantParameterName(STAGE, tenant), value: '{"accounts":[]}' })),
    ];
    return readTenantRegistry(parameters, { stage: STAGE, mode });
  };

  it('admits a placed application of a registered tenant within its cap', () => {
    expect(admitApplication(config(), DEPLOYMENT, registry('required'), 2)).toEqual([]);
  });

  it('names the registry entry to create for a tenant without one, on a stage that requires it', () => {
    const issues = admitApplication({ tenant: 'search' }, DEPLOYMENT, registry('required'), 1);
    expect(issues).toEqual([
      expect.objectContaining({
        field: '(tenant)',
        expected:
          'a registry entry for tenant search: an administrator creates the String parameter /flink-snapshots/prod/tenants/search with the accounts and regions its applications may live in, e.g. {"accounts":["111111111111"],"regions":["eu-west-1"]}',
      }),
    ]);
  });

  it('admits a tenant without an entry on an open stage, still checking the partition', () => {
    expect(admitApplication({ tenant: 'search' }, DEPLOYMENT, registry('open'), 1)).toEqual([]);
    expect(
      admitApplication({ tenant: 'search', region: 'cn-north-1' }, DEPLOYMENT, registry('open'), 1),
    ).toHaveLength(1);
  });

  it('refuses every application of a tenant whose entry is invalid, saying what to fix there', () => {
    const [issue] = admitApplication({ tenant: 'ads' }, DEPLOYMENT, registry('open', [], ['ads']), 1);
    expect(issue?.expected).toMatch(
      /^a valid registry entry for tenant ads; an administrator must fix \/flink-snapshots\/prod\/tenants\/ads: accounts: expected an array of 12-digit AWS account ids, at least one; regions: expected/,
    );
  });

  it('refuses the applications beyond the tenant’s cap', () => {
    expect(admitApplication(config(), DEPLOYMENT, registry('required'), 3)).toEqual([
      expect.objectContaining({
        value: 'application #3 of tenant payments',
        expected:
          'at most 2 applications for tenant payments (maxApplications in /flink-snapshots/prod/tenants/payments); the first 2 read run, this one does not',
      }),
    ]);
  });
});

describe('checkBinding', () => {
  it('binds an application to the tenant its tag names', () => {
    expect(checkBinding('payments', 'ledger', { [TENANT_TAG_KEY]: 'payments', team: 'x' })).toEqual({
      bound: true,
    });
  });

  it('refuses an untagged application, saying which tag to set', () => {
    expect(checkBinding('payments', 'ledger', {})).toEqual({
      bound: false,
      owner: undefined,
      reason: expect.stringMatching(
        /^application ledger has no flink-snapshots:tenant tag, so it is bound to no tenant and nothing was done to it; tag it flink-snapshots:tenant=payments \(aws kinesisanalyticsv2 tag-resource/,
      ),
    });
  });

  it('refuses another tenant’s application, naming its owner', () => {
    expect(checkBinding('payments', 'indexer', { [TENANT_TAG_KEY]: 'search' })).toEqual({
      bound: false,
      owner: 'search',
      reason:
        'application indexer belongs to tenant search (its flink-snapshots:tenant tag), not to tenant payments whose parameter names it; nothing was done to it',
    });
  });
});

describe('parameters that are not plain JSON configurations', () => {
  const context = { stage: STAGE, tickMinutes: 5 };
  const name = '/flink-snapshots/prod/apps/payments/ledger';

  it('rejects a SecureString parameter, naming the type to use', () => {
    const result = parseAppConfig(name, 'AQICAHg…', context, 'SecureString');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues).toEqual([
      {
        field: '(type)',
        kind: 'parameter-type',
        value: '"SecureString"',
        expected:
          'a String parameter: configurations hold no secrets and are read without decryption (delete it and put it again with --type String)',
      },
    ]);
  });

  it('rejects a key given twice, naming it and its path', () => {
    const result = parseAppConfig(name, '{"retention":{"count":3,"count":30}}', context, 'String');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues).toEqual([
      {
        field: 'retention.count',
        kind: 'duplicate-key',
        value: '"count" twice (the second at position 24)',
        expected: 'each field once; JSON keeps only the last "count", so remove the one you did not mean',
      },
    ]);
  });
});

describe('findDuplicateKey', () => {
  it.each([
    ['{"a":1,"b":{"a":2}}', undefined],
    ['{"a":1,"a":2}', { key: 'a', path: 'a', position: 7 }],
    ['{"x":[{"k":1},{"k":1,"k":2}]}', { key: 'k', path: 'x[1].k', position: 21 }],
    ['{"s":"a\\"b","s":1}', { key: 's', path: 's', position: 12 }],
    ['[{"a":"{\\"a\\":1}"},{"a":[1,{"a":2,"b":3}],"b":{}}]', undefined],
  ])('finds in %s: %j', (text, expected) => {
    expect(findDuplicateKey(text)).toEqual(expected);
  });
});
