/**
 * The one pagination-token codec of every service: a token is a cursor (any JSON value: the last name
 * returned, a `[createdAt, name]` pair, an offset) in base64url. Each service checks the cursor's shape
 * and words the error of a token it did not issue, as that service does.
 */
import type { AwsError } from './service';

/** The NextToken that resumes after `cursor`. */
export function encodePageToken(cursor: unknown): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** The cursor in a NextToken from `encodePageToken`; throws `invalid(token)` for any other token. */
export function decodePageToken<T>(
  token: string,
  isCursor: (value: unknown) => value is T,
  invalid: (token: string) => AwsError,
): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!isCursor(value)) throw invalid(token);
  return value;
}
