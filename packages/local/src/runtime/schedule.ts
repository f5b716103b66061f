/**
 * The EventBridge rule that invokes the dispatcher, played in-process: one tick now, or a tick every N
 * simulated seconds. Each tick is a real-shaped `Scheduled Event` whose `time` is the simulated clock's.
 */
import { randomUUID } from 'node:crypto';
import { APP_NAME } from '@flink-snapshots/settings';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from '../local-aws';
import { describeError, invokeLambda, type RuntimeClock } from './lambda-context';
import { type DispatcherSettings, type RuntimeSettingsOverrides, resolveSettings } from './settings';

/** What the dispatcher exports: `handler(event, context)`. */
export type ScheduledHandler<R> = (event: ScheduledEvent, context: Context) => Promise<R> | R;

export interface LocalScheduleOptions<R> {
  readonly clock: RuntimeClock;
  readonly invoke: ScheduledHandler<R>;
  /** The rule's rate; default PIPELINE.tickMinutes. every() without an argument ticks at this rate. */
  readonly tickMinutes?: number;
  /** Dispatcher settings other than PIPELINE's (timeoutSeconds, memoryMb). */
  readonly settings?: Pick<RuntimeSettingsOverrides, 'dispatcher'>;
  /** Default `flink-snapshots-dispatcher`; bootstrap's resourceNames(stage).dispatcherFunction names a stage's. */
  readonly functionName?: string;
  /** Default `flink-snapshots-tick`; bootstrap's resourceNames(stage).tickRule names a stage's. */
  readonly ruleName?: string;
  readonly region?: string;
  readonly accountId?: string;
  /** Called after each tick, with the handler's result or error. */
  readonly onTick?: (tick: Tick, outcome: { result?: R; error?: unknown }) => void;
}

/** One invocation of the dispatcher. */
export interface Tick {
  readonly requestId: string;
  /** The event's `time`: simulated, whole seconds, as EventBridge sends it. */
  readonly time: string;
  /** Simulated epoch ms when the handler was called. */
  readonly startedAt: number;
  /** Real milliseconds the handler ran (performance.now), up to the timeout. */
  readonly durationMs: number;
  readonly error?: string;
  readonly timedOut?: boolean;
}

export class LocalSchedule<R> {
  readonly tickMinutes: number;
  readonly ruleArn: string;
  readonly functionName: string;
  readonly #options: LocalScheduleOptions<R>;
  readonly #settings: DispatcherSettings;
  readonly #region: string;
  readonly #accountId: string;
  readonly #ticks: Tick[] = [];
  readonly #running = new Set<Promise<unknown>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LocalScheduleOptions<R>) {
    const settings = resolveSettings({
      ...(options.tickMinutes === undefined ? {} : { tickMinutes: options.tickMinutes }),
      ...options.settings,
    });
    this.tickMinutes = settings.tickMinutes;
    this.#settings = settings.dispatcher;
    this.#options = options;
    this.#region = options.region ?? DEFAULT_REGION;
    this.#accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
    this.functionName = options.functionName ?? `${APP_NAME}-dispatcher`;
    this.ruleArn = `arn:aws:events:${this.#region}:${this.#accountId}:rule/${options.ruleName ?? `${APP_NAME}-tick`}`;
  }

  /**
   * Invokes the dispatcher once, now; resolves with its result as Lambda returns it (through JSON),
   * rejects with its error or with the timeout.
   */
  tickNow(): Promise<R> {
    const tick = this.#tick();
    this.#running.add(tick);
    void tick.then(
      () => this.#running.delete(tick),
      () => this.#running.delete(tick),
    );
    return tick;
  }

  /**
   * Ticks every `seconds` simulated seconds (default: the rule's rate), the first one a period from now,
   * as a rate rule does. A failed tick is recorded (ticks(), onTick) and the schedule goes on.
   */
  every(seconds: number = this.tickMinutes * 60): this {
    if (!(Number.isFinite(seconds) && seconds > 0)) {
      throw new RangeError(`every(seconds) got ${seconds}; expected a positive number of simulated seconds`);
    }
    if (this.#timer !== undefined) {
      throw new Error(`The schedule ${this.ruleArn} is already repeating; stop() it before every() again`);
    }
    this.#timer = setInterval(
      () => {
        this.tickNow().catch(() => {
          // Recorded in ticks() and passed to onTick: EventBridge's rule does not stop either.
        });
      },
      this.#options.clock.toRealMs(seconds * 1000),
    );
    return this;
  }

  /** Stops repeating and waits for ticks in flight. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#running]);
  }

  /** Every tick so far, oldest first. */
  ticks(): readonly Tick[] {
    return this.#ticks;
  }

  async #tick(): Promise<R> {
    const { clock } = this.#options;
    const event: ScheduledEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.#accountId,
      time: new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.#region,
      resources: [this.ruleArn],
      detail: {},
    };
    const outcome = await invokeLambda(
      this.#options.invoke,
      event,
      {
        functionName: this.functionName,
        region: this.#region,
        accountId: this.#accountId,
        memoryMb: this.#settings.memoryMb,
        timeoutSeconds: this.#settings.timeoutSeconds,
      },
      clock,
    );
    const tick: Tick = {
      requestId: outcome.context.awsRequestId,
      time: event.time,
      startedAt: outcome.startedAt,
      durationMs: outcome.durationMs,
      ...(outcome.kind === 'returned' ? {} : { error: describeError(outcome.error) }),
      ...(outcome.kind === 'timed-out' ? { timedOut: true } : {}),
    };
    this.#ticks.push(tick);
    if (outcome.kind === 'returned') {
      const result = outcome.result as R;
      this.#options.onTick?.(tick, { result });
      return result;
    }
    this.#options.onTick?.(tick, { error: outcome.error });
    throw outcome.error;
  }
}
