/**
 * Time spent in AWS calls per SQS record: each record runs in its own async context, and a middleware on
 * every SDK client adds each call's duration (retries and their backoff included) to that context. The
 * worker logs it beside the record's own duration, so "the Lambda waits only on its API calls" is a
 * figure, not a belief.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CallTally {
  calls: number;
  ms: number;
}

const current = new AsyncLocalStorage<CallTally>();

/** Runs `fn`, adding the duration of every AWS call it makes to `tally` (kept when `fn` throws). */
export function tallyCalls<T>(tally: CallTally, fn: () => Promise<T>): Promise<T> {
  return current.run(tally, fn);
}

interface WithMiddleware {
  readonly middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
}

/** Adds the timing middleware to an SDK client, outermost, so a call's retries count as the call. */
export function timeCalls<C>(client: C): C {
  (client as unknown as WithMiddleware).middlewareStack.add(
    (next) => async (args) => {
      const tally = current.getStore();
      if (tally === undefined) return next(args);
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        tally.calls++;
        tally.ms += performance.now() - started;
      }
    },
    { step: 'initialize', name: 'flinkSnapshotsCallTiming', priority: 'high' },
  );
  return client;
}
