/**
 * Operations kept in call order per key: each runs once every earlier one on its key settled,
 * whatever their outcome (a failed write does not stop the next), and never inside the call that
 * queued it (a step starts on a later microtask, so what its caller does next in the same tick,
 * e.g. joining a batch the step will write, comes first). Keys with nothing in flight are
 * forgotten. Pure.
 */
export class KeyedChain<K> {
  private readonly tails = new Map<K, Promise<unknown>>();

  /** Runs `step` after every earlier operation on `key` settled; resolves or rejects as it does. */
  run<T>(key: K, step: () => Promise<T>): Promise<T> {
    const next = (this.tails.get(key) ?? Promise.resolve()).then(step, step);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Whether an operation on `key` is queued or running. */
  busy(key: K): boolean {
    return this.tails.has(key);
  }

  /** Settles once every operation queued so far settled (never rejects). */
  async idle(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}
