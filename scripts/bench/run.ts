import { parseArgs } from 'node:util';
import { saveResults } from './report.js';
import { sqliteLogging } from './sqlite-logging.js';
import { traceQuery } from './trace-query.js';
import { startup } from './startup.js';
import { lockdownLatency } from './lockdown-latency.js';
import { outboxDrain } from './outbox-drain.js';
import { modbusRtt } from './modbus-rtt.js';
import { decisionLatency } from './decision-latency.js';
import { memory } from './memory.js';
import { fanIn } from './fan-in.js';
import type { Bench, BenchResult } from './types.js';

/**
 * `npm run bench [-- --only a,b] [--quick]`: runs the benchmarks, writes
 * bench/results/<date>.json and regenerates docs/BENCHMARKS.md.
 */
const BENCHES: Record<string, Bench> = {
  'sqlite-logging': sqliteLogging,
  'trace-query': traceQuery,
  startup,
  'lockdown-latency': lockdownLatency,
  'outbox-drain': outboxDrain,
  'modbus-rtt': modbusRtt,
  'decision-latency': decisionLatency,
  memory,
  'fan-in': fanIn,
};

const { values } = parseArgs({ options: { only: { type: 'string' }, quick: { type: 'boolean', default: false } } });
const selected = values.only ? values.only.split(',') : Object.keys(BENCHES);
const unknown = selected.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(`unknown bench: ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(2);
}

const results: BenchResult[] = [];
for (const name of selected) {
  process.stdout.write(`== ${name}\n`);
  const result = await (BENCHES[name] as Bench)({ scale: values.quick ? 0.1 : 1, log: (line) => process.stdout.write(`   ${line}\n`) });
  results.push({ ...result, ranAt: new Date().toISOString() });
}
process.stdout.write(`results: ${saveResults(results)} and docs/BENCHMARKS.md\n`);
