/**
 * The AWS JSON protocols (1.0 and 1.1): reading a request body, and writing answers and errors the way
 * each JSON service words them, so the SDK raises its typed exceptions.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { protocolErrors } from './errors';
import type { AwsError } from './service';

type JsonVersion = '1.0' | '1.1';

/** An error code and HTTP status, as a service words throttling. */
export interface Throttle {
  readonly code: string;
  readonly status: number;
}

/** How each JSON service words its errors; SQS also sends the query-protocol code in a header. */
export interface JsonDialect {
  readonly version: JsonVersion;
  readonly typePrefix: string;
  readonly queryCompatible: boolean;
  readonly throttle: Throttle;
}

const JSON_DIALECTS: Readonly<Record<string, JsonDialect>> = {
  AmazonSQS: {
    version: '1.0',
    typePrefix: 'com.amazonaws.sqs#',
    queryCompatible: true,
    throttle: { code: 'RequestThrottled', status: 403 },
  },
  DynamoDB_20120810: {
    version: '1.0',
    typePrefix: 'com.amazonaws.dynamodb.v20120810#',
    queryCompatible: false,
    throttle: { code: 'ThrottlingException', status: 400 },
  },
};
const DEFAULT_JSON_DIALECT: JsonDialect = {
  version: '1.1',
  typePrefix: '',
  queryCompatible: false,
  throttle: { code: 'ThrottlingException', status: 400 },
};

/** The dialect of the service with X-Amz-Target prefix `targetPrefix` (JSON 1.1 unless listed). */
export function jsonDialect(targetPrefix: string): JsonDialect {
  return JSON_DIALECTS[targetPrefix] ?? DEFAULT_JSON_DIALECT;
}

/** Reads a request body as a JSON object (an empty body is `{}`); throws SerializationException otherwise. */
export function parseJsonInput(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw protocolErrors.serialization(
      `Request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw protocolErrors.serialization(
      `Request body must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : String(parsed)}`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** Writes a JSON answer in the dialect's content type. */
export function sendJson(res: ServerResponse, dialect: JsonDialect, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': `application/x-amz-json-${dialect.version}`,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(text);
}

/** Writes an AwsError as `{"__type", "message"}` with `x-amzn-ErrorType` (and SQS's query code). */
export function sendJsonError(res: ServerResponse, dialect: JsonDialect, error: AwsError): void {
  const headers: Record<string, string> = { 'x-amzn-ErrorType': error.code };
  if (dialect.queryCompatible) {
    headers['x-amzn-query-error'] =
      `${error.queryCode ?? error.code};${error.status >= 500 ? 'Receiver' : 'Sender'}`;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  sendJson(res, dialect, error.status, {
    __type: `${dialect.typePrefix}${error.code}`,
    message: error.message,
  });
}
