/**
 * Property tests run with a fixed seed and a bounded number of runs in
 * `npm test`; set FC_RUNS (and optionally FC_SEED) for longer runs:
 *   npm run test:property -- --runs 100000 [--seed 42]
 *   FC_RUNS=100000 npx vitest run test/property        (the same, by hand)
 */
export const propertyParameters = {
  seed: Number(process.env.FC_SEED ?? 20261128),
  numRuns: Number(process.env.FC_RUNS ?? 300),
};
