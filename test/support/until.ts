/**
 * Polls `f` until it returns something truthy and returns that, or throws naming what it waited for
 * (`what` may be a function, to name the state at the deadline). Waits on a condition, never a fixed sleep.
 */
export async function until<T>(what: string | (() => string), f: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 30_000, everyMs = 50): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
