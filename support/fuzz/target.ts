import fc from 'fast-check';

/**
 * One fuzz target: an input generator and the check every input must pass.
 * A check throws on a crash (an exception out of the code under test) or on a
 * broken invariant; `stats` counts what the inputs reached (accepted, refused,
 * grants), so a run shows the generators got past the first refusal.
 */
export interface Prepared<T> {
  arbitrary: fc.Arbitrary<T>;
  check(input: T): void | Promise<void>;
  stats(): Record<string, number>;
  stop?(): Promise<void>;
}

export interface FuzzTarget {
  name: string;
  /** What the inputs are and what is checked, for the report. */
  what: string;
  prepare(): Promise<Prepared<unknown>>;
}

export interface FuzzOutcome {
  name: string;
  runs: number;
  /** 0 or 1: fast-check stops a target at its first failing input and shrinks it. */
  failures: number;
  counterexample?: string;
  error?: string;
  /** Replays the failure alone: `fc.assert(property, { seed, path })`. */
  path?: string;
  unhandled: number;
  durationMs: number;
  stats: Record<string, number>;
}

/** Runs `numRuns` inputs of one target under `seed`; never throws, the outcome says what failed. */
export async function fuzzTarget(target: FuzzTarget, seed: number, numRuns: number, unhandled: () => number): Promise<FuzzOutcome> {
  const started = performance.now();
  const before = unhandled();
  const prepared = await target.prepare();
  try {
    const result = await fc.check(
      fc.asyncProperty(prepared.arbitrary, async (input) => {
        await prepared.check(input);
      }),
      { seed, numRuns },
    );
    // Rejections surface a turn later: let them land in this target's count.
    await new Promise((resolve) => setImmediate(resolve));
    return {
      name: target.name,
      runs: result.numRuns,
      failures: result.failed ? 1 : 0,
      ...(result.failed
        ? { counterexample: fc.stringify(result.counterexample).slice(0, 2000), error: String(result.errorInstance).slice(0, 2000), path: result.counterexamplePath ?? '' }
        : {}),
      unhandled: unhandled() - before,
      durationMs: Math.round(performance.now() - started),
      stats: prepared.stats(),
    };
  } finally {
    await prepared.stop?.();
  }
}

/** One row per target and a total, as the run prints it. */
export function formatOutcomes(outcomes: readonly FuzzOutcome[], seed: number): string {
  const lines = outcomes.map((o) => `${o.name.padEnd(10)} runs=${String(o.runs).padStart(7)} crashes=${o.failures} unhandled=${o.unhandled} ${(o.durationMs / 1000).toFixed(1).padStart(6)} s  ${JSON.stringify(o.stats)}`);
  const total = outcomes.reduce((sum, o) => sum + o.runs, 0);
  const crashes = outcomes.reduce((sum, o) => sum + o.failures, 0);
  const unhandled = outcomes.reduce((sum, o) => sum + o.unhandled, 0);
  lines.push(`total      runs=${total} crashes=${crashes} unhandled=${unhandled} seed=${seed}`);
  for (const o of outcomes.filter((x) => x.failures > 0)) lines.push(`FAILED ${o.name} (seed ${seed}, path ${o.path}): ${o.error}\n  input: ${o.counterexample}`);
  return lines.join('\n');
}
