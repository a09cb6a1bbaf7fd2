/**
 * `npm run fuzz -- [--inputs N] [--lane N] [--seed S] [--only a,b] [--record]`:
 * N inputs in total (default 1,000,000) across HP1, VP1, serial framing,
 * Modbus replies, MQTT command payloads and HTTP requests, plus lane scripts
 * (default 50,000) checked against the person-level invariant; fast-check
 * with a fixed seed. Prints per-target counts, failures (with the seed and
 * path that replay them) and unhandled rejections; exits 1 on any.
 * --record adds the result to bench/results and docs/BENCHMARKS.md.
 */
import { parseArgs } from 'node:util';
import { machine } from '../bench/report.js';
import { recordFuzzRun } from './record.js';
import { fuzzTarget, formatOutcomes, type FuzzOutcome } from '../../support/fuzz/target.js';
import { allocate, LANE_TARGET } from '../../support/fuzz/targets.js';

const { values } = parseArgs({ options: { inputs: { type: 'string' }, lane: { type: 'string' }, seed: { type: 'string' }, only: { type: 'string' }, record: { type: 'boolean' } } });
const seed = Number(values.seed ?? 20261212);
const inputs = Number(values.inputs ?? 1_000_000);
const laneScripts = Number(values.lane ?? 50_000);
const only = values.only?.split(',');

let unhandled = 0;
process.on('unhandledRejection', (reason) => {
  unhandled += 1;
  process.stderr.write(`unhandled rejection: ${String(reason)}\n`);
});
process.on('uncaughtException', (error) => {
  unhandled += 1;
  process.stderr.write(`uncaught exception: ${error.stack ?? String(error)}\n`);
});

const plan = [...allocate(inputs), { target: LANE_TARGET, runs: laneScripts }].filter(({ target }) => !only || only.includes(target.name));
const started = Date.now();
process.stdout.write(`fuzz: seed=${seed} inputs=${inputs} lane scripts=${laneScripts} on ${JSON.stringify(machine())}\n`);
const outcomes: FuzzOutcome[] = [];
for (const { target, runs } of plan) {
  process.stdout.write(`${target.name}: ${runs} inputs: ${target.what}\n`);
  const outcome = await fuzzTarget(target, seed, runs, () => unhandled);
  outcomes.push(outcome);
  process.stdout.write(`${formatOutcomes([outcome], seed).split('\n')[0]}\n`);
}
const durationMs = Date.now() - started;
process.stdout.write(`\n${formatOutcomes(outcomes, seed)}\nduration ${(durationMs / 1000).toFixed(0)} s\n`);
const failed = outcomes.some((o) => o.failures > 0) || unhandled > 0;
if (values.record && !failed && !only) process.stdout.write(`results: ${recordFuzzRun(outcomes, { seed, inputs, laneScripts, durationMs })} and docs/BENCHMARKS.md\n`);
process.exit(failed ? 1 : 0);
