import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { SerialLink } from '../../src/drivers/serial/serial-link.js';
import { PtyPair } from '../../support/sim/pty-pair.js';
import { waitFor } from '../../support/sim/wait-for.js';
import { LANES, LoadRig, type LoadResult } from './lane-load.js';
import { elapsedMs, summarize } from './stats.js';
import type { Bench, BenchContext } from './types.js';

const STEADY_PER_S = 200;
const BURST_PER_S = 1000;

/**
 * Decision latency end to end (issue 7): from the last byte of a scan written
 * on the scanner's pty to the barrier command read on the barrier's pty, both
 * timed here on the simulator side with process.hrtime. The gateway runs in
 * its own process on real drivers, the real store and a real broker; see
 * LoadRig for the estate. Four runs: steady load, a burst, steady load with a
 * passage export (trace query) running against the API throughout, and
 * steady load with the broker down so the outbox backs up.
 */
export const decisionLatency: Bench = async (context) => {
  const { scale, log } = context;
  const steadyS = Math.max(2, Math.round(30 * scale));
  const burstS = Math.max(0.5, 3 * scale);
  const figures: Record<string, number | string> = { lanes: LANES };
  const results = new Map<string, ReturnType<typeof summarize> & { achievedPerS: number }>();
  const record = (label: string, result: LoadResult, rig: LoadRig) => {
    const s = summarize(result.latenciesMs);
    const inside = summarize(rig.insideMs.splice(0));
    const decide = summarize(rig.stepsMs.decideMs.splice(0));
    const commit = summarize(rig.stepsMs.commitMs.splice(0));
    log(`${label}: ${result.achievedPerS}/s achieved, inside p50 ${inside.p50} p99 ${inside.p99}, n ${s.n}, p50 ${s.p50} ms, p99 ${s.p99} ms, p99.9 ${s.p999} ms, max ${s.max} ms, missed ${result.missed}, sim loop delay p99 ${result.simLoopDelayP99Ms} ms`);
    results.set(label, { ...s, achievedPerS: result.achievedPerS });
    Object.assign(figures, {
      [`${label}: passages/s achieved`]: result.achievedPerS,
      [`${label}: passages timed`]: s.n,
      [`${label}: p50 (ms)`]: s.p50,
      [`${label}: p99 (ms)`]: s.p99,
      [`${label}: p99.9 (ms)`]: s.p999,
      [`${label}: max (ms)`]: s.max,
      [`${label}: scans with no barrier command`]: result.missed,
      [`${label}: inside the gateway, scan read → decision recorded, p50 / p99 (ms)`]: `${inside.p50} / ${inside.p99}`,
      [`${label}: of which scan read → commit asked (Ed25519, decision), p50 / p99 (ms)`]: `${decide.p50} / ${decide.p99}`,
      [`${label}: of which commit asked → committed (writer thread, group commit, fsync), p50 / p99 (ms)`]: `${commit.p50} / ${commit.p99}`,
      [`${label}: simulator event-loop delay p99 (ms)`]: result.simLoopDelayP99Ms,
    });
  };

  const hopCount = Math.max(200, Math.round(2000 * scale));
  const hop = summarize(await ptyHopMs(hopCount));
  log(`one pty hop (serialport → socat → serialport): p50 ${hop.p50} ms, p99 ${hop.p99} ms`);
  figures['one pty hop, no gateway, before the load: p50 / p99 (ms)'] = `${hop.p50} / ${hop.p99}`;

  const rig = await LoadRig.start();
  try {
    await rig.run(STEADY_PER_S / 4, 1); // warm-up, not recorded
    rig.insideMs.splice(0);
    rig.stepsMs.decideMs.splice(0);
    rig.stepsMs.commitMs.splice(0);
    record(`steady ${STEADY_PER_S}/s`, await rig.run(STEADY_PER_S, steadyS), rig);
    record(`burst ${BURST_PER_S}/s`, await rig.run(BURST_PER_S, burstS), rig);
    record(`steady ${STEADY_PER_S}/s + trace query`, await withTraceQueries(rig, () => rig.run(STEADY_PER_S, steadyS), context), rig);
  } finally {
    await rig.stop();
  }

  const down = await LoadRig.start({ brokerDown: true });
  try {
    await down.run(STEADY_PER_S / 4, 1);
    down.insideMs.splice(0);
    down.stepsMs.decideMs.splice(0);
    down.stepsMs.commitMs.splice(0);
    record(`steady ${STEADY_PER_S}/s, broker down`, await down.run(STEADY_PER_S, steadyS), down);
  } finally {
    await down.stop();
  }

  // The same steady load with synchronous NORMAL: how much of the latency is the fsync that FULL puts before every release.
  const normal = await LoadRig.start({ synchronous: 'normal' });
  try {
    await normal.run(STEADY_PER_S / 4, 1);
    normal.insideMs.splice(0);
    normal.stepsMs.decideMs.splice(0);
    normal.stepsMs.commitMs.splice(0);
    record(`steady ${STEADY_PER_S}/s, synchronous NORMAL`, await normal.run(STEADY_PER_S, steadyS), normal);
  } finally {
    await normal.stop();
  }

  const verify = summarize(ed25519VerifyMs(2000));
  figures['Ed25519 verification of one pass, bench process, p50 / p99 (ms)'] = `${verify.p50} / ${verify.p99}`;
  // Measured again after the load: a spike of the machine during one measurement widened the margins once (H 9.5 ms
  // where the transport's p99 is about 1.3 ms), so H is taken from the lower of the two.
  const hopAfter = summarize(await ptyHopMs(hopCount));
  figures['one pty hop, no gateway, after the load: p50 / p99 (ms)'] = `${hopAfter.p50} / ${hopAfter.p99}`;
  Object.assign(figures, targetMargins(2 * Math.min(hop.p99, hopAfter.p99), results));

  return {
    name: 'decision-latency',
    title: 'Decision latency, end to end: last scan byte on a pty → barrier command on a pty',
    command: 'npm run bench -- --only decision-latency',
    figures,
    notes: [
      'Targets (issue 14), relative to the transport of the same run: H = two pty hops\' p99 (twice the one-hop p99, the lower of the measurements before and after the load); steady p99 ≤ H + 1.5 ms and p99.9 ≤ H + 5 ms; with exports running p99 ≤ H + 3 ms; a burst of 1000/s achieved with p99 ≤ 10 ms. Each margin is printed with "met" or "missed".',
      'Steps inside the gateway: "scan read → commit asked" runs from the scanner\'s decoded code reaching the lane to the decision\'s commit being handed to the writer thread (Ed25519 verification and the decision; Ed25519 alone is also timed in the bench process); "commit asked → committed" is the wait for the writer thread\'s group commit, fsync included. The rest of the end-to-end time is the two pty hops, the scanner\'s framing, the release write and event-loop queueing.',
      'Earlier target: p99 ≤ 5 ms and p99.9 ≤ 20 ms on top of device wire time. A pty moves bytes without baud timing, so these figures are the gateway alone (plus the pty hop); add the wire time of the scan and command frames for a real line.',
      `${LANES} entry lanes, each a QR scanner, an ASCII-push thermometer and a serial-ack barrier on its own socat pty; the gateway is \`node dist/cli.js start\` in its own process (profile drivers, SQLite synchronous FULL, embedded aedes broker); the simulators and the clock run in the bench process.`,
      'Temperature: pre-supplied. Each person\'s reading (36.6 °C) is pushed on the thermometer pty 4 ms before the scan, so the lane decides on the scan without waiting for a measurement (the freshness window accepts it).',
      'Every scan is a distinct, valid, green health pass (Ed25519 verified by the gateway), so every decision is a grant followed by a barrier command; the simulated person walks through at once and the lane takes the next person 8 ms later.',
      'Trace query: a guard exports the passages as CSV (GET /api/passages.csv?limit=100000) over and over for the whole run, in the gateway process.',
      'Broker down: the gateway is pointed at an external broker on a closed port; it keeps deciding and the outbox grows.',
      'Synchronous NORMAL: the same steady load with the store in NORMAL mode, for comparison. Every passage is committed before its barrier is released, so with FULL each decision waits for an fsync; on a busy disk that fsync, not the decision, dominates the latency and caps the rate a lane can take.',
      'One pty hop: a frame written through serialport on one end of a socat pty pair until serialport reads it on the other, in one process with no gateway. The end-to-end path has two such hops (scan in, command out), so they are transport, not gateway; "inside the gateway" is the gateway\'s own log of scan read → decision recorded (SQLite commit included).',
    ],
  };
};

/** Runs `load` while a guard keeps exporting the passage log through the API, one export after another. */
async function withTraceQueries(rig: LoadRig, load: () => Promise<LoadResult>, { log }: BenchContext): Promise<LoadResult> {
  let running = true;
  let exports = 0;
  const guard = (async () => {
    // Bounded: stops when the load does, and waits between failed calls.
    while (running) {
      const response = await fetch(`${rig.http.url}/api/passages.csv?limit=100000`, { headers: { authorization: `Bearer ${rig.http.token}` } }).catch(() => undefined);
      if (response?.ok) {
        await response.arrayBuffer();
        exports += 1;
      } else {
        await sleep(100);
      }
    }
  })();
  try {
    return await load();
  } finally {
    running = false;
    await guard;
    log(`trace query: ${exports} full exports during the run`);
  }
}

/** Latency of one pty hop alone: write on one end of a socat pair, read on the other, `count` times, 5 ms apart. */
async function ptyHopMs(count: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-pty-hop-'));
  const pair = PtyPair.inDir(dir, 'hop');
  await pair.start();
  const serial = { baudRate: 115_200, dataBits: 8, parity: 'none', stopBits: 1 } as const;
  const silent = pino({ level: 'silent' });
  const writer = new SerialLink({ ...serial, path: pair.simPath }, silent);
  const reader = new SerialLink({ ...serial, path: pair.devicePath }, silent);
  const samples: number[] = [];
  let sentAt: bigint | undefined;
  reader.onData(() => {
    if (sentAt !== undefined) samples.push(elapsedMs(sentAt));
    sentAt = undefined;
  });
  try {
    writer.start();
    reader.start();
    await waitFor(() => writer.isOpen && reader.isOpen, { what: 'pty hop ends open' });
    // Bounded: count pings, each given up after 5 ms if it has not arrived.
    for (let i = 0; i < count; i += 1) {
      sentAt = process.hrtime.bigint();
      writer.write(Buffer.from(']Q1ping\r'));
      await sleep(5);
    }
  } finally {
    await Promise.all([writer.stop(), reader.stop()]);
    await pair.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return samples;
}

/** Ed25519 verification alone, as the gateway does it for every pass (a 120-byte payload), `count` times. */
function ed25519VerifyMs(count: number): number[] {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const payload = Buffer.from(JSON.stringify({ v: 1, kid: 'bench', sub: 'resident-0001', col: 'green', iat: 1_800_000_000, exp: 1_800_003_600 }).padEnd(120));
  const signature = sign(null, payload, privateKey);
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = process.hrtime.bigint();
    verify(null, payload, publicKey, signature);
    samples.push(elapsedMs(started));
  }
  return samples;
}

/** The issue-14 margins over H (two pty hops' p99 of this run), each with whether it is met. */
function targetMargins(h: number, results: ReadonlyMap<string, ReturnType<typeof summarize> & { achievedPerS: number }>): Record<string, string | number> {
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  const margin = (value: number | undefined, limit: number) => (value === undefined ? 'not run' : `${round(value - h)} ms over H (target ≤ ${limit}): ${value - h <= limit ? 'met' : 'missed'}`);
  const steady = results.get(`steady ${STEADY_PER_S}/s`);
  const traced = results.get(`steady ${STEADY_PER_S}/s + trace query`);
  const burst = results.get(`burst ${BURST_PER_S}/s`);
  return {
    'H = two pty hops, p99 (ms)': round(h),
    'target: steady p99 − H': margin(steady?.p99, 1.5),
    'target: steady p99.9 − H': margin(steady?.p999, 5),
    'target: with exports running, p99 − H': margin(traced?.p99, 3),
    'target: burst 1000/s achieved, p99 ≤ 10 ms': burst
      ? `${burst.achievedPerS}/s, p99 ${burst.p99} ms: ${burst.achievedPerS >= BURST_PER_S * 0.99 && burst.p99 <= 10 ? 'met' : 'missed'}`
      : 'not run',
  };
}
