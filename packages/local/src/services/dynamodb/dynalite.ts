/**
 * dynalite (DynamoDB on LevelDB, in memory) mounted in-process: its request listener, which the front
 * door hands DynamoDB requests to, and one call into it without HTTP for the lookups made here.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import dynalite from 'dynalite';

export const TARGET_PREFIX = 'DynamoDB_20120810';

/** One in-memory dynalite, reached without a socket. */
export class Dynalite {
  readonly listener: RequestListener;

  constructor() {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const listener = server.listeners('request')[0];
    if (typeof listener !== 'function') throw new Error('dynalite exposes no request listener');
    this.listener = listener as RequestListener;
  }

  /** One call into dynalite, as a signed JSON request would make it; answers its status and body. */
  call(operation: string, input: unknown): Promise<{ status: number; body: string }> {
    return new Promise((resolve) => {
      const req = Object.assign(Readable.from([Buffer.from(JSON.stringify(input))]), {
        method: 'POST',
        url: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `${TARGET_PREFIX}.${operation}`,
          'x-amz-date': '20260101T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
      });
      const res = {
        statusCode: 200,
        contentType: '',
        setHeader() {},
        end(chunk?: string) {
          resolve({ status: this.statusCode, body: chunk ?? '' });
        },
      };
      this.listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
    });
  }
}
