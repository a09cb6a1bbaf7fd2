/**
 * `npm run test:property -- [--runs N] [--seed S] [files…]`: the property
 * tests with more runs than `npm test` gives them; the flags become FC_RUNS
 * and FC_SEED (test/property/runs.ts), which vitest cannot take as flags.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string' }, seed: { type: 'string' } } });
const env = { ...process.env, ...(values.runs ? { FC_RUNS: values.runs } : {}), ...(values.seed ? { FC_SEED: values.seed } : {}) };
const files = positionals.length > 0 ? positionals : ['test/property'];
const result = spawnSync('npx', ['vitest', 'run', ...files], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
