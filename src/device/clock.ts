// Time for the data plane: milliseconds and one-shot callbacks. The daemon uses the system's;
// simulations drive a bond with their own, so that seconds of traffic run in milliseconds and
// the same code is measured without sockets.
import { performance } from 'node:perf_hooks';

export interface Clock {
  now(): number;
  after(ms: number, run: () => void): unknown;
  cancel(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  after: (ms, run) => setTimeout(run, ms),
  cancel: (h) => clearTimeout(h as NodeJS.Timeout),
};
