import { setTimeout as sleep } from 'node:timers/promises';

/** A fault injected at `atMs` after the start of the run. */
export interface TimedStep {
  atMs: number;
  what: string;
  run: () => Promise<void>;
}

/**
 * Runs the steps in time order, each at its offset (later if the previous
 * step overran), then waits out the rest of `durationMs`. The load runs all
 * along, in the gateway process.
 */
export async function runTimeline(durationMs: number, steps: readonly TimedStep[], log: (line: string) => void): Promise<void> {
  const started = Date.now();
  for (const step of [...steps].sort((a, b) => a.atMs - b.atMs)) {
    await sleep(Math.max(0, started + step.atMs - Date.now()));
    log(`t=${((Date.now() - started) / 1000).toFixed(1)} s: ${step.what}`);
    await step.run();
  }
  await sleep(Math.max(0, started + durationMs - Date.now()));
}

/** `count` offsets spread evenly over (0, durationMs), for faults that repeat. */
export function spread(count: number, durationMs: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round(((i + 1) * durationMs) / (count + 1)));
}
