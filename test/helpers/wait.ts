/** Polls `condition` every `everyMs`; fails with `what` after `timeoutMs`. Resolves with how long it took (ms). */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000, everyMs = 20): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return performance.now() - started;
}
