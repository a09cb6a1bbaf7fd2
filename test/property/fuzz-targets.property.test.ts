import { describe, expect, it } from 'vitest';
import { fuzzTarget } from '../../support/fuzz/target.js';
import { allocate, LANE_TARGET } from '../../support/fuzz/targets.js';
import { propertyParameters } from './runs.js';

/**
 * The fuzz run of `npm run fuzz` (scripts/fuzz), small: the same targets,
 * generators and checks, FC_RUNS inputs per target (300 by default, a few
 * seconds in all), under FC_SEED. No crash, no unhandled rejection, and on the
 * lane no release without the person-level checks.
 */
const plan = [...allocate(6 * propertyParameters.numRuns).map(({ target }) => target), LANE_TARGET];
let unhandled = 0;
const count = () => unhandled;

describe('fuzz targets, small run', () => {
  const onUnhandled = () => (unhandled += 1);
  it.each(plan.map((target) => [target.name, target] as const))('%s: no crash and no unhandled rejection', { timeout: 60_000 }, async (_name, target) => {
    process.on('unhandledRejection', onUnhandled);
    try {
      const outcome = await fuzzTarget(target, propertyParameters.seed, propertyParameters.numRuns, count);
      expect(outcome.error ?? '', `input: ${outcome.counterexample ?? ''}`).toBe('');
      expect(outcome).toMatchObject({ runs: propertyParameters.numRuns, failures: 0, unhandled: 0 });
      // The inputs reached past the first refusal: something was accepted, found or framed.
      expect(Object.keys(outcome.stats).length).toBeGreaterThan(1);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
