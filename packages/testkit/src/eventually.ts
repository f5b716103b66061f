/** Waiting for a condition the way tests here must: by polling it, with a bound, never by sleeping. */

export interface EventuallyOptions {
  /** Real milliseconds before giving up; default 10 000. */
  readonly timeoutMs?: number;
  /** Real milliseconds between reads; default 0 (the next turn of the event loop). */
  readonly intervalMs?: number;
  /** What is being waited for, for the error message. */
  readonly what?: string;
}

/** Reads until `done` holds of the value, and returns it; throws naming the condition and the last value. */
export async function eventually<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  options: EventuallyOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = performance.now() + timeoutMs;
  let reads = 1;
  let value = await read();
  while (!done(value)) {
    if (performance.now() > deadline) {
      const what = options.what === undefined ? 'condition' : JSON.stringify(options.what);
      throw new Error(
        `${what} not met after ${reads} reads in ${timeoutMs} ms; last value ${describe(value)}`,
      );
    }
    await new Promise((resolve) =>
      options.intervalMs ? setTimeout(resolve, options.intervalMs) : setImmediate(resolve),
    );
    value = await read();
    reads++;
  }
  return value;
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 2_000) ?? String(value);
  } catch {
    return String(value);
  }
}
