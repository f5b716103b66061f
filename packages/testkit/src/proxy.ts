/**
 * A loopback proxy in front of an AWS endpoint that makes chosen SendMessageBatch entries fail on SQS's
 * side (SenderFault false), which the local SQS never does by itself.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface BatchEntry {
  readonly Id: string;
}

export interface FlakyBatchProxy {
  readonly url: string;
  /** Entry ids of every SendMessageBatch request that went through, in order. */
  readonly batches: string[][];
  stop(): Promise<void>;
}

/**
 * Forwards everything to `target`; for SendMessageBatch (AWS JSON), entries whose id `fails(id, call)`
 * accepts (call counts from 1) are taken out of the request and reported back as failed with
 * SenderFault false and `code`, as SQS does when it fails an entry on its side.
 */
export async function startFlakyBatchProxy(
  target: string,
  fails: (id: string, call: number) => boolean,
  code = 'InternalError',
): Promise<FlakyBatchProxy> {
  const batches: string[][] = [];
  let calls = 0;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    let failed: { Id: string; SenderFault: false; Code: string; Message: string }[] = [];
    if (req.headers['x-amz-target'] === 'AmazonSQS.SendMessageBatch') {
      const call = ++calls;
      const input = JSON.parse(body.toString('utf8')) as { Entries: BatchEntry[] };
      batches.push(input.Entries.map((entry) => entry.Id));
      const kept = input.Entries.filter((entry) => !fails(entry.Id, call));
      failed = input.Entries.filter((entry) => fails(entry.Id, call)).map((entry) => ({
        Id: entry.Id,
        SenderFault: false,
        Code: code,
        Message: `entry ${entry.Id} failed on the service side (test proxy)`,
      }));
      if (kept.length === 0) {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ Successful: [], Failed: failed }));
        return;
      }
      body = Buffer.from(JSON.stringify({ ...input, Entries: kept }));
    }
    const upstream = request(
      new URL(req.url ?? '/', target),
      {
        method: req.method,
        headers: { ...req.headers, 'content-length': String(body.length) },
      },
      async (answer) => {
        const parts: Buffer[] = [];
        for await (const part of answer) parts.push(part as Buffer);
        let text = Buffer.concat(parts).toString('utf8');
        if (failed.length > 0 && answer.statusCode === 200) {
          const output = JSON.parse(text) as { Successful?: unknown[]; Failed?: unknown[] };
          text = JSON.stringify({ ...output, Failed: [...(output.Failed ?? []), ...failed] });
        }
        const { 'transfer-encoding': _chunked, ...headers } = answer.headers;
        headers['content-length'] = String(Buffer.byteLength(text));
        res.writeHead(answer.statusCode ?? 500, headers);
        res.end(text);
      },
    );
    upstream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    batches,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
