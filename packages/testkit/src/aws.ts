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
