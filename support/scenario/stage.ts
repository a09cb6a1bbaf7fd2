import type { Clock } from '../../src/core/clock.js';
import type { PassageRecord } from '../../src/core/lane-types.js';
import type { Gateway } from '../../src/gateway.js';
import type { People } from './people.js';

/** What a step needs of the running scenario. */
export interface Stage {
  gateway: Gateway;
  people: People;
  passages: PassageRecord[];
  /** Every message the manager console received: topic and decoded JSON. */
  received: Array<{ topic: string; body: Record<string, unknown> }>;
  prefix: string;
  start: number;
  clock: Clock;
}

export function lastAlertRow(stage: Stage): number {
  return (stage.gateway.db.prepare('SELECT coalesce(max(rowid), 0) AS n FROM alerts').get() as { n: number }).n;
}

export function alertsAfter(stage: Stage, rowid: number): string[] {
  return (stage.gateway.db.prepare('SELECT type FROM alerts WHERE rowid > ? ORDER BY rowid').all(rowid) as Array<{ type: string }>).map((r) => r.type);
}

/** Polls until `check` yields a value; bounded, so a missing message fails the step instead of hanging. */
export async function until<T>(check: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
