/**
 * The contract between the HTTP front door (front-door.ts: routing, protocols, counters, faults) and each
 * emulated service. A service sees parsed input and returns plain output; it never touches HTTP.
 */
import type { SimClock } from '../common/clock';
import type { Faults } from '../control/faults';

/** An error as AWS returns it: the code the SDK maps to a typed exception, a message, an HTTP status. */
export class AwsError extends Error {
  override readonly name = 'AwsError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Query-protocol code where it differs (SQS: AWS.SimpleQueueService.NonExistentQueue). */
    readonly queryCode?: string,
  ) {
    super(message);
  }
}

export interface ServiceContext {
  readonly clock: SimClock;
  readonly faults: Faults;
  /** Deterministic randomness from the server's seed. */
  readonly random: () => number;
  readonly region: string;
  readonly accountId: string;
  /** Scheme, host and port of this server, for URLs it hands out (SQS QueueUrl). */
  readonly baseUrl: string;
  /**
   * The access key id of the request's credential scope (`Credential=<id>/…`): any key is accepted, but
   * one STS issued names its session, whose tags a service may authorize by (Kinesis Analytics does).
   */
  readonly callerAccessKeyId?: string;
  /** Aborted when the client closes its connection before the answer is written (a long poll gives up). */
  readonly signal?: AbortSignal;
  /**
   * Registers what to undo if the answer cannot be delivered because the connection closed first
   * (SQS makes the messages of a lost ReceiveMessage visible again); runs at once if it already has.
   */
  readonly onUndelivered?: (undo: () => void) => void;
}

/** A service spoken in AWS JSON 1.0 / 1.1 (X-Amz-Target: `${targetPrefix}.${operation}`). */
export interface JsonService {
  /** Signing name in the credential scope (`ssm`, `kinesisanalytics`, `sqs`, …). */
  readonly signingName: string;
  /** X-Amz-Target prefix (`AmazonSSM`, `KinesisAnalytics_20180523`, `AmazonSQS`). */
  readonly targetPrefix: string;
  handle(operation: string, input: Record<string, unknown>, ctx: ServiceContext): Promise<unknown> | unknown;
}

/**
 * A service spoken in the query protocol (form-encoded `Action=…&Version=…`, XML answers). The server
 * wraps `resultXml` in `<{Action}Response xmlns><{Action}Result>…</{Action}Result><ResponseMetadata>…`
 * and renders an AwsError as `<ErrorResponse><Error><Type/><Code/><Message/></Error>…`.
 */
export interface QueryService {
  readonly signingName: string;
  /** API version, e.g. `2012-11-05` (SQS), `2010-03-31` (SNS), `2011-06-15` (STS). */
  readonly version: string;
  /** Namespace of the response document, e.g. `http://queue.amazonaws.com/doc/2012-11-05/`. */
  readonly xmlns: string;
  handleQuery(
    action: string,
    params: Readonly<Record<string, string>>,
    ctx: ServiceContext,
  ): Promise<QueryResult> | QueryResult;
}

export interface QueryResult {
  /**
   * Inner XML of the `<{Action}Result>` element; absent for actions that answer no result element.
   * An empty string still renders the element: botocore fails on a missing `<ReceiveMessageResult>`.
   */
  readonly resultXml?: string;
}

/** An STS session as a service that authorizes by session tags sees its caller. */
export interface CallerSession {
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  readonly arn: string;
  /** Session tags by key, case preserved (STS refuses two keys that differ only in case). */
  readonly tags: Readonly<Record<string, string>>;
}

/** The sessions STS issued, by the access key id of their credentials (STS's model answers it). */
export interface SessionDirectory {
  sessionOf(accessKeyId: string): CallerSession | undefined;
}

/** What each service class receives when the server builds it. */
export interface ServiceOptions {
  readonly clock: SimClock;
  readonly faults: Faults;
  readonly random: () => number;
}
