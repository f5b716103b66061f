/** How the runtime's own SDK clients reach the local AWS (or any endpoint that speaks the AWS protocols). */
import { DEFAULT_REGION } from '../local-aws';

export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface EndpointOptions {
  /**
   * `http://127.0.0.1:<port>`: the in-process local AWS's url, for every client. Absent: each client finds
   * its endpoint as the SDK does, from AWS_ENDPOINT_URL_<SERVICE> (AWS_ENDPOINT_URL_SQS, …), then
   * AWS_ENDPOINT_URL, so one service can be pointed elsewhere.
   */
  readonly endpoint?: string | undefined;
  /** Default us-east-1, the local AWS's region. */
  readonly region?: string;
  /** The local AWS checks no signature; default test credentials. */
  readonly credentials?: StaticCredentials;
}

/**
 * SDK client configuration for `options`: endpoint (when explicit), region, credentials, and ten
 * attempts, so the runtime's own calls (creating the stage's resources, polling the queue, reading the
 * runs) ride out a throttling fault meant for the handlers.
 */
export function clientConfig(options: EndpointOptions): {
  endpoint?: string;
  region: string;
  credentials: StaticCredentials;
  maxAttempts: number;
} {
  return {
    maxAttempts: 10,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    region: options.region ?? DEFAULT_REGION,
    credentials: options.credentials ?? { accessKeyId: 'test', secretAccessKey: 'test' },
  };
}
