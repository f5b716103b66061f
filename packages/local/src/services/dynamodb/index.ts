/**
 * DynamoDB: dynalite (LevelDB in memory) mounted in-process behind the front door. dynalite lacks
 * UpdateTimeToLive and reports TTL as always disabled, so both TTL operations are answered here and the
 * settings remembered per table (a table recreated under the same name starts without TTL).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import dynalite from 'dynalite';
import { z } from 'zod';
import type { PassThroughService } from '../../protocol/front-door';
import { AwsError, type JsonService } from '../../protocol/service';

const TARGET_PREFIX = 'DynamoDB_20120810';

const TableNameSchema = z
  .string()
  .min(3)
  .max(255)
  .regex(/^[a-zA-Z0-9_.-]+$/);
const DescribeTimeToLiveSchema = z.object({ TableName: TableNameSchema });
const UpdateTimeToLiveSchema = z.object({
  TableName: TableNameSchema,
  TimeToLiveSpecification: z.object({ Enabled: z.boolean(), AttributeName: z.string().min(1).max(255) }),
});

interface TtlSetting {
  readonly attributeName: string;
  /** Identifies the table generation the setting belongs to. */
  readonly tableCreatedAt: number;
}

export class DynamoDbService implements JsonService, PassThroughService {
  readonly signingName = 'dynamodb';
  readonly targetPrefix = TARGET_PREFIX;
  readonly handledOperations: ReadonlySet<string> = new Set(['UpdateTimeToLive', 'DescribeTimeToLive']);
  readonly json: JsonService = this;
  readonly #listener: RequestListener;
  readonly #ttl = new Map<string, TtlSetting>();

  constructor() {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const listener = server.listeners('request')[0];
    if (typeof listener !== 'function') throw new Error('dynalite exposes no request listener');
    this.#listener = listener as RequestListener;
  }

  passThrough(req: IncomingMessage, res: ServerResponse): void {
    this.#listener(req, res);
    // dynalite rethrows request stream errors (a client that hangs up mid-body); that must not crash us.
    req.removeAllListeners('error');
    req.on('error', () => {});
  }

  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    if (operation === 'DescribeTimeToLive') {
      const { TableName } = parse(DescribeTimeToLiveSchema, input);
      const setting = await this.#currentSetting(TableName);
      return {
        TimeToLiveDescription:
          setting === undefined
            ? { TimeToLiveStatus: 'DISABLED' }
            : { TimeToLiveStatus: 'ENABLED', AttributeName: setting.attributeName },
      };
    }
    if (operation === 'UpdateTimeToLive') {
      const { TableName, TimeToLiveSpecification: spec } = parse(UpdateTimeToLiveSchema, input);
      const setting = await this.#currentSetting(TableName);
      if (spec.Enabled) {
        if (setting !== undefined) throw new AwsError('ValidationException', 'TimeToLive is already enabled');
        this.#ttl.set(TableName, {
          attributeName: spec.AttributeName,
          tableCreatedAt: await this.#tableCreatedAt(TableName),
        });
      } else {
        if (setting === undefined)
          throw new AwsError('ValidationException', 'TimeToLive is already disabled');
        if (setting.attributeName !== spec.AttributeName) {
          throw new AwsError(
            'ValidationException',
            `TimeToLive is enabled on attribute '${setting.attributeName}', got '${spec.AttributeName}' to disable`,
          );
        }
        this.#ttl.delete(TableName);
      }
      return { TimeToLiveSpecification: spec };
    }
    throw new AwsError('UnknownOperationException', `Unknown operation ${operation}`);
  }

  async #currentSetting(tableName: string): Promise<TtlSetting | undefined> {
    const createdAt = await this.#tableCreatedAt(tableName);
    const setting = this.#ttl.get(tableName);
    if (setting !== undefined && setting.tableCreatedAt !== createdAt) {
      this.#ttl.delete(tableName);
      return undefined;
    }
    return setting;
  }

  async #tableCreatedAt(tableName: string): Promise<number> {
    const { status, body } = await this.#call('DescribeTable', { TableName: tableName });
    const parsed = JSON.parse(body) as {
      Table?: { CreationDateTime?: number };
      __type?: string;
      message?: string;
    };
    if (status !== 200) {
      const code = parsed.__type?.split('#').pop() ?? 'InternalFailure';
      throw new AwsError(
        code,
        parsed.message ?? `Requested resource not found: Table: ${tableName} not found`,
        status,
      );
    }
    return parsed.Table?.CreationDateTime ?? 0;
  }

  /** One call into dynalite without HTTP, for the TTL operations' own table lookups. */
  #call(operation: string, input: unknown): Promise<{ status: number; body: string }> {
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
      this.#listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
    });
  }
}

function parse<T>(schema: z.ZodType<T>, input: Record<string, unknown>): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map(
    (issue) => `Value at '${issue.path.join('.')}' failed to satisfy constraint: ${issue.message}`,
  );
  throw new AwsError(
    'ValidationException',
    `${issues.length} validation error${issues.length === 1 ? '' : 's'} detected: ${issues.join('; ')}`,
  );
}
