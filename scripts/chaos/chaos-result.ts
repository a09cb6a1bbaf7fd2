import { summarize } from '../bench/stats.js';
import type { BenchResult } from '../bench/types.js';
import type { ChaosReport } from '../../support/chaos/chaos-estate.js';

/** The figures of one chaos scenario as a bench result (bench/results, docs/BENCHMARKS.md). */
export function chaosResult(name: string, title: string, command: string, report: ChaosReport, notes: string[]): Omit<BenchResult, 'ranAt'> {
  const rate = report.passages / (report.durationMs / 1000);
  // Kill to ready again: no process, so nobody is decided.
  const downMs = report.faults.filter((f) => f.kind === 'sigkill').reduce((total, f) => total + f.endedAt - f.startedAt, 0);
  const upRate = report.passages / ((report.durationMs - downMs) / 1000);
  return {
    name,
    title,
    command,
    figures: {
      'load duration (s)': Math.round(report.durationMs / 1000),
      'passages/s recorded, averaged over the run (restarts included)': Number(rate.toFixed(1)),
      ...(downMs > 0 ? { 'passages/s recorded while a gateway process was up': Number(upRate.toFixed(1)) } : {}),
      'events recorded (passages + alerts in SQLite)': report.recorded,
      'passages recorded': report.passages,
      'alerts recorded': report.alerts,
      'delivered to the QoS 1 subscriber': report.delivered,
      lost: report.lost,
      'duplicated (extra copies, removed by id)': report.duplicated,
      'barrier-forced (sensor passage without a recorded grant)': report.barrierForced,
      ...recoveryFigures('SIGKILL', report.faults.filter((f) => f.kind === 'sigkill').length, report.killRecoveryMs, 'kill → first passage recorded again'),
      ...restartFigures(report),
      ...recoveryFigures('broker outage', report.faults.filter((f) => f.kind === 'broker-outage').length, report.brokerRecoveryMs, 'broker back → backlog delivered'),
    },
    notes,
  };
}

/** The line `npm run chaos` ends with. */
export function lossLine(reports: readonly ChaosReport[]): string {
  const sum = (pick: (r: ChaosReport) => number) => reports.reduce((total, r) => total + pick(r), 0);
  return `lost=${sum((r) => r.lost)} recorded=${sum((r) => r.recorded)} delivered=${sum((r) => r.delivered)} duplicated=${sum((r) => r.duplicated)} barrier-forced=${sum((r) => r.barrierForced)}`;
}

function recoveryFigures(fault: string, count: number, samples: readonly number[], what: string): Record<string, number | string> {
  if (count === 0) return {};
  const recovered = samples.filter(Number.isFinite);
  const missing = samples.length - recovered.length;
  if (recovered.length === 0) return { [`${fault}s`]: count, [`${fault}: ${what}`]: 'none recovered' };
  const s = summarize(recovered);
  return {
    [`${fault}s`]: count,
    [`${fault}: ${what}, median (ms)`]: Math.round(s.p50),
    [`${fault}: ${what}, max (ms)`]: missing === 0 ? Math.round(s.max) : `${Math.round(s.max)} (${missing} did not recover before the end)`,
  };
}

function restartFigures(report: ChaosReport): Record<string, number> {
  const restarts = report.faults.flatMap((f) => (f.restartMs === undefined ? [] : [f.restartMs]));
  if (restarts.length === 0) return {};
  return { 'SIGKILL: restart, spawn → ready, max (ms)': Math.round(Math.max(...restarts)) };
}
