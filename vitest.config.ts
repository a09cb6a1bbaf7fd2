import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    // Real processes, brokers (a 3-node cluster among them), PostgreSQL and ptys start in these hooks, on 2 cores.
    hookTimeout: 60_000,
    // The integration and black-box tests time real processes on a shared 2-core machine: one that misses a timing
    // under load is run again. A real defect fails every try; the unit and property tests are deterministic.
    retry: 2,
    pool: 'forks',
    reporters: ['default'],
  },
});
