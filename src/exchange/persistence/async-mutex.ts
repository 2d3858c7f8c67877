/**
 * A FIFO async mutex: `run(work)` starts `work` only after every earlier `run` has settled. Used to keep one
 * writer per market inside a process (the database serializes writers across processes).
 * Invariant: a failing `work` releases the lock like a succeeding one; the error goes to its own caller only.
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
