/**
 * Reconnection delays: doubling from `initialMs` up to `maxMs`. The cap is what
 * bounds recovery after a replug: the port is retried at least every `maxMs`.
 */
export interface Backoff {
  next(): number;
  reset(): void;
}

export function createBackoff(options: { initialMs: number; maxMs: number }): Backoff {
  let delay = options.initialMs;
  return {
    next() {
      const current = delay;
      delay = Math.min(delay * 2, options.maxMs);
      return current;
    },
    reset() {
      delay = options.initialMs;
    },
  };
}
