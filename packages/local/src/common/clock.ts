/**
 * Simulated time. With `timeScale` 0.01 one simulated second passes in 10 real milliseconds: snapshot
 * durations, SQS delays and visibility timeouts are all simulated durations, and every timestamp the
 * local AWS hands out is simulated time. The local runtime gives the same clock to the handlers, so the
 * worker's deadlines agree with the service it talks to.
 */
export class SimClock {
  readonly timeScale: number;
  readonly #realStart: number;
  readonly #simStart: number;

  constructor(timeScale = 1, simStart = Date.now(), realStart = Date.now()) {
    if (!(timeScale > 0 && timeScale <= 1)) {
      throw new RangeError(`timeScale must be in (0, 1], got ${timeScale}`);
    }
    this.timeScale = timeScale;
    this.#realStart = realStart;
    this.#simStart = simStart;
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return this.#simStart + (Date.now() - this.#realStart) / this.timeScale;
  }

  /** Real milliseconds that a simulated duration takes. */
  toRealMs(simulatedMs: number): number {
    return simulatedMs * this.timeScale;
  }

  /** What `/_local/clock` reports, so another process can build the same clock. */
  describe(): { timeScale: number; simStart: number; realStart: number } {
    return { timeScale: this.timeScale, simStart: this.#simStart, realStart: this.#realStart };
  }
}
