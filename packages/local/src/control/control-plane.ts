/**
 * The control plane under `/_local`: health, call counters, fault rules, the simulated clock, the seed,
 * what SNS published, and STS's sessions and the roles that require an ExternalId. Plain JSON over HTTP, no authentication, so curl and other processes (the
 * local runtime, benchmarks) can drive it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { SimClock } from '../common/clock';
import type { Counters } from './counters';
import type { Faults } from './faults';

export interface PublishedMessageLog {
  messages(topicArn?: string): readonly unknown[];
  clearMessages(): void;
}

export interface StsControl {
  sessions(): readonly unknown[];
  roles(): readonly unknown[];
  /** Throws naming the bad argument. */
  requireExternalId(roleArn: string, externalId: string): unknown;
}

/** Serves `/_local/...`; the front door hands it every request under that path, unauthenticated. */
export type ControlPlane = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export interface ControlPlaneOptions {
  readonly clock: SimClock;
  readonly faults: Faults;
  readonly counters: Counters;
  readonly sns: PublishedMessageLog;
  readonly sts: StsControl;
  seed(): number;
  reseed(seed: number): void;
}

const SeedSchema = z.strictObject({
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
});
const RoleRequirementSchema = z.strictObject({ roleArn: z.string(), externalId: z.string() });
const MAX_CONTROL_BODY_BYTES = 64 * 1024;

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createControlPlane(options: ControlPlaneOptions): ControlPlane {
  const { clock, faults, counters, sns, sts } = options;
  const started = Date.now();

  async function route(req: IncomingMessage, url: URL): Promise<{ status: number; body?: unknown }> {
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    const is = (m: string, p: string) => method === m && path === p;

    if (is('GET', '/_local/health') || is('GET', '/_local')) {
      return {
        status: 200,
        body: {
          status: 'ok',
          uptimeSeconds: Math.round((Date.now() - started) / 1000),
          services: ['sqs', 'sns', 'ssm', 'sts', 'kinesisanalytics', 'dynamodb'],
          seed: options.seed(),
          timeScale: clock.timeScale,
        },
      };
    }
    if (is('GET', '/_local/counters')) return { status: 200, body: countersBody(counters) };
    if (is('DELETE', '/_local/counters') || is('POST', '/_local/counters/reset')) {
      const before = countersBody(counters);
      counters.reset();
      return { status: 200, body: before };
    }
    if (is('GET', '/_local/faults')) return { status: 200, body: { faults: faults.list() } };
    if (is('POST', '/_local/faults')) {
      const input = await readJson(req);
      const rules = Array.isArray(input) ? input : [input];
      try {
        const added = rules.map((rule) => faults.add(rule));
        return { status: 201, body: Array.isArray(input) ? { faults: added } : added[0] };
      } catch (error) {
        throw new ControlError(400, `invalid fault rule: ${describeError(error)}`);
      }
    }
    if (is('DELETE', '/_local/faults')) {
      const removed = faults.list().length;
      faults.clear();
      return { status: 200, body: { removed } };
    }
    if (method === 'DELETE' && path.startsWith('/_local/faults/')) {
      const id = decodeURIComponent(path.slice('/_local/faults/'.length));
      if (!faults.remove(id)) {
        throw new ControlError(
          404,
          `no fault rule with id '${id}'; rules in force: ${
            faults
              .list()
              .map((r) => r.id)
              .join(', ') || 'none'
          }`,
        );
      }
      return { status: 204 };
    }
    if (is('GET', '/_local/clock')) return { status: 200, body: { ...clock.describe(), now: clock.now() } };
    if (is('GET', '/_local/seed')) return { status: 200, body: { seed: options.seed() } };
    if (is('POST', '/_local/seed') || is('PUT', '/_local/seed')) {
      const parsed = SeedSchema.safeParse(await readJson(req));
      if (!parsed.success) {
        throw new ControlError(400, `expected {"seed": <integer 0..4294967295>}: ${parsed.error.message}`);
      }
      options.reseed(parsed.data.seed);
      return { status: 200, body: { seed: parsed.data.seed } };
    }
    if (is('GET', '/_local/sns/messages')) {
      const topicArn = url.searchParams.get('topicArn') ?? undefined;
      return { status: 200, body: { messages: sns.messages(topicArn) } };
    }
    if (is('DELETE', '/_local/sns/messages')) {
      sns.clearMessages();
      return { status: 204 };
    }
    if (is('GET', '/_local/sts/sessions')) return { status: 200, body: { sessions: sts.sessions() } };
    if (is('GET', '/_local/sts/roles')) return { status: 200, body: { roles: sts.roles() } };
    if (is('POST', '/_local/sts/roles')) {
      const parsed = RoleRequirementSchema.safeParse(await readJson(req));
      if (!parsed.success) {
        throw new ControlError(400, `expected {"roleArn": "<role ARN>", "externalId": "<ExternalId>"}`);
      }
      try {
        return { status: 201, body: sts.requireExternalId(parsed.data.roleArn, parsed.data.externalId) };
      } catch (error) {
        throw new ControlError(400, describeError(error));
      }
    }
    throw new ControlError(
      404,
      `no control endpoint ${method} ${url.pathname}; see GET /_local/health, /_local/counters, /_local/faults, /_local/clock, /_local/seed, /_local/sns/messages, /_local/sts/sessions, /_local/sts/roles`,
    );
  }

  return async (req, res, url) => {
    try {
      const { status, body } = await route(req, url);
      send(res, status, body);
    } catch (error) {
      if (error instanceof ControlError) send(res, error.status, { error: error.message });
      else send(res, 500, { error: describeError(error) });
    }
  };
}

function countersBody(counters: Counters) {
  return { total: counters.total(), services: counters.snapshot(), applications: counters.applications() };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_CONTROL_BODY_BYTES)
      throw new ControlError(413, `body over ${MAX_CONTROL_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text === '' ? '{}' : text);
  } catch (error) {
    throw new ControlError(400, `body is not valid JSON (${describeError(error)}): ${text.slice(0, 200)}`);
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
