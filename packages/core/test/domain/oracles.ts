/**
 * What the domain tests check the code against, computed another way: a retention plan as name → decision,
 * and a zone's clock readings from Intl (never from the code under test).
 */
import type { RetentionPlan } from '../../src/domain/retention';

/** name → `keep:<reason>` or `delete:<reason>`. */
export function outcome(plan: RetentionPlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of plan.keep) out[d.snapshot.name] = `keep:${d.reason}`;
  for (const d of plan.delete) out[d.snapshot.name] = `delete:${d.reason}`;
  return out;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The clock reading of `timeZone` at instant `ms`, field by field, with the offset as `GMT+05:30`. */
export function clockOf(
  ms: number,
  timeZone: string,
): { year: number; month: number; day: number; hour: number; minute: number; offset: string } {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      timeZoneName: 'longOffset',
    });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(ms);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: Number(part('year')),
    month: Number(part('month')),
    day: Number(part('day')),
    hour: Number(part('hour')),
    minute: Number(part('minute')),
    offset: part('timeZoneName'),
  };
}
