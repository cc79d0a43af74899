/**
 * Runs async steps one at a time, in the order they were asked for. A module whose read-check-write
 * steps were atomic while storage was synchronous (next version number, "already assigned?") keeps
 * that guarantee within this process by running them through one of these.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `step` after every step queued before it; its own result or error goes to the caller. */
  run<T>(step: () => Promise<T>): Promise<T> {
    const result = this.tail.then(step);
    this.tail = result.catch(() => {});
    return result;
  }

  /** Resolves once every step queued so far has finished. */
  async idle(): Promise<void> {
    await this.run(() => Promise.resolve());
  }
}
