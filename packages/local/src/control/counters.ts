/** Calls counted by service (signing name) and operation, so benchmarks and tests can count API calls. */
export type CounterSnapshot = Record<string, Record<string, number>>;

export class Counters {
  readonly #byService = new Map<string, Map<string, number>>();
  /** Calls that named an MSF application (`ApplicationName`), by application then `service:Operation`. */
  readonly #byApplication = new Map<string, Map<string, number>>();

  increment(service: string, operation: string): void {
    let operations = this.#byService.get(service);
    if (operations === undefined) {
      operations = new Map();
      this.#byService.set(service, operations);
    }
    operations.set(operation, (operations.get(operation) ?? 0) + 1);
  }

  /** Attributes a call already counted to the MSF application it named, for per-application costs. */
  incrementApplication(application: string, service: string, operation: string): void {
    let operations = this.#byApplication.get(application);
    if (operations === undefined) {
      operations = new Map();
      this.#byApplication.set(application, operations);
    }
    const key = `${service}:${operation}`;
    operations.set(key, (operations.get(key) ?? 0) + 1);
  }

  /** Calls by MSF application, then `service:Operation`. */
  applications(): CounterSnapshot {
    const out: CounterSnapshot = {};
    for (const [application, operations] of this.#byApplication)
      out[application] = Object.fromEntries(operations);
    return out;
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
    this.#byApplication.clear();
  }
}
