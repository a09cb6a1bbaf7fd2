import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { machine, render, type Machine } from '../bench/report.js';
import type { BenchResult } from '../bench/types.js';
import type { FuzzOutcome } from '../../support/fuzz/target.js';

const LATEST = 'bench/results/latest.json';

/**
 * Adds the fuzz run to bench/results (its own file and latest.json) and
 * renders docs/BENCHMARKS.md. Unlike a bench run it keeps latest.json's
 * machine line: that line describes the benches' machine, and the fuzz
 * section names its own (cores, CPU, Node) in its figures.
 */
export function recordFuzzRun(outcomes: readonly FuzzOutcome[], run: { seed: number; inputs: number; laneScripts: number; durationMs: number }): string {
  const m = machine();
  const cpu = execFileSync('lscpu', { encoding: 'utf8' }).match(/^Model name:\s*(.+)$/m)?.[1]?.trim() ?? m.cpu;
  const figures: Record<string, number | string> = {
    seed: run.seed,
    'machine (nproc, lscpu model, Node)': `${m.cores} cores, ${cpu}, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}`,
    'duration, all targets (s)': Math.round(run.durationMs / 1000),
  };
  for (const o of outcomes) {
    figures[`${o.name}: inputs (${(o.durationMs / 1000).toFixed(0)} s)`] = o.runs;
    const reached = Object.entries(o.stats).map(([key, value]) => `${key} ${value}`).join(', ');
    if (reached) figures[`${o.name}: reached`] = reached;
  }
  const inputTotal = outcomes.filter((o) => o.name !== 'lane').reduce((sum, o) => sum + o.runs, 0);
  figures['inputs in total (hp1, vp1, framing, modbus, commands, http)'] = inputTotal;
  figures.crashes = outcomes.reduce((sum, o) => sum + o.failures, 0);
  figures['unhandled rejections'] = outcomes.reduce((sum, o) => sum + o.unhandled, 0);
  figures['grants without the person-level checks'] = outcomes.find((o) => o.name === 'lane')?.failures ?? 'not run';
  const result: BenchResult = {
    name: 'fuzz',
    title: `Fuzz: ${inputTotal.toLocaleString('en')} hostile inputs, and lane scripts against the person-level invariant`,
    command: `npm run fuzz -- --seed ${run.seed} --inputs ${run.inputs} --lane ${run.laneScripts} --record`,
    figures,
    notes: [
      'fast-check, one seed for every target; a failing input would stop its target and print the seed and path that replay it (support/fuzz/target.ts).',
      'A crash is an exception out of the code under test or a broken check: HP1/VP1 forged or changed passes accepted; a framed byte not counted once or a frame over its limit; a Modbus reply with a bad CRC taken or an intact one missed; a command without exactly one reply and its audit row, or a refusal that changed the mode or the stored commands; an HTTP 500 or an error that is not problem+json with a GW_ code.',
      'lane: each script is up to 40 events (scans of the codes above read by read-credential.ts, readings, ticks, passages, device faults) under every mode, list and policy; every release is checked by support/lane/person-invariant.ts, the checker of test/property/lane-machine.property.test.ts.',
      'The small variant runs in the suite: test/property/fuzz-targets.property.test.ts (FC_RUNS-bounded).',
    ],
    ranAt: new Date().toISOString(),
  };
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${result.ranAt.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify({ machine: m, results: [result] }, null, 2)}\n`);
  const latest = (existsSync(LATEST) ? JSON.parse(readFileSync(LATEST, 'utf8')) : { machine: m, results: {} }) as { machine: Machine; results: Record<string, BenchResult> };
  latest.results[result.name] = result;
  writeFileSync(LATEST, `${JSON.stringify(latest, null, 2)}\n`);
  writeFileSync('docs/BENCHMARKS.md', render(latest.machine, Object.values(latest.results)));
  return file;
}
