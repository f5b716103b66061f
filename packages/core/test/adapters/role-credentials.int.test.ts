import { STSClient } from '@aws-sdk/client-sts';
import {
  type CallCounter,
  clientConfig,
  countCalls,
  describeOnTarget,
  expectFailure,
  localAws,
  localOnly,
  notOnMoto,
  useTarget,
} from '@flink-snapshots/testkit';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { RoleCredentialsCache } from '../../src/adapters/role-credentials';
import { AccessDeniedError, ThrottledError } from '../../src/domain/errors';

const ROLE = { roleArn: 'arn:aws:iam::111122223333:role/flink-snapshots-access', tenant: 'payments' };
const OTHER_ROLE = { roleArn: 'arn:aws:iam::444455556666:role/flink-snapshots-access', tenant: 'payments' };
const MINUTE = 60_000;
const target = useTarget();
let sts: STSClient;
let calls: CallCounter;

beforeAll(async () => {
  sts = new STSClient(clientConfig(target));
});

beforeEach(() => {
  calls = countCalls(sts);
});

afterAll(async () => {
  sts.destroy();
});

/** A clock that stays where the test puts it, starting at the target's time. */
function pinnedClock(): { now: () => number; advance: (ms: number) => void } {
  let now = target.now();
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}

const assumeRoleCalls = () => calls.count('AssumeRole');

describeOnTarget('RoleCredentialsCache', () => {
  it('assumes the role for one hour with a session named after the tenant', async () => {
    const clock = pinnedClock();
    const credentials = await new RoleCredentialsCache({ sts, clock }).get(ROLE);

    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.sessionToken).toBeTruthy();
    const lifetime = (credentials.expiration?.getTime() ?? 0) - clock.now();
    expect(lifetime).toBeGreaterThan(59 * MINUTE);
    expect(lifetime).toBeLessThanOrEqual(61 * MINUTE);
  });

  it('keeps credentials until five minutes before expiry, then assumes the role again', async () => {
    const clock = pinnedClock();
    const cache = new RoleCredentialsCache({ sts, clock });
    const first = await cache.get(ROLE);

    clock.advance(54 * MINUTE);
    expect(await cache.get(ROLE)).toBe(first);
    expect(assumeRoleCalls()).toBe(1);

    clock.advance(2 * MINUTE);
    const renewed = await cache.get(ROLE);
    expect(renewed).not.toBe(first);
    expect(assumeRoleCalls()).toBe(2);
  });

  it('caches per role and tenant, and shares one AssumeRole among concurrent callers', async () => {
    const cache = new RoleCredentialsCache({ sts, clock: pinnedClock() });
    const otherTenant = { ...ROLE, tenant: 'search' };

    const all = await Promise.all([
      cache.get(ROLE),
      cache.get(ROLE),
      cache.get(OTHER_ROLE),
      cache.get(otherTenant),
      cache.get(ROLE),
    ]);

    expect(new Set(all).size).toBe(3);
    expect(assumeRoleCalls()).toBe(3);
  });

  localOnly('fault injection', 'does not cache a failed AssumeRole: the next call tries again', async () => {
    const local = localAws(target);
    local.faults.add({ kind: 'throttle', service: 'sts', operation: 'AssumeRole' });
    const once = new STSClient(clientConfig(target, 1));
    const onceCalls = countCalls(once);
    const cache = new RoleCredentialsCache({ sts: once, clock: pinnedClock() });

    const error = await expectFailure(cache.get(ROLE), ThrottledError);
    expect(error).toMatchObject({ operation: 'AssumeRole', code: 'Throttling' });

    local.faults.clear();
    await expect(cache.get(ROLE)).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/) });
    expect(onceCalls.count('AssumeRole')).toBe(2);
    once.destroy();
  });

  notOnMoto(
    'moto assumes a role of a malformed ARN; STS answers ValidationError',
    'fails with AccessDeniedError naming the role, the tenant and the ExternalId when STS refuses it',
    async () => {
      const roleArn = 'arn:aws:iam::123:role/too-short-account';
      const error = await expectFailure(
        new RoleCredentialsCache({ sts }).get({ roleArn, tenant: 'payments', externalId: 'test/payments' }),
        AccessDeniedError,
        'for tenant payments (ExternalId test/payments)',
      );

      expect(error).toMatchObject({ roleArn, operation: 'AssumeRole', code: 'ValidationError' });
      expect((error as Error).cause).toMatchObject({ name: 'ValidationError' });
    },
  );
});
