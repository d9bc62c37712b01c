/**
 * How far a producer has got, for consumers that must not run ahead of it: staging publishes
 * the last order whose rows are committed, and the merge lanes wait for it to move.
 */
export class Watermark {
  private current: number;
  private finished = false;
  private failure: unknown = null;
  private waiters: (() => void)[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  get value(): number {
    return this.current;
  }

  /** True once the producer is done: `value` will not move again. */
  get done(): boolean {
    return this.finished;
  }

  advance(to: number): void {
    if (to <= this.current) return;
    this.current = to;
    this.wake();
  }

  finish(): void {
    this.finished = true;
    this.wake();
  }

  fail(error: unknown): void {
    this.failure = error;
    this.finished = true;
    this.wake();
  }

  /** Resolves when the value moves past `seq` or the producer finishes; rejects if it failed. */
  async beyond(seq: number): Promise<void> {
    while (this.current <= seq && !this.finished) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }
}
