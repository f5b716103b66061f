/**
 * The HTTP front door: one port for every service. Routes by `X-Amz-Target` (JSON protocols) or by
 * `Action` and the credential scope's service (query protocols), refuses unauthenticated calls as AWS
 * does, counts every call, applies front-door faults (throttle, 5xx, latency) and renders each
 * protocol's success and error shapes. A service only ever sees parsed input.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { ControlPlane } from '../control/control-plane';
import type { Counters } from '../control/counters';
import type { Faults } from '../control/faults';
import { protocolErrors } from './errors';
import { jsonDialect, parseJsonInput, sendJson, sendJsonError, type Throttle } from './json';
import { queryThrottle, readQueryParams, sendQuery, sendQueryError } from './query';
import { AwsError, type JsonService, type QueryService, type ServiceContext } from './service';

/** Bodies above this are refused with 413 before a service sees them (SQS and SNS cap messages at 1 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;

/** A JSON service the front door hands raw requests to (dynalite), after routing, counting and faults. */
export interface PassThroughService {
  readonly signingName: string;
  readonly targetPrefix: string;
  /** Operations answered by `json.handle` instead of being passed through. */
  readonly handledOperations: ReadonlySet<string>;
  readonly json: JsonService;
  passThrough(req: IncomingMessage, res: ServerResponse): void;
}

export interface FrontDoorOptions {
  readonly context: ServiceContext;
  readonly json: readonly JsonService[];
  readonly query: readonly QueryService[];
  readonly passThrough?: readonly PassThroughService[];
  readonly counters: Counters;
  readonly faults: Faults;
  readonly control?: ControlPlane;
  readonly maxBodyBytes?: number;
  /** Where unexpected service failures are reported; they become 500 InternalFailure. */
  readonly log?: (message: string, details: Record<string, unknown>) => void;
}

interface Credential {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/sqs/aws4_request, …` or a presigned query. */
export function parseCredential(req: IncomingMessage, url: () => URL): Credential | undefined {
  const header = req.headers.authorization;
  let scope: string | undefined;
  if (header !== undefined) {
    scope = /Credential=([^,\s]+)/.exec(header)?.[1];
    if (scope === undefined) return { accessKeyId: '', region: '', service: '' };
  } else {
    const presigned = url().searchParams.get('X-Amz-Credential');
    if (presigned === null) return undefined;
    scope = presigned;
  }
  const [accessKeyId = '', , region = '', service = ''] = scope.split('/');
  return { accessKeyId, region, service };
}

class BodyTooLargeError extends Error {}

/** Builds the request listener; the server is created and listened on by `startLocalAws`. */
export function createFrontDoor(options: FrontDoorOptions): RequestListener {
  const jsonByPrefix = new Map<string, JsonService>();
  for (const service of options.json) jsonByPrefix.set(service.targetPrefix, service);
  const passThroughByPrefix = new Map<string, PassThroughService>();
  for (const service of options.passThrough ?? []) passThroughByPrefix.set(service.targetPrefix, service);
  const queryByName = new Map<string, QueryService>();
  for (const service of options.query) queryByName.set(service.signingName, service);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log =
    options.log ?? ((message, details) => console.error(`[local-aws] ${message}`, JSON.stringify(details)));
  const { context, counters, faults } = options;

  function readBody(req: IncomingMessage): Promise<Buffer> {
    const declared = Number(req.headers['content-length']);
    if (declared > maxBodyBytes) return Promise.reject(new BodyTooLargeError());
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) {
          req.off('data', onData);
          req.resume();
          reject(new BodyTooLargeError());
          return;
        }
        chunks.push(chunk);
      };
      req.on('data', onData);
      req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
      req.once('error', reject);
    });
  }

  /** Latency, then throttling, then server errors: the faults every service gets at the front door. */
  async function frontDoorFaults(
    service: string,
    operation: string,
    application: string | undefined,
    throttle: Throttle,
  ): Promise<void> {
    const query = { service, operation, application };
    const slow = faults.fire('latency', query);
    if (slow !== undefined && slow.latencyMs > 0) await delay(slow.latencyMs);
    if (faults.fire('throttle', query) !== undefined) {
      throw protocolErrors.throttled(throttle.code, throttle.status);
    }
    if (faults.fire('server-error', query) !== undefined) {
      throw protocolErrors.internalFailure(service);
    }
  }

  /**
   * The context of one request: its signal aborts, and its undo callbacks run, when the connection
   * closes before the answer is fully written (a client that gave up on a long poll).
   */
  function requestContext(res: ServerResponse, credential: Credential): ServiceContext {
    const controller = new AbortController();
    let undos: (() => void)[] = [];
    res.once('close', () => {
      if (res.writableFinished) return;
      controller.abort();
      const pending = undos;
      undos = [];
      for (const undo of pending) undo();
    });
    return {
      ...context,
      ...(credential.accessKeyId === '' ? {} : { callerAccessKeyId: credential.accessKeyId }),
      signal: controller.signal,
      onUndelivered: (undo) => {
        if (controller.signal.aborted) undo();
        else undos.push(undo);
      },
    };
  }

  function unexpected(error: unknown, service: string, operation: string): AwsError {
    if (error instanceof AwsError) return error;
    log('service failed', {
      service,
      operation,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return protocolErrors.internalFailure(service);
  }

  async function serveJson(
    req: IncomingMessage,
    res: ServerResponse,
    url: () => URL,
    target: string,
  ): Promise<void> {
    const dot = target.lastIndexOf('.');
    const prefix = dot === -1 ? target : target.slice(0, dot);
    const operation = dot === -1 ? '' : target.slice(dot + 1);
    const dialect = jsonDialect(prefix);
    const passThrough = passThroughByPrefix.get(prefix);
    const service = passThrough?.json ?? jsonByPrefix.get(prefix);
    const signingName = service?.signingName ?? 'unknown';
    const fail = (error: AwsError) => sendJsonError(res, dialect, error);

    const credential = parseCredential(req, url);
    if (credential === undefined) return fail(protocolErrors.missingAuthentication());
    if (service === undefined || operation === '') {
      req.resume();
      return fail(protocolErrors.unknownTarget(target));
    }
    counters.increment(signingName, operation);

    if (passThrough !== undefined && !passThrough.handledOperations.has(operation)) {
      try {
        await frontDoorFaults(signingName, operation, undefined, dialect.throttle);
      } catch (error) {
        req.resume();
        return fail(unexpected(error, signingName, operation));
      }
      return passThrough.passThrough(req, res);
    }

    let input: Record<string, unknown>;
    try {
      input = parseJsonInput(await readBody(req));
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendTooLarge(res, (e) => fail(e));
      return fail(error instanceof AwsError ? error : protocolErrors.serialization(String(error)));
    }
    try {
      const application = typeof input.ApplicationName === 'string' ? input.ApplicationName : undefined;
      if (application !== undefined) counters.incrementApplication(application, signingName, operation);
      await frontDoorFaults(signingName, operation, application, dialect.throttle);
      const output = await service.handle(operation, input, requestContext(res, credential));
      sendJson(res, dialect, 200, output ?? {});
    } catch (error) {
      fail(unexpected(error, signingName, operation));
    }
  }

  async function serveQuery(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const credential = parseCredential(req, () => url);
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return sendTooLarge(res, (e) => sendQueryError(res, undefined, e));
      }
      throw error;
    }
    const params = readQueryParams(url, body);
    const action = params.Action;
    if (credential === undefined)
      return sendQueryError(res, undefined, protocolErrors.missingAuthentication());
    const service = queryByName.get(credential.service);
    if (service === undefined) {
      if (action === undefined && req.method === 'GET' && url.pathname === '/') {
        return sendText(res, 200, 'local-aws: POST AWS API requests here; see /_local/health\n');
      }
      return sendQueryError(
        res,
        undefined,
        protocolErrors.unknownQueryService(credential.service, [...queryByName.keys()]),
      );
    }
    if (action === undefined || action === '') {
      return sendQueryError(res, service, protocolErrors.missingAction());
    }
    // Older SDKs POST SQS actions to the queue URL itself instead of sending QueueUrl.
    if (params.QueueUrl === undefined && url.pathname !== '/' && service.signingName === 'sqs') {
      params.QueueUrl = `${context.baseUrl}${url.pathname}`;
    }
    counters.increment(service.signingName, action);
    try {
      await frontDoorFaults(
        service.signingName,
        action,
        params.ApplicationName,
        queryThrottle(service.signingName),
      );
      const result = await service.handleQuery(action, params, requestContext(res, credential));
      sendQuery(res, service, action, result.resultXml);
    } catch (error) {
      sendQueryError(res, service, unexpected(error, service.signingName, action));
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    const url = () => new URL(path, 'http://local');
    if (path === '/_local' || path.startsWith('/_local/') || path.startsWith('/_local?')) {
      if (options.control === undefined) return sendText(res, 404, 'no control plane\n');
      return options.control(req, res, url());
    }
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target !== '') return serveJson(req, res, url, target);
    return serveQuery(req, res, url());
  }

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      log('request failed', { url: req.url, error: error instanceof Error ? error.stack : String(error) });
      if (!res.headersSent) sendText(res, 500, 'internal error\n');
      else res.destroy();
    });
  };
}

function sendTooLarge(res: ServerResponse, render: (error: AwsError) => void): void {
  // The client may still be writing the body: answer, then close rather than read the rest.
  res.setHeader('Connection', 'close');
  render(protocolErrors.tooLarge());
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
