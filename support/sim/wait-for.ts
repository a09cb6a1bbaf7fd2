import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `condition` every `intervalMs` until it holds; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, options: { what: string; timeoutMs?: number; intervalMs?: number }): Promise<void> {
  const deadline = performance.now() + (options.timeoutMs ?? 10_000);
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${options.what}`);
    await sleep(options.intervalMs ?? 10);
  }
}
