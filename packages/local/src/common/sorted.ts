/** Binary searches over sorted arrays (parameter names, application names, snapshots in creation order). */

/** Orders an item of the array against a key: negative, zero or positive. */
export type Compare<T, K> = (item: T, key: K) => number;

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** First index whose value is >= `key` (strings by code unit, unless `compare` says otherwise). */
export function lowerBound(sorted: readonly string[], key: string): number;
export function lowerBound<T, K>(sorted: readonly T[], key: K, compare: Compare<T, K>): number;
export function lowerBound<T, K>(sorted: readonly T[], key: K, compare?: Compare<T, K>): number {
  return firstIndex(sorted, key, compare, (order) => order >= 0);
}

/** First index whose value is > `key` (strings by code unit, unless `compare` says otherwise). */
export function upperBound(sorted: readonly string[], key: string): number;
export function upperBound<T, K>(sorted: readonly T[], key: K, compare: Compare<T, K>): number;
export function upperBound<T, K>(sorted: readonly T[], key: K, compare?: Compare<T, K>): number {
  return firstIndex(sorted, key, compare, (order) => order > 0);
}

/** First index whose item's order against `key` passes `past` (false before, true from there on). */
function firstIndex<T, K>(
  sorted: readonly T[],
  key: K,
  compare: Compare<T, K> = byCodeUnit as unknown as Compare<T, K>,
  past: (order: number) => boolean,
): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (past(compare(sorted[mid] as T, key))) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
