/**
 * How long to wait before the next attempt to reach a broker. The delay grows
 * (500 ms doubling to 30 s) so a dead cluster is not hammered, and carries
 * ±20 % jitter so the hundreds of gateways a district runs, all cut off by the
 * same node loss, do not reconnect to the surviving nodes in one burst.
 */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** Fraction of the delay added or taken away at random: 0.2 is ±20 %. */
  jitter: number;
}

export const RECONNECT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000, jitter: 0.2 };

/** `attempt` counts from 0 since the last successful connect; `random` is in [0, 1) (Math.random). */
export function reconnectDelayMs(attempt: number, random: number, backoff: Backoff = RECONNECT_BACKOFF): number {
  // Capping the exponent keeps 2 ** attempt finite after days of outage.
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 32));
  return Math.round(base * (1 + backoff.jitter * (2 * random - 1)));
}
