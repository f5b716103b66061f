/**
 * The query protocol (SQS, SNS, STS): form parameters in, XML out. Also the one reader of its flattened
 * lists and structures (`Foo.member.N.Bar`, `Foo.N`, `Attributes.entry.N.key`): `readQueryTree` turns
 * the parameters into nested values, numbered branches into lists, for every query service alike.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Throttle } from './json';
import type { AwsError, QueryService } from './service';
import { escapeXml } from './xml';

/** Throttling as each query service words it (SNS's maps to ThrottledException in the SDK). */
const QUERY_THROTTLES: Readonly<Record<string, Throttle>> = {
  sqs: { code: 'RequestThrottled', status: 403 },
  sns: { code: 'Throttled', status: 429 },
  sts: { code: 'Throttling', status: 400 },
};

/** How the query service with signing name `signingName` words throttling. */
export function queryThrottle(signingName: string): Throttle {
  return QUERY_THROTTLES[signingName] ?? { code: 'Throttling', status: 400 };
}

/** The parameters of a query request: those of the URL, then those of a form-encoded body. */
export function readQueryParams(url: URL, body: Buffer): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) params[key] = value;
  if (body.length > 0) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params[key] = value;
  }
  return params;
}

export type QueryTree = { [key: string]: QueryValue };
export type QueryValue = string | number | QueryTree | QueryValue[];

/**
 * `A.1.B=x` becomes `{ A: [{ B: 'x' }] }`: a branch whose keys are all numbers becomes a list in index
 * order. `leaf` may turn a value into another (SQS reads its integer members as numbers); it gets the
 * dotted path of the value.
 */
export function readQueryTree(
  params: Readonly<Record<string, string>>,
  leaf: (path: string, text: string) => QueryValue = (_path, text) => text,
): QueryTree {
  const root = new Map<string, unknown>();
  for (const [key, value] of Object.entries(params)) {
    const parts = key.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] as string;
      let child = node.get(part);
      if (!(child instanceof Map)) {
        child = new Map<string, unknown>();
        node.set(part, child);
      }
      node = child as Map<string, unknown>;
    }
    const last = parts[parts.length - 1] as string;
    if (!(node.get(last) instanceof Map)) node.set(last, value);
  }
  return toTree(root, '', leaf) as QueryTree;
}

function toTree(node: unknown, path: string, leaf: (path: string, text: string) => QueryValue): QueryValue {
  if (!(node instanceof Map)) return leaf(path, node as string);
  const keys = [...node.keys()] as string[];
  const child = (k: string) => toTree(node.get(k), path === '' ? k : `${path}.${k}`, leaf);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map(child);
  }
  return Object.fromEntries(keys.map((k) => [k, child(k)]));
}

/** Whether a value of the tree is a structure (not a list or a leaf). */
export function isQueryTree(value: QueryValue | undefined): value is QueryTree {
  return typeof value === 'object' && !Array.isArray(value);
}

/** A flattened list (`Foo.N`, or the `member` / `entry` branch of `Foo.member.N`) as a list; one item stands for itself. */
export function queryList(value: QueryValue | undefined): QueryValue[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

/**
 * The items of a `Foo.member.N` list (`Tags.member.1.Key`): the tree's `member` branch as a list. The
 * SDKs send an empty list as `Foo=`, which reads as absent; anything else is left for the schema to refuse.
 */
export function queryMembers(value: QueryValue | undefined): QueryValue | undefined {
  if (value === '') return undefined;
  if (isQueryTree(value) && value.member !== undefined) return queryList(value.member);
  return value;
}

/**
 * An optional list or structure of a query input, as a zod schema over the tree: the SDKs send an
 * empty list as `Foo=` (an empty value), which reads as the member being absent.
 */
export function optionalQueryMember<S extends z.ZodType>(schema: S) {
  return z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
}

/** Writes a query answer: `<{Action}Response><{Action}Result>…` unless the action answers no result. */
export function sendQuery(
  res: ServerResponse,
  service: QueryService,
  action: string,
  resultXml: string | undefined,
): void {
  const result = resultXml === undefined ? '' : `<${action}Result>${resultXml}</${action}Result>`;
  sendXml(
    res,
    200,
    `<?xml version="1.0"?>\n<${action}Response xmlns="${service.xmlns}">${result}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
  );
}

/** Writes an AwsError as `<ErrorResponse><Error><Type/><Code/><Message/></Error>…` (the query code where it differs). */
export function sendQueryError(
  res: ServerResponse,
  service: QueryService | undefined,
  error: AwsError,
): void {
  const xmlns = service === undefined ? '' : ` xmlns="${service.xmlns}"`;
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  const code = error.queryCode ?? error.code;
  sendXml(
    res,
    error.status,
    `<?xml version="1.0"?>\n<ErrorResponse${xmlns}><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(error.message)}</Message><Detail/></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

function sendXml(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(xml),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(xml);
}
