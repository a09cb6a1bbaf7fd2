import { parseArgs } from 'node:util';
import { saveResults } from '../bench/report.js';
import type { BenchResult } from '../bench/types.js';
import type { ChaosReport } from '../../support/chaos/chaos-estate.js';
import { lossLine } from './chaos-result.js';
import { SCENARIOS } from './scenarios.js';

/**
 * `npm run chaos [-- --only loss,kill,disk] [--quick]`: runs the chaos
 * scenarios against the real gateway process, writes the figures to
 * bench/results and docs/BENCHMARKS.md, and ends with the line
 * `lost=… recorded=… delivered=… duplicated=…`. Exit 1 if anything was lost
 * or a barrier opened without a recorded grant.
 */
const { values } = parseArgs({ options: { only: { type: 'string' }, quick: { type: 'boolean', default: false } } });
const selected = values.only ? values.only.split(',') : Object.keys(SCENARIOS);
const unknown = selected.filter((name) => !(name in SCENARIOS));
if (unknown.length > 0) {
  process.stderr.write(`unknown chaos scenario: ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}\n`);
  process.exit(2);
}

const results: BenchResult[] = [];
const reports: ChaosReport[] = [];
for (const name of selected) {
  process.stdout.write(`== ${name}\n`);
  const log = (line: string) => process.stdout.write(`   ${line}\n`);
  const outcome = await SCENARIOS[name]!({ quick: values.quick, log });
  reports.push(outcome.report);
  results.push({ ...outcome.result, ranAt: new Date().toISOString() });
  for (const [label, value] of Object.entries(outcome.result.figures)) log(`${label}: ${value}`);
  log(lossLine([outcome.report]));
  if (outcome.report.lostIds.length > 0) log(`lost ids (first 10): ${outcome.report.lostIds.slice(0, 10).join(', ')}`);
}
if (!values.quick) process.stdout.write(`results: ${saveResults(results)} and docs/BENCHMARKS.md\n`);
const line = lossLine(reports);
process.stdout.write(`${line}\n`);
process.exit(reports.some((r) => r.lost > 0 || r.barrierForced > 0) ? 1 : 0);
