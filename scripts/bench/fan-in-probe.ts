import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * What the fan-in bench (fan-in.ts) measures from outside the processes:
 * CPU and RSS from /proc (each process by label, a restarted one adding to
 * its label), the whole machine's busy time (the cores are shared with other
 * work), and the receiver's figures from its own database and /metrics.
 */

const TICK_HZ = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function procTicks(pid: number): { ticks: number; rssMiB: number } | undefined {
  try {
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { ticks, rssMiB: rss ? Number(rss[1]) / 1024 : 0 };
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of all cores (/proc/stat, first line). */
function machineTicks(): { busy: number; total: number } {
  const parts = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1).map(Number);
  const idle = (parts[3] ?? 0) + (parts[4] ?? 0);
  const total = parts.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

export interface CpuFigures {
  /** Label → cores used on average over the window (1 = one core busy). */
  cores: Record<string, number>;
  /** Label → highest RSS seen (MiB). */
  rssMiB: Record<string, number>;
  /** All cores of the machine, busy on average, whoever used them. */
  machineCores: number;
}

/** Samples the labelled processes every second between start() and stop(). */
export class CpuSampler {
  private readonly seen = new Map<number, { label: string; first: number; last: number }>();
  private readonly peakRss = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private machineStart = machineTicks();

  constructor(private readonly processes: () => Array<{ label: string; pid: number | undefined }>) {}

  start(): void {
    this.startedAt = Date.now();
    this.machineStart = machineTicks();
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  stop(): CpuFigures {
    clearInterval(this.timer);
    this.sample();
    const seconds = (Date.now() - this.startedAt) / 1000;
    const cores: Record<string, number> = {};
    for (const { label, first, last } of this.seen.values()) cores[label] = (cores[label] ?? 0) + (last - first) / TICK_HZ / seconds;
    const machine = machineTicks();
    const machineCores = ((machine.busy - this.machineStart.busy) / (machine.total - this.machineStart.total)) * (readFileSync('/proc/stat', 'utf8').match(/^cpu\d+ /gm)?.length ?? 1);
    const round = (value: number) => Math.round(value * 100) / 100;
    return {
      cores: Object.fromEntries(Object.entries(cores).map(([label, value]) => [label, round(value)])),
      rssMiB: Object.fromEntries([...this.peakRss].map(([label, value]) => [label, Math.round(value)])),
      machineCores: round(machineCores),
    };
  }

  private sample(): void {
    for (const { label, pid } of this.processes()) {
      if (pid === undefined) continue;
      const now = procTicks(pid);
      if (!now) continue;
      const known = this.seen.get(pid);
      if (known) known.last = now.ticks;
      else this.seen.set(pid, { label, first: now.ticks, last: now.ticks });
      this.peakRss.set(label, Math.max(this.peakRss.get(label) ?? 0, now.rssMiB));
    }
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export interface StoreFigures {
  alertDelaysMs: number[];
  passageDelaysMs: number[];
  /** Verified reports that arrived within [from, to). */
  arrivedInWindow: number;
  stored: number;
  backfilled: number;
  findings: Record<string, number>;
}

/** Reads the receiver's SQLite store after it stopped: delays are arrival (`received_at`) minus the report's own `ts`. */
export function readReceiverStore(path: string, window: { from: number; to: number }): StoreFigures {
  const db = new Database(path, { readonly: true });
  try {
    const delays = (kind: string) =>
      (db.prepare('SELECT delay_ms FROM reports WHERE kind = ? AND backfilled = 0 AND delay_ms IS NOT NULL ORDER BY delay_ms').all(kind) as Array<{ delay_ms: number }>).map((row) => row.delay_ms);
    const one = (sql: string, ...params: number[]) => (db.prepare(sql).get(...params) as { n: number }).n;
    return {
      alertDelaysMs: delays('alerts'),
      passageDelaysMs: delays('passages'),
      arrivedInWindow: one('SELECT count(*) AS n FROM reports WHERE received_at >= ? AND received_at < ?', window.from, window.to),
      stored: one('SELECT count(*) AS n FROM reports'),
      backfilled: one('SELECT count(*) AS n FROM reports WHERE backfilled = 1'),
      findings: Object.fromEntries((db.prepare('SELECT kind, count(*) AS n FROM findings GROUP BY kind').all() as Array<{ kind: string; n: number }>).map((row) => [row.kind, row.n])),
    };
  } finally {
    db.close();
  }
}

/** `gatewarden_district_messages_total{outcome="…"}` from a /metrics text. */
export function messagesByOutcome(metrics: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const match of metrics.matchAll(/^gatewarden_district_messages_total\{outcome="([^"]+)"\} (\d+)/gm)) out[match[1] as string] = Number(match[2]);
  return out;
}
