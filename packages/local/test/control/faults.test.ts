import { describe, expect, it } from 'vitest';
import { Faults } from '../../src/control/faults';

describe('fault rules', () => {
  it('throttles only the calls beyond a rate limit when the rule has tps', () => {
    const faults = new Faults(() => 0);
    faults.add({ kind: 'throttle', service: 'ssm', operation: 'GetParametersByPath', tps: 5 });
    const fired = Array.from(
      { length: 20 },
      () => faults.fire('throttle', { service: 'ssm', operation: 'GetParametersByPath' }) !== undefined,
    );
    const passed = fired.filter((hit) => !hit).length;
    // A second's burst of 5 passes (a sixth if a token refilled meanwhile); the rest are throttled.
    expect(passed).toBeGreaterThanOrEqual(5);
    expect(passed).toBeLessThanOrEqual(6);
    expect(fired.slice(0, 5)).toEqual([false, false, false, false, false]);
  });

  it('leaves other operations alone', () => {
    const faults = new Faults(() => 0);
    faults.add({ kind: 'throttle', service: 'ssm', operation: 'GetParametersByPath', tps: 1 });
    for (let i = 0; i < 5; i++)
      expect(faults.fire('throttle', { service: 'ssm', operation: 'GetParameter' })).toBeUndefined();
  });

  it('rejects a rule whose fields are out of range, naming the field', () => {
    const faults = new Faults(() => 0);
    expect(() => faults.add({ kind: 'throttle', tps: 0 })).toThrow(/tps/);
    expect(() => faults.add({ kind: 'latency', rate: 2 })).toThrow(/rate/);
  });
});
