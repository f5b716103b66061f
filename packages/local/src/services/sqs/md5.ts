/**
 * The digests SQS returns so clients can check what it stored: MD5 of the body, and MD5 of the message
 * (system) attributes by the algorithm of the SQS developer guide ("Calculating the MD5 message digest
 * for message attributes"): attributes sorted by name; per attribute the 4-byte big-endian length and
 * UTF-8 bytes of the name, the same for the data type, one transport byte (1 String/Number, 2 Binary),
 * then the 4-byte length and bytes of the value.
 */
import { createHash } from 'node:crypto';

/** A message attribute as both protocols carry it; BinaryValue is base64. */
export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

/** MD5OfMessageBody: the hex MD5 of the body's UTF-8 bytes. */
export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

const STRING_TRANSPORT = 1;
const BINARY_TRANSPORT = 2;

/** MD5OfMessageAttributes (or MD5OfMessageSystemAttributes) of a set of attributes; undefined when empty. */
export function md5OfAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>>,
): string | undefined {
  const names = Object.keys(attributes);
  if (names.length === 0) return undefined;
  names.sort(compareCodeUnits);
  const hash = createHash('md5');
  for (const name of names) {
    const value = attributes[name] as MessageAttributeValue;
    writeLengthPrefixed(hash, Buffer.from(name, 'utf8'));
    writeLengthPrefixed(hash, Buffer.from(value.DataType, 'utf8'));
    if (value.DataType.startsWith('Binary')) {
      hash.update(Uint8Array.of(BINARY_TRANSPORT));
      writeLengthPrefixed(hash, Buffer.from(value.BinaryValue ?? '', 'base64'));
    } else {
      hash.update(Uint8Array.of(STRING_TRANSPORT));
      writeLengthPrefixed(hash, Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

function writeLengthPrefixed(hash: ReturnType<typeof createHash>, bytes: Buffer): void {
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(bytes.length, 0);
  hash.update(length);
  hash.update(bytes);
}

/** Ascending order as the SDKs sort names (Java String.compareTo, Python sorted): by UTF-16 code unit. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
