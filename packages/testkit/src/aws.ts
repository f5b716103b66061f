/** The local AWS for a test, and SDK clients pointed at it with test credentials. */
import { type LocalAws, type LocalAwsOptions, startLocalAws } from '@flink-snapshots/local';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** Anything with an endpoint URL that speaks the AWS protocols: the local AWS, moto, a proxy. */
export interface Endpoint {
  readonly url: string;
}

/** Starts the local AWS on a free port with a fixed seed and no log; options override. */
export function startLocal(options: LocalAwsOptions = {}): Promise<LocalAws> {
  return startLocalAws({ port: 0, seed: 42, log: () => {}, ...options });
}

/** Endpoint, region and test credentials of an SDK client; `maxAttempts` when the test needs one. */
export function clientConfig(endpoint: Endpoint | string, maxAttempts?: number) {
  return {
    endpoint: typeof endpoint === 'string' ? endpoint : endpoint.url,
    region: REGION,
    credentials: CREDENTIALS,
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  };
}

/**
 * An SDK v3 client of any service against `endpoint`: `sdkClient(SQSClient, local)`. `config` adds or
 * overrides settings (maxAttempts, a region of its own, credentials of an assumed role).
 */
export function sdkClient<C, Config extends object>(
  Client: new (config: Config) => C,
  endpoint: Endpoint | string,
  config: Partial<Config> = {},
): C {
  return new Client({ ...clientConfig(endpoint), ...config } as unknown as Config);
}

/** The part of an SDK v3 client's middleware stack `countCalls` uses. */
interface MiddlewareHost {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: never) => Promise<unknown>,
        context: { readonly commandName?: string },
      ) => (args: never) => Promise<unknown>,
      options: { readonly step: 'deserialize'; readonly name: string },
    ): void;
  };
}

export interface CallCounter {
  /** Requests sent for `operation` (e.g. `GetParametersByPath`) since the last reset. */
  count(operation: string): number;
  reset(): void;
}

const counters = new WeakMap<MiddlewareHost, CallCounter>();

/**
 * Counts the requests `client` sends from now on, by operation, on any target (the local AWS's
 * `/_local/counters` exist nowhere else). It sits in the deserialize step, inside the SDK's retry loop,
 * so each attempt counts, as a server would count it. Called again for the same client, it starts over.
 */
export function countCalls(client: MiddlewareHost): CallCounter {
  const existing = counters.get(client);
  if (existing !== undefined) {
    existing.reset();
    return existing;
  }
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      return next(args);
    },
    { step: 'deserialize', name: 'testkitCountCalls' },
  );
  const counter: CallCounter = {
    count: (operation) => counts.get(operation) ?? 0,
    reset: () => counts.clear(),
  };
  counters.set(client, counter);
  return counter;
}
