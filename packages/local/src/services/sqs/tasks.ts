/**
 * Message move tasks (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask): messages
 * taken back from a dead-letter queue to their source queue, or to a named destination, all at once or
 * at most MaxNumberOfMessagesPerSecond per simulated second.
 */
import { sqsErrors } from './errors';
import type { SqsInput } from './inputs';
import type { SqsModel } from './model';
import type { MoveTaskEntry } from './outputs';
import type { SqsQueue } from './queue';

type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

interface MoveTask {
  readonly id: string;
  readonly handle: string;
  readonly sourceArn: string;
  readonly destinationArn: string | undefined;
  readonly rate: number | undefined;
  readonly startedAt: number;
  readonly toMove: number;
  status: MoveTaskStatus;
  moved: number;
  processed: number;
  failureReason: string | undefined;
  timer: NodeJS.Timeout | undefined;
}

/** Every message move task, by id and by source queue. */
export class MoveTasks {
  readonly #tasks = new Map<string, MoveTask>();
  readonly #bySource = new Map<string, MoveTask[]>();

  constructor(private readonly model: SqsModel) {}

  /** Starts a task from a dead-letter queue; returns its handle. */
  start(input: SqsInput<'StartMessageMoveTask'>): string {
    const model = this.model;
    const source = model.queueByArn(input.SourceArn);
    if (source === undefined) {
      throw sqsErrors.resourceNotFound(
        `The resource that you specified for the SourceArn parameter doesn't exist: ${input.SourceArn}.`,
      );
    }
    if (model.deadLetterSources(source.arn).length === 0) {
      throw sqsErrors.unsupportedOperation(
        `Source queue must be configured as a Dead Letter Queue: no queue has ${input.SourceArn} as the deadLetterTargetArn of its RedrivePolicy.`,
      );
    }
    if (input.DestinationArn !== undefined && model.queueByArn(input.DestinationArn) === undefined) {
      throw sqsErrors.resourceNotFound(
        `The resource that you specified for the DestinationArn parameter doesn't exist: ${input.DestinationArn}.`,
      );
    }
    const rate = input.MaxNumberOfMessagesPerSecond;
    if (rate !== undefined && !(rate >= 1 && rate <= 500)) {
      throw sqsErrors.invalidValue('MaxNumberOfMessagesPerSecond', rate, 'Must be between 1 and 500.');
    }
    const tasks = this.#bySource.get(source.arn) ?? [];
    if (tasks.some((t) => t.status === 'RUNNING')) {
      throw sqsErrors.unsupportedOperation(
        `There is already a task running for ${source.arn}. Only one active task is allowed for a source queue at a given time.`,
      );
    }
    const now = model.now();
    const id = `${model.idPrefix}-task-${model.nextSeq()}`;
    const handle = Buffer.from(JSON.stringify({ taskId: id, sourceArn: source.arn })).toString('base64');
    const task: MoveTask = {
      id,
      handle,
      sourceArn: source.arn,
      destinationArn: input.DestinationArn,
      rate,
      startedAt: now,
      toMove: source.counts(now).visible,
      status: 'RUNNING',
      moved: 0,
      processed: 0,
      failureReason: undefined,
      timer: undefined,
    };
    this.#tasks.set(id, task);
    tasks.push(task);
    this.#bySource.set(source.arn, tasks);
    this.#schedule(task, 0);
    return handle;
  }

  /** The newest `MaxResults` (default 1) tasks of a source queue, newest first. */
  list(input: SqsInput<'ListMessageMoveTasks'>): MoveTaskEntry[] {
    const source = this.model.queueByArn(input.SourceArn);
    if (source === undefined)
      throw sqsErrors.resourceNotFound(`The source queue ${input.SourceArn} does not exist.`);
    const max = input.MaxResults ?? 1;
    if (!(max >= 1 && max <= 10))
      throw sqsErrors.invalidValue('MaxResults', max, 'Must be between 1 and 10.');
    const tasks = this.#bySource.get(input.SourceArn) ?? [];
    return tasks.slice(-max).reverse().map(taskEntry);
  }

  /** Cancels a running task; returns how many messages it moved. */
  cancel(taskHandle: string): number {
    const task = this.#byHandle(taskHandle);
    if (task.status !== 'RUNNING') {
      throw sqsErrors.resourceNotFound(`The task ${taskHandle} is not running: it is ${task.status}.`);
    }
    if (task.timer !== undefined) clearTimeout(task.timer);
    task.timer = undefined;
    task.status = 'CANCELLED';
    return task.moved;
  }

  /** Stops every task's timer: the server is shutting down. */
  close(): void {
    for (const task of this.#tasks.values()) {
      if (task.timer !== undefined) clearTimeout(task.timer);
      task.timer = undefined;
    }
  }

  #schedule(task: MoveTask, realDelayMs: number): void {
    if (this.model.closed) return;
    task.timer = setTimeout(() => this.#step(task), realDelayMs);
    task.timer.unref();
  }

  /** Moves the next batch (all at once, or MaxNumberOfMessagesPerSecond per simulated second). */
  #step(task: MoveTask): void {
    const model = this.model;
    task.timer = undefined;
    if (task.status !== 'RUNNING') return;
    const source = model.queueByArn(task.sourceArn);
    if (source === undefined) {
      task.status = 'FAILED';
      task.failureReason = `The source queue ${task.sourceArn} was deleted.`;
      return;
    }
    const now = model.now();
    const batch = Math.min(task.rate ?? Number.POSITIVE_INFINITY, task.toMove - task.processed);
    const messages = source.takeVisible(batch, now);
    const touched = new Set<SqsQueue>();
    for (const msg of messages) {
      const destinationArn = task.destinationArn ?? msg.deadLetterSourceArn;
      const destination = destinationArn === undefined ? undefined : model.queueByArn(destinationArn);
      if (destination === undefined) {
        task.failureReason =
          destinationArn === undefined
            ? `Message ${msg.id} was not dead-lettered from another queue, so it has no source queue to return to; give a DestinationArn.`
            : `The destination queue ${destinationArn} of message ${msg.id} does not exist.`;
        source.enqueue(msg, model.nextSeq(), 0, now, false);
        touched.add(source);
      } else {
        // Redriven messages start over: a fresh receive count, no longer dead-lettered.
        destination.enqueue(
          { ...msg, receiveCount: 0, firstReceiveAt: undefined, deadLetterSourceArn: undefined },
          model.nextSeq(),
          0,
          now,
          false,
        );
        touched.add(destination);
        task.moved++;
      }
    }
    task.processed += messages.length;
    for (const queue of touched) queue.notify();
    if (messages.length === 0 || task.processed >= task.toMove) {
      task.status = task.failureReason === undefined ? 'COMPLETED' : 'FAILED';
      return;
    }
    this.#schedule(task, task.rate === undefined ? 0 : model.clock.toRealMs(1000));
  }

  #byHandle(handle: string): MoveTask {
    let id: unknown;
    try {
      id = (JSON.parse(Buffer.from(handle, 'base64').toString('utf8')) as { taskId?: unknown }).taskId;
    } catch {
      id = undefined;
    }
    const task = typeof id === 'string' ? this.#tasks.get(id) : undefined;
    if (task === undefined) throw sqsErrors.resourceNotFound(`Task does not exist: TaskHandle ${handle}.`);
    return task;
  }
}

function taskEntry(task: MoveTask): MoveTaskEntry {
  return {
    ...(task.status === 'RUNNING' ? { TaskHandle: task.handle } : {}),
    Status: task.status,
    SourceArn: task.sourceArn,
    ...(task.destinationArn === undefined ? {} : { DestinationArn: task.destinationArn }),
    ...(task.rate === undefined ? {} : { MaxNumberOfMessagesPerSecond: task.rate }),
    ApproximateNumberOfMessagesMoved: task.moved,
    ApproximateNumberOfMessagesToMove: task.toMove,
    ...(task.failureReason === undefined ? {} : { FailureReason: task.failureReason }),
    StartedTimestamp: task.startedAt,
  };
}
