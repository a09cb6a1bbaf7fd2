import { setTimeout as sleep } from 'node:timers/promises';
import { LANES, LoadRig } from './lane-load.js';
import type { Bench } from './types.js';

const LOAD_PER_S = 200;
const SAMPLE_EVERY_S = 5;

/** Least-squares slope of y over x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / n;
  const mx = mean(xs);
  const my = mean(ys);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i += 1) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Gateway memory (issue 7): resident set size of the gateway process at idle,
 * under the decision-latency load (16 lanes, 200 passages/s), and over a soak
 * at that load (30 minutes; --quick scales it down, BENCH_SOAK_S sets it, e.g.
 * a shorter soak on a shared machine), sampled every 5 s. Two
 * trends: the least-squares slope of RSS over the soak's second half, and that
 * of the per-window minima (see the notes: RSS is a GC sawtooth).
 */
export const memory: Bench = async ({ scale, log }) => {
  const soakS = Number(process.env.BENCH_SOAK_S) || Math.max(60, Math.round(1800 * scale));
  const rig = await LoadRig.start();
  try {
    await sleep(5000);
    const idle = rig.rssMb();
    log(`idle: ${idle} MB`);
    const samples: Array<{ atS: number; mb: number }> = [];
    const started = performance.now();
    let peak = 0;
    let passages = 0;
    // Bounded: one load slice per sample until the soak time is up.
    while (performance.now() - started < soakS * 1000) {
      const result = await rig.run(LOAD_PER_S, SAMPLE_EVERY_S);
      passages += result.sent;
      rig.insideMs.splice(0);
      const mb = rig.rssMb();
      peak = Math.max(peak, mb);
      samples.push({ atS: (performance.now() - started) / 1000, mb });
    }
    const settled = samples.slice(Math.floor(samples.length / 2));
    const perMinute = Math.round(slope(settled.map((s) => s.atS), settled.map((s) => s.mb)) * 60 * 100) / 100;
    const first = settled[0]?.mb ?? Number.NaN;
    const last = samples.at(-1)?.mb ?? Number.NaN;
    const troughs = windowMinima(samples, Math.max(30, soakS / 10)).slice(1);
    const troughPerMinute = troughs.length < 2 ? 'too short' : Math.round(slope(troughs.map((t) => t.atS), troughs.map((t) => t.mb)) * 60 * 100) / 100;
    log(`under load: peak ${peak} MB; soak ${soakS} s, ${passages} passages, RSS ${first} → ${last} MB, slope ${perMinute} MB/min over the second half, ${troughPerMinute} MB/min over the troughs`);
    return {
      name: 'memory',
      title: 'Gateway memory: idle, under load, and over a soak',
      command: `npm run build && ${process.env.BENCH_SOAK_S ? `BENCH_SOAK_S=${soakS} ` : ''}npm run bench -- --only memory`,
      figures: {
        'RSS at idle, 16 lanes (MB)': idle,
        [`RSS under load, peak (MB), ${LOAD_PER_S} passages/s`]: peak,
        'soak duration (s)': soakS,
        'passages during the soak': passages,
        'RSS at the start of the second half → end (MB)': `${first} → ${last}`,
        'RSS trend over the second half (MB/min, least squares)': perMinute,
        'RSS trend of the troughs, after the first window (MB/min, least squares)': troughPerMinute,
        'RSS troughs per window (MB)': troughs.map((t) => t.mb).join(', '),
      },
      notes: [
        `Target: RSS ≤ 120 MB peak under load, and flat troughs over a 30-minute soak. Same estate and load as decision-latency (${LANES} lanes on socat ptys, gateway in its own process started as the installed command starts it: node --optimize-for-size, MALLOC_ARENA_MAX=1, from src/cli.ts's first line; SQLite synchronous FULL, embedded broker, guard-room page on); RSS from /proc/<pid>/status every ${SAMPLE_EVERY_S} s.`,
        'RSS is a sawtooth: V8 lets the old generation grow under load, then a major collection returns it. A slope over raw samples depends on where the teeth fall; the trend that shows a leak is that of the troughs, the lowest RSS of each window (a tenth of the soak, at least 30 s), which should be flat.',
        'Before (same day, 2026-11-30, the branch point 94d8847, `npm run bench -- --only memory --quick`, a 60 s soak on the machine shared with 4 other helpers): idle 221.7 MB, peak 282.2 MB. What was removed, each measured on the same rig (scripts run by hand, 60 s at 200/s): fastify and its plugins, selfsigned, qrcode and modbus-serial load only when used, and the ajv validators compile on first use (idle 219 → 184 MB with the following); mqtt-packet\'s number cache off (65,536 Buffers, 6.9 MB of a 45.6 MB live heap, the largest item of an idle heap snapshot); serial read pools 4 KiB instead of 64 KiB (3 MB with 48 ports); node --optimize-for-size (idle 181 → 150 MB, peak 209 → 153 MB); MALLOC_ARENA_MAX=2 (a further 20 MB: idle 126, peak 134 MB). Decision latency with and without the flags, adjacent runs: p50 38.8 vs 39.0 ms, p99 293 vs 343 ms (the machine\'s load, not the gateway, sets these absolute figures). Tried and not adopted: --max-semi-space-size=1 with --optimize-for-size (no further gain: idle 149, peak 157 MB), --lite-mode (10 MB less, no optimizing compiler).',
        'A 5-minute soak, not 30, on a machine shared with 4 other helpers: its troughs still rise (2026-11-30: 128.8 → 147.1 MB), as those of the 10-minute soak of 2026-11-29 did (148 → 191 MB, levelling off in its second half); 5 minutes do not show where they level off under these flags, and the 30-minute soak is still to run on a quiet machine.',
        'Where the rest goes (idle, 16 lanes, after): about 54 MB are pages of the node binary itself (a bare node touches 30 MB of it; crypto adds 5 MB, and the ICU time-zone data that the page\'s local-time counters need (src/http/time-zone.ts) 11 MB); the live V8 heap is 37 MB, of which 11.6 MB are the source text of the loaded modules (kept for Function.prototype.toString) and 11 MB bytecode; the malloc heap about 27 MB (SQLite, libuv, OpenSSL). Below 120 MB would mean loading less code (the guard-room page and its API are on in this rig) or not touching ICU.',
        'Queues and their bounds: scanner and line buffers hold at most one frame (maxFrameLength plus affixes; the regex framer maxFrameLength characters); the RTU receive buffer 512 bytes and one request on the wire per line; the Modbus request queue holds at most a couple of requests per device (pollers await their previous request; an indicator keeps only the latest signal waiting; a barrier is released once per passage; retries are queued afresh); serial barriers send one command at a time; the outbox lives in SQLite, not memory, capped at outbox.maxRows (passages shed oldest first, alerts never) and delivered through a window of outbox.window in-flight messages; the embedded broker queues at most limits.queueLimit messages per slow client; guard-room SSE clients are capped at 64, and a client more than 1 MB behind is dropped (src/http/live-feed.ts).',
      ],
    };
  } finally {
    await rig.stop();
  }
};

/** The lowest sample of each window of `windowS` seconds, at the window's middle. */
function windowMinima(samples: ReadonlyArray<{ atS: number; mb: number }>, windowS: number): Array<{ atS: number; mb: number }> {
  const windows = new Map<number, number>();
  for (const sample of samples) {
    const index = Math.floor(sample.atS / windowS);
    windows.set(index, Math.min(windows.get(index) ?? Number.POSITIVE_INFINITY, sample.mb));
  }
  return [...windows.entries()].sort(([a], [b]) => a - b).map(([index, mb]) => ({ atS: (index + 0.5) * windowS, mb }));
}
