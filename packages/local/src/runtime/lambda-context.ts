/**
 * What Lambda gives a handler besides its event: a `Context` (names, request id, memory, remaining time)
 * and a timeout. Handlers run in-process here. Their timeout and remaining time are real milliseconds:
 * what a handler spends is its own real work and API calls, which the simulated clock does not speed up.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The part of SimClock the runtime needs. */
export interface RuntimeClock {
  /** Simulated epoch milliseconds. */
  now(): number;
  /** Real milliseconds that a simulated duration takes. */
  toRealMs(simulatedMs: number): number;
}

/** One local Lambda function: what its Context reports and how long it may run. */
export interface LambdaFunction {
  readonly functionName: string;
  readonly region: string;
  readonly accountId: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

/** The Context of one invocation; getRemainingTimeInMillis() counts down in real milliseconds. */
export function createLambdaContext(
  fn: LambdaFunction,
  clock: RuntimeClock,
  awsRequestId: string = randomUUID(),
): Context {
  // Handler time is real time: the handler's own work and API calls are not simulated, so its timeout
  // and remaining time are not scaled (scaling them would make every API call look 1/timeScale slower).
  const deadline = performance.now() + fn.timeoutSeconds * 1000;
  const day = new Date(clock.now()).toISOString().slice(0, 10).replaceAll('-', '/');
  const callbackStyle = (name: string) => () => {
    throw new Error(
      `context.${name}() was called by ${fn.functionName}; the local runtime supports async handlers only: return (or throw from) the handler's promise instead`,
    );
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${fn.region}:${fn.accountId}:function:${fn.functionName}`,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId,
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, Math.floor(deadline - performance.now())),
    done: callbackStyle('done'),
    fail: callbackStyle('fail'),
    succeed: callbackStyle('succeed'),
  };
}

/** How an invocation ended: the handler's result, its error, or Lambda's timeout. */
export type InvocationOutcome =
  | { readonly kind: 'returned'; readonly result: unknown }
  | { readonly kind: 'threw'; readonly error: unknown }
  | { readonly kind: 'timed-out'; readonly error: Error; readonly settled: Promise<void> };

export interface InvocationTiming {
  /** Simulated epoch ms when the handler was called. */
  readonly startedAt: number;
  /** Real milliseconds until the handler settled or timed out (performance.now). */
  readonly durationMs: number;
}

/**
 * Calls `handler(event, context)` as Lambda would: the result goes through JSON (the handler gets its own
 * copy of the event and its answer is what Lambda would see), and a handler still running after the
 * function's timeout counts as failed. It cannot be killed in-process: `settled` tells when it stops.
 */
export async function invokeLambda<E>(
  handler: (event: E, context: Context) => unknown,
  event: E,
  fn: LambdaFunction,
  clock: RuntimeClock,
): Promise<InvocationOutcome & InvocationTiming & { readonly context: Context }> {
  const context = createLambdaContext(fn, clock);
  const startedAt = clock.now();
  const start = performance.now();
  const run = (async (): Promise<InvocationOutcome> => {
    try {
      const result = await handler(JSON.parse(JSON.stringify(event)) as E, context);
      // What Lambda's runtime would send back; an answer that is not JSON fails the invocation there too.
      return { kind: 'returned', result: result === undefined ? null : JSON.parse(JSON.stringify(result)) };
    } catch (error) {
      return { kind: 'threw', error };
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<InvocationOutcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          kind: 'timed-out',
          error: new Error(
            `${fn.functionName} ${context.awsRequestId}: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
          ),
          settled: run.then(() => undefined),
        }),
      fn.timeoutSeconds * 1000,
    );
  });
  const outcome = await Promise.race([run, timeout]);
  clearTimeout(timer);
  return { ...outcome, context, startedAt, durationMs: performance.now() - start };
}

/** `Name: message` of an error for invocation records; anything else thrown as JSON. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `non-Error thrown: ${JSON.stringify(error) ?? String(error)}`;
}
