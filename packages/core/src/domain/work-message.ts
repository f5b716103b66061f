/**
 * The one contract between dispatcher and worker: a versioned, discriminated union on `step`. Each
 * message carries the application's parsed configuration, so the worker reads no SSM. Also: packing
 * entries into SendMessageBatch requests within SQS's limits.
 */
import { z } from 'zod';
import { type AppConfig, AppConfigSchema, AppKeySchema, ApplicationNameSchema, TenantSchema } from './config';
import { InvalidMessageError } from './errors';
import { describeJsonError, type FieldIssue, IssueKind, issuesFromZod, renderValue } from './issues';
import { RunIdSchema, snapshotName } from './run-state';

export const WORK_MESSAGE_VERSION = 1;

export const WorkStep = { SNAPSHOT: 'snapshot', POLL: 'poll' } as const;

const count = (what: string) => z.int({ error: `${what}: an integer >= 0` }).min(0);

const common = {
  v: z.literal(WORK_MESSAGE_VERSION, {
    error: `${WORK_MESSAGE_VERSION}, the work message version this worker reads`,
  }),
  tenant: TenantSchema,
  /** MSF application name. */
  application: ApplicationNameSchema,
  /** `<tenant>/<app>` from the parameter name. */
  appKey: AppKeySchema,
  runId: RunIdSchema,
  /** Retries of this step so far (0 on the first try). */
  attempt: count('attempts so far'),
  /** Epoch ms by which the snapshot must be READY, or the run is TIMED_OUT. */
  deadline: count('a deadline in epoch milliseconds'),
  config: AppConfigSchema,
};

export const SnapshotStepMessageSchema = z.strictObject({
  step: z.literal(WorkStep.SNAPSHOT),
  ...common,
  /** Epoch ms until which an application on its way to RUNNING (STARTING, UPDATING, …) is waited for. */
  retryUntil: count('a time in epoch milliseconds').optional(),
  /** Epoch ms of the application's next slot: a run waiting for MSF's maintenance window to end stops there. */
  slotEndsAt: count('a time in epoch milliseconds').optional(),
  /** Times the step waited so far for the application to settle (STARTING, UPDATING, …). */
  waits: count('waits so far').optional(),
  /** Times the step waited so far for pruned snapshots to finish DELETING and free the quota. */
  quotaWaits: count('quota waits so far').optional(),
  /** The application's recent snapshot duration (ms): when to look at the new snapshot first. */
  expectedDurationMs: count('a duration in milliseconds').optional(),
});

export const PollStepMessageSchema = z.strictObject({
  step: z.literal(WorkStep.POLL),
  ...common,
  snapshotName: z
    .string({ error: 'a snapshot name: 1 to 256 characters from a-z A-Z 0-9 _ . -' })
    .regex(/^[a-zA-Z0-9_.-]{1,256}$/),
  /** Polls done before this one. */
  polls: count('polls so far'),
  /** When a poll last saw the snapshot CREATING (epoch ms): the lower bound of its duration. */
  lastSeenCreatingAt: count('a time in epoch milliseconds').optional(),
});

const STEPS = Object.values(WorkStep);

export const WorkMessageSchema = z
  .discriminatedUnion('step', [SnapshotStepMessageSchema, PollStepMessageSchema], {
    error: `a work message object whose step is one of ${STEPS.map((s) => `"${s}"`).join(', ')}`,
  })
  .superRefine(
    (message, ctx) => {
      const pairs = [
        ['tenant', message.tenant, message.config.tenant, 'config.tenant'],
        ['appKey', message.appKey, message.config.appKey, 'config.appKey'],
        ['application', message.application, message.config.applicationName, 'config.applicationName'],
      ] as const;
      for (const [field, value, expected, source] of pairs) {
        if (value !== expected) {
          ctx.addIssue({
            code: 'custom',
            path: [field],
            input: value,
            message: `${JSON.stringify(expected)} (${source})`,
          });
        }
      }
    },
    { when: (payload) => payload.issues.length === 0 },
  );

export type WorkMessage = z.infer<typeof WorkMessageSchema>;
export type SnapshotStepMessage = z.infer<typeof SnapshotStepMessageSchema>;
export type PollStepMessage = z.infer<typeof PollStepMessageSchema>;

export type WorkMessageResult =
  | { readonly ok: true; readonly message: WorkMessage }
  | { readonly ok: false; readonly error: InvalidMessageError };

const BODY_FIELD = '(body)';

function knownFields(path: readonly PropertyKey[]): readonly string[] {
  if (path[0] === 'config') return Object.keys(AppConfigSchema.shape);
  return Object.keys(PollStepMessageSchema.shape);
}

function validated<S extends z.ZodType>(schema: S, message: z.input<S>): z.infer<S> {
  const result = schema.safeParse(message, { reportInput: true });
  if (!result.success) {
    throw new InvalidMessageError({
      issues: issuesFromZod(result.error.issues, message, BODY_FIELD, knownFields),
    });
  }
  return result.data;
}

/**
 * When a run's snapshot must be READY, or the run is TIMED_OUT: the configured snapshot timeout after
 * the snapshot was requested. The one place the deadline is computed: the snapshot step's provisional
 * deadline (from dispatch) and the polls' (from the request) both come from here.
 */
export function snapshotDeadline(
  config: Pick<AppConfig, 'snapshotTimeoutMinutes'>,
  requestedAt: number,
): number {
  return requestedAt + config.snapshotTimeoutMinutes * 60_000;
}

/**
 * The first message of a run: take the snapshot. Its deadline is provisional (from `now`, the dispatch);
 * the first poll's runs from when the snapshot was requested.
 */
export function buildSnapshotMessage(input: {
  readonly config: AppConfig;
  readonly runId: string;
  readonly now: number;
  readonly attempt?: number;
  readonly retryUntil?: number | undefined;
  readonly slotEndsAt?: number | undefined;
  readonly expectedDurationMs?: number | undefined;
}): SnapshotStepMessage {
  const { config } = input;
  return validated(SnapshotStepMessageSchema, {
    v: WORK_MESSAGE_VERSION,
    step: WorkStep.SNAPSHOT,
    tenant: config.tenant,
    application: config.applicationName,
    appKey: config.appKey,
    runId: input.runId,
    attempt: input.attempt ?? 0,
    deadline: snapshotDeadline(config, input.now),
    config,
    ...(input.retryUntil === undefined ? {} : { retryUntil: Math.round(input.retryUntil) }),
    ...(input.slotEndsAt === undefined ? {} : { slotEndsAt: Math.round(input.slotEndsAt) }),
    ...(input.expectedDurationMs === undefined
      ? {}
      : { expectedDurationMs: Math.round(input.expectedDurationMs) }),
  });
}

/** The same snapshot step, to be taken again after waiting for the application or for the quota. */
export function buildWaitedSnapshotMessage(
  from: SnapshotStepMessage,
  reason: 'settle' | 'maintenance' | 'quota',
): SnapshotStepMessage {
  const waited =
    reason === 'quota' ? { quotaWaits: (from.quotaWaits ?? 0) + 1 } : { waits: (from.waits ?? 0) + 1 };
  return validated(SnapshotStepMessageSchema, { ...from, attempt: 0, ...waited });
}

/**
 * The first poll of a run, after its snapshot step: the deadline runs from `requestedAt`, when the
 * snapshot was requested, so a backlog in the queue before the request does not eat into the timeout.
 */
export function buildFirstPollMessage(
  from: SnapshotStepMessage,
  requestedAt: number,
  options: { readonly attempt?: number } = {},
): PollStepMessage {
  return pollMessage(from, {
    attempt: options.attempt ?? 0,
    deadline: snapshotDeadline(from.config, requestedAt),
    snapshotName: snapshotName(from.runId),
    polls: 0,
  });
}

/**
 * The poll after `from`: same run, deadline and snapshot, one more poll counted; `sawCreatingAt` is when
 * `from` saw the snapshot still CREATING.
 */
export function buildPollMessage(
  from: PollStepMessage,
  options: { readonly attempt?: number; readonly sawCreatingAt?: number } = {},
): PollStepMessage {
  const seen = options.sawCreatingAt ?? from.lastSeenCreatingAt;
  return pollMessage(from, {
    attempt: options.attempt ?? 0,
    deadline: from.deadline,
    snapshotName: from.snapshotName,
    polls: from.polls + 1,
    ...(seen === undefined ? {} : { lastSeenCreatingAt: Math.round(seen) }),
  });
}

function pollMessage(
  from: WorkMessage,
  fields: Pick<PollStepMessage, 'attempt' | 'deadline' | 'snapshotName' | 'polls' | 'lastSeenCreatingAt'>,
): PollStepMessage {
  return validated(PollStepMessageSchema, {
    v: from.v,
    step: WorkStep.POLL,
    tenant: from.tenant,
    application: from.application,
    appKey: from.appKey,
    runId: from.runId,
    config: from.config,
    ...fields,
  });
}

/** The same message, one attempt later: what is re-enqueued after a retryable failure. */
export function nextAttempt<M extends WorkMessage>(message: M): M {
  return { ...message, attempt: message.attempt + 1 };
}

/** Parses an SQS message body into a WorkMessage, or an InvalidMessageError saying what is wrong. */
export function parseWorkMessage(body: string, messageId?: string): WorkMessageResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    const issue: FieldIssue = {
      field: BODY_FIELD,
      kind: IssueKind.NOT_JSON,
      value: renderValue(body),
      expected: `a JSON work message; the value is ${describeJsonError(body, error)}`,
    };
    return { ok: false, error: new InvalidMessageError({ issues: [issue], messageId }) };
  }
  const result = WorkMessageSchema.safeParse(json, { reportInput: true });
  if (result.success) return { ok: true, message: result.data };
  const issues = issuesFromZod(result.error.issues, json, BODY_FIELD, knownFields);
  return { ok: false, error: new InvalidMessageError({ issues, messageId }) };
}

/** SendMessageBatch limits: entries per request, and bytes of bodies plus attributes per request. */
export const SEND_BATCH_LIMITS = { entries: 10, bytes: 262_144, maxDelaySeconds: 900 } as const;

export interface SendEntry {
  /** Unique within its batch: 1..80 of A-Z a-z 0-9 _ -. */
  readonly id: string;
  readonly body: string;
  /** 0..900. */
  readonly delaySeconds?: number | undefined;
  /** MessageGroupId: the tenant, so the fair queue serves tenants evenly. */
  readonly groupId?: string | undefined;
  /** String message attributes; their names, type and values count toward the size limit. */
  readonly attributes?: Readonly<Record<string, string>> | undefined;
}

const ENTRY_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
const utf8 = new TextEncoder();

/** Bytes an entry counts toward SQS's payload limit: its body and each attribute's name, type and value. */
export function entryBytes(entry: SendEntry): number {
  let bytes = utf8.encode(entry.body).byteLength;
  for (const [name, value] of Object.entries(entry.attributes ?? {})) {
    bytes += utf8.encode(name).byteLength + 'String'.length + utf8.encode(value).byteLength;
  }
  return bytes;
}

/** A SendMessageBatch entry for a work message, grouped by tenant. */
export function workMessageEntry(message: WorkMessage, id: string, delaySeconds?: number): SendEntry {
  return { id, body: JSON.stringify(message), groupId: message.tenant, delaySeconds };
}

function entryIssues(entry: SendEntry, index: number, bytes: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const field = `entries[${index}]`;
  if (!ENTRY_ID_PATTERN.test(entry.id)) {
    issues.push({
      field: `${field}.id`,
      kind: IssueKind.INVALID_FORMAT,
      value: renderValue(entry.id),
      expected: '1 to 80 characters from A-Z a-z 0-9 _ -',
    });
  }
  const delay = entry.delaySeconds;
  if (
    delay !== undefined &&
    !(Number.isInteger(delay) && delay >= 0 && delay <= SEND_BATCH_LIMITS.maxDelaySeconds)
  ) {
    issues.push({
      field: `${field}.delaySeconds`,
      kind: IssueKind.OUT_OF_RANGE,
      value: renderValue(delay),
      expected: `an integer from 0 to ${SEND_BATCH_LIMITS.maxDelaySeconds}`,
    });
  }
  if (bytes > SEND_BATCH_LIMITS.bytes) {
    issues.push({
      field: `${field}.body`,
      kind: IssueKind.TOO_LARGE,
      value: `${bytes} bytes (entry ${entry.id})`,
      expected: `at most ${SEND_BATCH_LIMITS.bytes} bytes of body and attributes`,
    });
  }
  return issues;
}

/**
 * Packs entries, in order, into SendMessageBatch requests of at most 10 entries and 256 KiB, with ids
 * unique within each request. Throws InvalidMessageError naming every entry that can never be sent.
 */
export function chunkSendBatches(entries: readonly SendEntry[]): SendEntry[][] {
  const sizes = entries.map(entryBytes);
  const issues = entries.flatMap((entry, index) => entryIssues(entry, index, sizes[index] as number));
  if (issues.length > 0) throw new InvalidMessageError({ issues });

  const batches: SendEntry[][] = [];
  let batch: SendEntry[] = [];
  let bytes = 0;
  entries.forEach((entry, index) => {
    const size = sizes[index] as number;
    const full =
      batch.length === SEND_BATCH_LIMITS.entries ||
      bytes + size > SEND_BATCH_LIMITS.bytes ||
      batch.some((other) => other.id === entry.id);
    if (full) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  });
  if (batch.length > 0) batches.push(batch);
  return batches;
}
