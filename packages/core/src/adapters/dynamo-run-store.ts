/**
 * RunStore over DynamoDB: one item per (appKey, runId) holds a run's state and audit trail; every state
 * change is a conditional write from the state expected, so duplicates and redeliveries never act twice.
 * Each application also has a scheduling pointer item, runId `SCHEDULE` (it sorts after every runId,
 * which starts with a digit), read fleet-wide with one Query on the byRun index.
 */
import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { RUNS_TABLE } from '@flink-snapshots/settings';
import type {
  EndedRun,
  NewRun,
  RunError,
  RunKey,
  RunPatch,
  RunRecord,
  ScheduleEntry,
} from '../domain/run-record';
import { RunState } from '../domain/run-state';
import type { PointerUpdate, RunStore } from '../ports';
import { awsErrorCode, toDomainError } from './aws-errors';

/** runId of the scheduling pointer items; above every runId ('2…' < 'A' < 'SCHEDULE'). */
export const SCHEDULE_RUN_ID = 'SCHEDULE';
/** Sort-key bound below the pointer and above every runId: `runId < 'A'` selects runs only. */
const RUNS_BELOW = 'A';
const CONDITION_FAILED = 'ConditionalCheckFailedException';
const { partitionKey: PK, sortKey: SK, byRunIndex, ttlAttribute } = RUNS_TABLE;

export interface DynamoRunStoreOptions {
  readonly tableName: string;
  /** Days a run item is kept before DynamoDB's TTL removes it. */
  readonly ttlDays: number;
  /** Items per page of the all-pages Queries (readSchedule, listByRun); default DynamoDB's 1 MB pages. */
  readonly pageSize?: number;
}

type Item = Record<string, unknown>;

/**
 * The runs table. Undefined values are stripped before every write, so the DynamoDBDocumentClient
 * needs no particular marshalling options (the composition root still sets removeUndefinedValues).
 */
export class DynamoRunStore implements RunStore {
  readonly #tableName: string;
  readonly #ttlSeconds: number;
  readonly #pageSize: number | undefined;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    options: DynamoRunStoreOptions,
  ) {
    if (!(options.ttlDays > 0)) {
      throw new RangeError(`ttlDays must be a number of days > 0, received ${options.ttlDays}`);
    }
    this.#tableName = options.tableName;
    this.#ttlSeconds = Math.round(options.ttlDays * 86_400);
    this.#pageSize = options.pageSize;
  }

  /** Every application's scheduling pointer: one Query (all pages) on the byRun index. */
  async readSchedule(): Promise<Map<string, ScheduleEntry>> {
    const items = await this.#queryAll('Query', {
      IndexName: byRunIndex.name,
      KeyConditionExpression: '#runId = :runId',
      ExpressionAttributeNames: { '#runId': byRunIndex.partitionKey },
      ExpressionAttributeValues: { ':runId': SCHEDULE_RUN_ID },
    });
    const schedule = new Map<string, ScheduleEntry>();
    for (const item of items) {
      const entry = toScheduleEntry(item);
      schedule.set(entry.appKey, entry);
    }
    return schedule;
  }

  /**
   * Updates an application's pointer: `lastRunId`/`lastRunAt` only forward (a pointer already naming a
   * later run keeps them), `firstSeenAt` once, the other fields whenever given; absent fields stay.
   */
  async markScheduled(update: PointerUpdate): Promise<void> {
    const key = { [PK]: update.appKey, [SK]: SCHEDULE_RUN_ID };
    const rest = pointerExpression(update);
    if (update.lastRunId !== undefined) {
      const forward = pointerExpression(update, { lastRunId: update.lastRunId, lastRunAt: update.lastRunAt });
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.#tableName,
            Key: key,
            ...forward,
            ConditionExpression: 'attribute_not_exists(#s_lastRunId) OR #s_lastRunId <= :s_lastRunId',
          }),
        );
        return;
      } catch (error) {
        // The pointer names a later run already (a slower dispatcher lost the race): it stays there.
        if (awsErrorCode(error) !== CONDITION_FAILED) throw toDomainError(error, { operation: 'UpdateItem' });
      }
    }
    try {
      await this.doc.send(new UpdateCommand({ TableName: this.#tableName, Key: key, ...rest }));
    } catch (error) {
      throw toDomainError(error, { operation: 'UpdateItem' });
    }
  }

  /** Records a run's ending on the pointer, unless a later run's ending is there already. */
  async recordEnding(
    key: { readonly appKey: string; readonly tenant: string },
    ending: EndedRun & { readonly readyAt?: number | undefined; readonly durationMs?: number | undefined },
  ): Promise<void> {
    const { readyAt, durationMs, ...ended } = ending;
    const set = setExpression(
      compact({
        lastEnded: ended,
        tenant: key.tenant,
        ...(readyAt === undefined ? {} : { lastReadyAt: readyAt }),
      }),
    );
    const appendDuration = durationMs === undefined ? '' : ', #d = list_append(if_not_exists(#d, :none), :d)';
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { [PK]: key.appKey, [SK]: SCHEDULE_RUN_ID },
          UpdateExpression: `${set.UpdateExpression}${appendDuration}`,
          // A late ending of an older run does not overwrite a newer one; a newer READY time stays.
          ConditionExpression:
            'attribute_not_exists(#s_lastEnded) OR #s_lastEnded.#runId <= :runId' +
            (readyAt === undefined
              ? ''
              : ' AND (attribute_not_exists(#s_lastReadyAt) OR #s_lastReadyAt <= :s_lastReadyAt)'),
          ExpressionAttributeNames: {
            ...set.ExpressionAttributeNames,
            '#runId': 'runId',
            ...(durationMs === undefined ? {} : { '#d': 'durationsMs' }),
          },
          ExpressionAttributeValues: {
            ...set.ExpressionAttributeValues,
            ':runId': ended.runId,
            ...(durationMs === undefined ? {} : { ':d': [durationMs], ':none': [] }),
          },
        }),
      );
    } catch (error) {
      if (awsErrorCode(error) === CONDITION_FAILED) return;
      throw toDomainError(error, { operation: 'UpdateItem' });
    }
  }

  /** Deletes an application's pointer unless it holds pins or a restore point. */
  async forget(appKey: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: { [PK]: appKey, [SK]: SCHEDULE_RUN_ID },
          ConditionExpression:
            'attribute_exists(#pk) AND attribute_not_exists(pins) AND attribute_not_exists(restorePoint)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      );
      return true;
    } catch (error) {
      if (awsErrorCode(error) === CONDITION_FAILED) return false;
      throw toDomainError(error, { operation: 'DeleteItem' });
    }
  }

  /**
   * The application's pinned snapshots, read strongly consistent: the pointer's string set of pins (an
   * operator's) and its restore point (a restore's), kept apart so a new restore point unpins only the old one.
   */
  async pinsOf(appKey: string): Promise<ReadonlySet<string>> {
    try {
      const output = await this.doc.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: { [PK]: appKey, [SK]: SCHEDULE_RUN_ID },
          ProjectionExpression: 'pins, restorePoint',
          ConsistentRead: true,
        }),
      );
      const pins: unknown = output.Item?.pins;
      const restorePoint: unknown = output.Item?.restorePoint;
      const names = pins instanceof Set ? new Set([...pins].map(String)) : new Set<string>();
      if (typeof restorePoint === 'string') names.add(restorePoint);
      return names;
    } catch (error) {
      throw toDomainError(error, { operation: 'GetItem' });
    }
  }

  /** Adds a snapshot to (or removes it from) the pointer's string set of pins. */
  async setPinned(
    key: { readonly appKey: string; readonly tenant: string },
    snapshot: string,
    pinned: boolean,
  ): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { [PK]: key.appKey, [SK]: SCHEDULE_RUN_ID },
          UpdateExpression: `${pinned ? 'ADD' : 'DELETE'} pins :name SET tenant = :tenant`,
          ExpressionAttributeValues: { ':name': new Set([snapshot]), ':tenant': key.tenant },
        }),
      );
    } catch (error) {
      throw toDomainError(error, { operation: 'UpdateItem' });
    }
  }

  /** Sets the pointer's restore point (one snapshot name), returning the one it replaces. */
  async setRestorePoint(
    key: { readonly appKey: string; readonly tenant: string },
    snapshot: string,
  ): Promise<string | undefined> {
    try {
      const output = await this.doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { [PK]: key.appKey, [SK]: SCHEDULE_RUN_ID },
          UpdateExpression: 'SET restorePoint = :name, tenant = :tenant',
          ExpressionAttributeValues: { ':name': snapshot, ':tenant': key.tenant },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const previous: unknown = output.Attributes?.restorePoint;
      return typeof previous === 'string' ? previous : undefined;
    } catch (error) {
      throw toDomainError(error, { operation: 'UpdateItem' });
    }
  }

  /** Counts a retryable failure of one of the run's deliveries, with its error. */
  async noteRetry(key: RunKey, error: RunError, now: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { [PK]: key.appKey, [SK]: key.runId },
          UpdateExpression: 'ADD attempts :one SET lastRetryableError = :error, updatedAt = :now',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
          ExpressionAttributeValues: { ':one': 1, ':error': error, ':now': now },
        }),
      );
    } catch (failure) {
      if (awsErrorCode(failure) === CONDITION_FAILED) return;
      throw toDomainError(failure, { operation: 'UpdateItem' });
    }
  }

  /** Records that a DISPATCHED run waits, until when and why. */
  async defer(key: RunKey, until: number, reason: string, now: number): Promise<boolean> {
    return this.#updateIfDispatched(
      key,
      'SET deferredUntil = :until, deferredReason = :reason, updatedAt = :now',
      {
        ':until': until,
        ':reason': reason,
        ':now': now,
      },
    );
  }

  /** Counts resend `resends` + 1 of a DISPATCHED run, once. */
  async countResend(key: RunKey, resends: number, now: number): Promise<boolean> {
    return this.#updateIfDispatched(
      key,
      'SET resends = :next, updatedAt = :now',
      { ':next': resends + 1, ':now': now, ...(resends === 0 ? {} : { ':resends': resends }) },
      resends === 0 ? 'AND attribute_not_exists(resends)' : 'AND resends = :resends',
    );
  }

  async #updateIfDispatched(
    key: RunKey,
    updateExpression: string,
    values: Item,
    andCondition = '',
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { [PK]: key.appKey, [SK]: key.runId },
          UpdateExpression: updateExpression,
          ConditionExpression: `#state = :dispatched ${andCondition}`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ...values, ':dispatched': RunState.DISPATCHED },
        }),
      );
      return true;
    } catch (error) {
      if (awsErrorCode(error) === CONDITION_FAILED) return false;
      throw toDomainError(error, { operation: 'UpdateItem' });
    }
  }

  /** Writes a run's first state unless the run exists in a state other than `redoFrom`. */
  async create(run: NewRun, now: number, redoFrom: readonly RunState[] = []): Promise<boolean> {
    const item = compact({
      ...run,
      at: { [run.state]: now },
      updatedAt: now,
      [ttlAttribute]: this.#expiresAt(now),
    });
    const redo = redoFrom.map((_, index) => `:redo${index}`);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: item,
          ConditionExpression:
            redo.length === 0
              ? 'attribute_not_exists(#pk)'
              : `attribute_not_exists(#pk) OR #state IN (${redo.join(', ')})`,
          ExpressionAttributeNames: redo.length === 0 ? { '#pk': PK } : { '#pk': PK, '#state': 'state' },
          ...(redo.length === 0
            ? {}
            : { ExpressionAttributeValues: Object.fromEntries(redo.map((name, i) => [name, redoFrom[i]])) }),
        }),
      );
      return true;
    } catch (error) {
      if (awsErrorCode(error) === CONDITION_FAILED) return false;
      throw toDomainError(error, { operation: 'PutItem', application: run.application });
    }
  }

  /** Moves a run from one of `from` to `to`, setting the patch; undefined when it is not in `from`. */
  async transition(
    key: RunKey,
    from: RunState | readonly RunState[],
    to: RunState,
    patch: RunPatch,
    now: number,
  ): Promise<RunRecord | undefined> {
    const states = typeof from === 'string' ? [from] : from;
    if (states.length === 0) return undefined;
    const fields = compact({ ...patch, state: to, updatedAt: now });
    const set = setExpression(fields);
    const fromNames = states.map((_, index) => `:from${index}`);
    try {
      const output = await this.doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { [PK]: key.appKey, [SK]: key.runId },
          UpdateExpression: `${set.UpdateExpression}, #at.#to = :now`,
          ConditionExpression: `#s_state IN (${fromNames.join(', ')})`,
          ExpressionAttributeNames: { ...set.ExpressionAttributeNames, '#at': 'at', '#to': to },
          ExpressionAttributeValues: {
            ...set.ExpressionAttributeValues,
            ':now': now,
            ...Object.fromEntries(fromNames.map((name, i) => [name, states[i]])),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return output.Attributes as RunRecord | undefined;
    } catch (error) {
      if (awsErrorCode(error) === CONDITION_FAILED) return undefined;
      throw toDomainError(error, { operation: 'UpdateItem' });
    }
  }

  /** Removes the run's pending alerts once they are published, and records when. */
  async clearPendingAlerts(key: RunKey, now: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { [PK]: key.appKey, [SK]: key.runId },
          UpdateExpression: 'REMOVE pendingAlerts SET alertedAt = :now, updatedAt = :now',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
    } catch (error) {
      // A run that is gone has nothing pending.
      if (awsErrorCode(error) === CONDITION_FAILED) return;
      throw toDomainError(error, { operation: 'UpdateItem' });
    }
  }

  /** Counts poll `polls` + 1 once: true only for the first caller that finds `polls` polls counted. */
  async countPoll(key: RunKey, polls: number, now: number): Promise<boolean> {
    const pollsMatch = polls === 0 ? '(attribute_not_exists(#polls) OR #polls = :polls)' : '#polls = :polls';
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { [PK]: key.appKey, [SK]: key.runId },
          UpdateExpression: 'SET #polls = :next, updatedAt = :now',
          ConditionExpression: `#state = :requested AND ${pollsMatch}`,
          ExpressionAttributeNames: { '#polls': 'polls', '#state': 'state' },
          ExpressionAttributeValues: {
            ':polls': polls,
            ':next': polls + 1,
            ':now': now,
            ':requested': RunState.SNAPSHOT_REQUESTED,
          },
        }),
      );
      return true;
    } catch (error) {
      if (awsErrorCode(error) === CONDITION_FAILED) return false;
      throw toDomainError(error, { operation: 'UpdateItem' });
    }
  }

  async get(key: RunKey): Promise<RunRecord | undefined> {
    try {
      const output = await this.doc.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: { [PK]: key.appKey, [SK]: key.runId },
          ConsistentRead: true,
        }),
      );
      return output.Item as RunRecord | undefined;
    } catch (error) {
      throw toDomainError(error, { operation: 'GetItem' });
    }
  }

  /** The newest `limit` runs of an application: one Query on the table, pointer excluded. */
  async listByApplication(appKey: string, limit: number): Promise<RunRecord[]> {
    try {
      const output = await this.doc.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: '#pk = :appKey AND #sk < :below',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':appKey': appKey, ':below': RUNS_BELOW },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (output.Items ?? []) as RunRecord[];
    } catch (error) {
      throw toDomainError(error, { operation: 'Query' });
    }
  }

  /** Every application's run of one tick: one Query (all pages) on the byRun index. */
  async listByRun(runId: string): Promise<RunRecord[]> {
    const items = await this.#queryAll('Query', {
      IndexName: byRunIndex.name,
      KeyConditionExpression: '#runId = :runId',
      ExpressionAttributeNames: { '#runId': byRunIndex.partitionKey },
      ExpressionAttributeValues: { ':runId': runId },
    });
    return items as unknown as RunRecord[];
  }

  #expiresAt(now: number): number {
    return Math.floor(now / 1000) + this.#ttlSeconds;
  }

  async #queryAll(
    operation: string,
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  ): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      try {
        const page = await this.doc.send(
          new QueryCommand({
            ...input,
            TableName: this.#tableName,
            ExclusiveStartKey: startKey,
            ...(this.#pageSize === undefined ? {} : { Limit: this.#pageSize }),
          }),
        );
        items.push(...((page.Items ?? []) as Item[]));
        startKey = page.LastEvaluatedKey as Item | undefined;
      } catch (error) {
        throw toDomainError(error, { operation });
      }
    } while (startKey !== undefined);
    return items;
  }
}

/**
 * The update expression of a pointer write: `forward` fields and the update's own (tenant, digest,
 * durations) set, `firstSeenAt` set only if absent, `staleSince` set, or removed when null.
 */
function pointerExpression(update: PointerUpdate, forward: Item = {}) {
  const fields = compact({
    ...forward,
    tenant: update.tenant,
    invalidDigest: update.invalidDigest,
    durationsMs: update.durationsMs,
    nextSlotAt: update.nextSlotAt,
    ...(typeof update.staleSince === 'number' ? { staleSince: update.staleSince } : {}),
  });
  const set = setExpression(fields);
  const names: Record<string, string> = { ...set.ExpressionAttributeNames };
  const values: Item = { ...set.ExpressionAttributeValues };
  let expression = set.UpdateExpression;
  if (update.firstSeenAt !== undefined) {
    names['#firstSeenAt'] = 'firstSeenAt';
    values[':firstSeenAt'] = update.firstSeenAt;
    expression += ', #firstSeenAt = if_not_exists(#firstSeenAt, :firstSeenAt)';
  }
  if (update.staleSince === null) {
    names['#staleSince'] = 'staleSince';
    expression += ' REMOVE #staleSince';
  }
  return { UpdateExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

/** `SET #s_a = :s_a, #s_b = :s_b` over the fields given: `#s_<field>` / `:s_<field>` placeholders. */
function setExpression(fields: Item): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Item;
} {
  const names: Record<string, string> = {};
  const values: Item = {};
  const assignments: string[] = [];
  for (const [field, value] of Object.entries(fields)) {
    // Field names are ours (identifiers), but placeholders keep reserved words such as `state` legal.
    const placeholder = `s_${field}`;
    names[`#${placeholder}`] = field;
    values[`:${placeholder}`] = value;
    assignments.push(`#${placeholder} = :${placeholder}`);
  }
  return {
    UpdateExpression: `SET ${assignments.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Plain data without undefined values (at any depth), which DynamoDB cannot store. */
function compact<T extends Item>(value: T): T {
  return strip(value) as T;
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => item !== undefined).map(strip);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || value instanceof Set) {
    return value;
  }
  const out: Item = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) out[key] = strip(field);
  }
  return out;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function toScheduleEntry(item: Item): ScheduleEntry {
  return {
    appKey: String(item[PK]),
    lastRunId: typeof item.lastRunId === 'string' ? item.lastRunId : undefined,
    lastRunAt: typeof item.lastRunAt === 'number' ? item.lastRunAt : undefined,
    invalidDigest: typeof item.invalidDigest === 'string' ? item.invalidDigest : undefined,
    firstSeenAt: numberOr(item.firstSeenAt),
    lastReadyAt: numberOr(item.lastReadyAt),
    staleSince: numberOr(item.staleSince),
    lastEnded: item.lastEnded as ScheduleEntry['lastEnded'],
    durationsMs: Array.isArray(item.durationsMs) ? (item.durationsMs as number[]) : undefined,
    nextSlotAt: numberOr(item.nextSlotAt),
  };
}

/**
 * Creates the runs table as the stack defines it (keys, the byRun index projecting every attribute,
 * on-demand billing) and turns on TTL; a table that exists already is left as it is. For the local
 * runtime and tests: deployed stages get the table from CDK.
 */
export async function createRunsTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: PK, AttributeType: 'S' },
          { AttributeName: SK, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: PK, KeyType: 'HASH' },
          { AttributeName: SK, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: byRunIndex.name,
            KeySchema: [
              { AttributeName: byRunIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: byRunIndex.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (awsErrorCode(error) !== 'ResourceInUseException') {
      throw toDomainError(error, { operation: 'CreateTable' });
    }
  }
  // TTL can be turned on only once the table is ACTIVE.
  await waitUntilTableExists(
    { client: dynamodb, minDelay: 1, maxDelay: 2, maxWaitTime: 60 },
    { TableName: tableName },
  );
  let operation = 'DescribeTimeToLive';
  try {
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
    if (status === 'ENABLED' || status === 'ENABLING') return;
    operation = 'UpdateTimeToLive';
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: ttlAttribute },
      }),
    );
  } catch (error) {
    throw toDomainError(error, { operation });
  }
}
