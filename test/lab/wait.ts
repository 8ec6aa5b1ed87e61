// Waiting for something asynchronous, in unit tests (in-process state, a few ms away) and in the
// lab (daemons and the kernel, seconds away): the pause between tries starts short and grows.
import { setTimeout } from 'node:timers/promises';

type Falsy = false | 0 | '' | null | undefined;

/**
 * Calls `fn` until it returns (or resolves to) something truthy, and returns that. A throw or
 * rejection counts as not yet, since what is asked about may not exist at first (a socket, a
 * file being written); the timeout error names it when the last try threw.
 */
export async function until<T>(what: string, fn: () => T | Falsy | PromiseLike<T | Falsy>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  let pause = 5;
  let failure: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      failure = undefined;
    } catch (e) {
      failure = e;
    }
    if (Date.now() >= end) {
      const why = failure === undefined ? '' : ` (last try: ${(failure as Error).message ?? failure})`;
      throw new Error(`timed out after ${ms} ms waiting for ${what}${why}`, { cause: failure });
    }
    await setTimeout(Math.min(pause, Math.max(1, end - Date.now())));
    pause = Math.min(2 * pause, 100);
  }
}
