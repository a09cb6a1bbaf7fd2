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
        'Second pass (2026-11-30, each measured on the same rig with throwaway scripts reading /proc/<pid>/status and smaps every 10 s for 3 minutes at 200/s): the troughs rose because the in-memory set of who is inside took every new resident (now at most 50,000), and because better-sqlite3 builds SQLite with a 16 MB page cache per connection and a growing log filled both the writer\'s and the reader\'s (now 2 MB each: 173 → 156 MB after 3 minutes); the writer thread loaded pino and TypeBox (a bare worker costs 19 MB of RSS, those two 9 MB more; its log lines now go to the gateway\'s logger as plain objects); a second malloc arena held 10–20 MB of the writer\'s and V8\'s helper threads\' allocations (MALLOC_ARENA_MAX=1: 164 → 149 MB after 3 minutes, side by side); Intl.DateTimeFormat loads ICU\'s calendar and locale data, 8 MB, now made when the page first formats a local time; comments are stripped from the build (300 KB less source text).',
        'Where the rest goes (after the second pass, under load): about 57 MB are file pages of the node binary (a bare node touches 34 MB of it, and a worker thread\'s isolate 9 MB more); anonymous memory about 84 MB: the main V8 heap about 42 MB (old space 29 MB used, of which the source text and bytecode of the loaded modules: fastify and its plugins, aedes, mqtt.js, ajv, yaml, commander), the writer\'s isolate about 10 MB, and the malloc heap about 30 MB (SQLite\'s two 2 MB caches and statements, OpenSSL, libuv, Buffers). A bare node with one worker thread is 61 MB before any gateway code. Below 120 MB under load would take the guard-room page and its API out of the process or the writer thread back onto the event loop. Tried and not adopted (60 s runs, within noise of each other): --max-semi-space-size=1, --v8-pool-size=1, --no-opt.',
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
