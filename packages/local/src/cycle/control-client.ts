/** The local AWS's control plane over HTTP, for a cycle run against a server in another process. */

export interface CountersBody {
  readonly total: number;
  /** Calls by service, then operation. */
  readonly services: Record<string, Record<string, number>>;
  /** Calls that named an MSF application, by application, then `service:Operation`. */
  readonly applications?: Record<string, Record<string, number>>;
}

export interface ClockBody {
  readonly timeScale: number;
  readonly simStart: number;
  readonly realStart: number;
  readonly now: number;
}

export class LocalAwsControl {
  constructor(private readonly endpoint: string) {}

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.endpoint), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(
        `${method} ${path} on ${this.endpoint} answered ${response.status} ${text.slice(0, 200)}; expected the local AWS control plane (npm run local)`,
      );
    }
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  counters(): Promise<CountersBody> {
    return this.#call('GET', '/_local/counters');
  }

  async resetCounters(): Promise<void> {
    await this.#call('POST', '/_local/counters/reset');
  }

  clock(): Promise<ClockBody> {
    return this.#call('GET', '/_local/clock');
  }

  async addFault(rule: unknown): Promise<void> {
    await this.#call('POST', '/_local/faults', rule);
  }
}
