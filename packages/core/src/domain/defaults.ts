/**
 * Defaults that inherit field by field. An application's effective configuration is the stage's document
 * (`/flink-snapshots/<stage>/defaults`) ⊕ its tenant's registry entry (`defaults`) ⊕ its own parameter:
 * objects merge key by key, any other value (a number, a string, an array) is taken whole from the most
 * specific layer that sets it. Each effective field keeps where it came from. Administrators' caps, in the
 * same two documents, bound what an application may ask for; exceeding one is a configuration error.
 */
import { stageDefaultsParameterName } from '@flink-snapshots/settings';
import type { AppConfig, Caps } from './config';
import { cronShortestGapMinutes } from './cron';
import { type FieldIssue, fieldPath, IssueKind, renderValue } from './issues';

export const ConfigLayer = {
  STAGE: 'stage',
  TENANT: 'tenant',
  APPLICATION: 'application',
  /** No layer set it: the field's documented default. */
  BUILT_IN: 'built-in',
} as const;
export type ConfigLayer = (typeof ConfigLayer)[keyof typeof ConfigLayer];

/** Where one effective value came from: the layer, and the SSM parameter of that layer. */
export interface FieldSource {
  readonly layer: ConfigLayer;
  readonly parameter?: string | undefined;
}

/** The source of each effective field, by dotted path (`retention.count`, `notify.on`). */
export type Provenance = Readonly<Record<string, FieldSource>>;

/** A document an application inherits from, as its parser validated it. */
export interface DefaultsLayer {
  readonly layer: typeof ConfigLayer.STAGE | typeof ConfigLayer.TENANT;
  readonly parameter: string;
  /** Any application field but applicationName. */
  readonly defaults?: Readonly<Record<string, unknown>> | undefined;
  readonly caps?: Caps | undefined;
}

export { stageDefaultsParameterName };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const BUILT_IN: FieldSource = { layer: ConfigLayer.BUILT_IN };

/** The merged document, and the source of every value a layer set in it. */
export interface MergedLayers {
  readonly value: unknown;
  readonly sources: ReadonlyMap<string, FieldSource>;
}

/**
 * Merges documents, least specific first. `intervalMinutes` and `schedule.cron` are two ways to say when to
 * run: a layer that sets one (and not the other) drops the other inherited from the layers before it, and
 * a `schedule` without a cron, all inherited (a stage's time zone for cron applications), is dropped.
 */
export function mergeLayers(
  layers: readonly { readonly source: FieldSource; readonly value: unknown }[],
): MergedLayers {
  const sources = new Map<string, FieldSource>();
  let merged: unknown = {};
  for (const { source, value } of layers) {
    if (!(isObject(value) && isObject(merged))) {
      merged = value;
      continue;
    }
    const setsInterval = 'intervalMinutes' in value;
    const setsCron = isObject(value.schedule) && 'cron' in value.schedule;
    if (setsInterval && !setsCron) drop(merged, sources, 'schedule');
    if (setsCron && !setsInterval) drop(merged, sources, 'intervalMinutes');
    mergeInto(merged, value, [], source, sources);
  }
  if (isObject(merged) && isObject(merged.schedule) && !('cron' in merged.schedule)) {
    const own = [...sources].some(
      ([path, s]) => path.startsWith('schedule.') && s.layer === ConfigLayer.APPLICATION,
    );
    if (!own) drop(merged, sources, 'schedule');
  }
  return { value: merged, sources };
}

function mergeInto(
  target: Json,
  value: Json,
  path: readonly string[],
  source: FieldSource,
  sources: Map<string, FieldSource>,
): void {
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key];
    const name = fieldPath(childPath);
    const current = target[key];
    if (isObject(child)) {
      if (!isObject(current)) {
        forget(sources, name);
        target[key] = {};
      }
      mergeInto(target[key] as Json, child, childPath, source, sources);
    } else {
      forget(sources, name);
      target[key] = child;
      sources.set(name, source);
    }
  }
}

function drop(merged: Json, sources: Map<string, FieldSource>, key: string): void {
  delete merged[key];
  forget(sources, key);
}

/** Forgets the sources of a field and everything under it: a new value replaces it whole. */
function forget(sources: Map<string, FieldSource>, name: string): void {
  for (const path of [...sources.keys()]) {
    if (path === name || path.startsWith(`${name}.`) || path.startsWith(`${name}[`)) sources.delete(path);
  }
}

/** The source of a field: its own, or that of the value it is part of (an array set whole), or built-in. */
export function sourceOf(sources: ReadonlyMap<string, FieldSource>, field: string): FieldSource {
  let name = field;
  for (;;) {
    const found = sources.get(name);
    if (found !== undefined) return found;
    const parent = name.replace(/(?:\.[^.[\]]*|\[\d+\])$/, '');
    if (parent === name) return BUILT_IN;
    name = parent;
  }
}

/** Where every leaf of an effective document came from, by dotted path. */
export function provenanceOf(document: Json, sources: ReadonlyMap<string, FieldSource>): Provenance {
  const out: Record<string, FieldSource> = {};
  const walk = (value: unknown, path: readonly string[]) => {
    if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
    } else {
      const name = fieldPath(path);
      out[name] = sourceOf(sources, name);
    }
  };
  walk(document, []);
  return out;
}

/** `the stage defaults /flink-snapshots/prod/defaults`, `tenant payments's registry entry /…/tenants/payments`. */
export function describeLayer(source: FieldSource): string {
  return source.layer === ConfigLayer.STAGE
    ? `the stage defaults ${source.parameter}`
    : `the tenant's registry entry ${source.parameter}`;
}

/** Names an inherited field after its layer, so a team knows an administrator's value is the wrong one. */
export function attributeIssue(issue: FieldIssue, sources: ReadonlyMap<string, FieldSource>): FieldIssue {
  const source = sourceOf(sources, issue.field);
  if (source.layer !== ConfigLayer.STAGE && source.layer !== ConfigLayer.TENANT) return issue;
  return { ...issue, field: `${issue.field} (inherited from ${describeLayer(source)})` };
}

/** Sum of what a retention policy keeps at most: `count` plus every tier's count. */
export function retainedAtMost(retention: AppConfig['retention']): number {
  return Object.values(retention.tiers ?? {}).reduce((sum: number, n) => sum + (n ?? 0), retention.count);
}

/** Every cap of the stage and the tenant an effective configuration exceeds, naming the cap and where it is set. */
export function checkCaps(config: AppConfig, layers: readonly DefaultsLayer[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const layer of layers) {
    const caps = layer.caps ?? {};
    const where = describeLayer(layer);
    const kept = retainedAtMost(config.retention);
    if (caps.maxRetainedSnapshots !== undefined && kept > caps.maxRetainedSnapshots) {
      const tiers = kept - config.retention.count;
      issues.push({
        field: tiers === 0 ? 'retention.count' : 'retention.count + retention.tiers',
        kind: IssueKind.CONSTRAINT,
        value: tiers === 0 ? renderValue(kept) : `${config.retention.count} + ${tiers} = ${kept}`,
        expected: `at most ${caps.maxRetainedSnapshots} snapshots kept per application, retention.count plus every tier's count (cap maxRetainedSnapshots in ${where})`,
      });
    }
    const least = caps.minIntervalMinutes;
    if (least === undefined) continue;
    const cap = `cap minIntervalMinutes in ${where}`;
    if (config.schedule !== undefined) {
      const gap = cronShortestGapMinutes(config.schedule.cron);
      if (gap < least) {
        issues.push({
          field: 'schedule.cron',
          kind: IssueKind.CONSTRAINT,
          value: renderValue(config.schedule.cron),
          expected: `a cron expression whose runs are at least ${least} minutes apart (${cap}); it runs ${gap} minutes apart`,
        });
      }
    } else if ((config.intervalMinutes as number) < least) {
      issues.push({
        field: 'intervalMinutes',
        kind: IssueKind.CONSTRAINT,
        value: renderValue(config.intervalMinutes),
        expected: `an interval of at least ${least} minutes (${cap})`,
      });
    }
  }
  return issues;
}
