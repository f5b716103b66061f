/** Calls counted by service (signing name) and operation, so benchmarks and tests can count API calls. */
export type CounterSnapshot = Record<string, Record<string, number>>;

export class Counters {
  readonly #byService = new Map<string, Map<string, number>>();

  increment(service: string, operation: string): void {
    let operations = this.#byService.get(service);
    if (operations === undefined) {
      operations = new Map();
      this.#byService.set(service, operations);
    }
    operations.set(operation, (operations.get(operation) ?? 0) + 1);
  }

  /** Calls of one operation (or of every operation of the service when `operation` is absent). */
  count(service: string, operation?: string): number {
    const operations = this.#byService.get(service);
    if (operations === undefined) return 0;
    if (operation !== undefined) return operations.get(operation) ?? 0;
    let total = 0;
    for (const n of operations.values()) total += n;
    return total;
  }

  total(): number {
    let total = 0;
    for (const service of this.#byService.keys()) total += this.count(service);
    return total;
  }

  snapshot(): CounterSnapshot {
    const out: CounterSnapshot = {};
    for (const [service, operations] of this.#byService) out[service] = Object.fromEntries(operations);
    return out;
  }

  reset(): void {
    this.#byService.clear();
  }
}
