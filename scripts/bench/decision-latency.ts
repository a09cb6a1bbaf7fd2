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
  const record = (label: string, result: LoadResult, rig: LoadRig) => {
    const s = summarize(result.latenciesMs);
    const inside = summarize(rig.insideMs.splice(0));
    log(`${label}: ${result.achievedPerS}/s achieved, inside p50 ${inside.p50} p99 ${inside.p99}, n ${s.n}, p50 ${s.p50} ms, p99 ${s.p99} ms, p99.9 ${s.p999} ms, max ${s.max} ms, missed ${result.missed}, sim loop delay p99 ${result.simLoopDelayP99Ms} ms`);
    Object.assign(figures, {
      [`${label}: passages/s achieved`]: result.achievedPerS,
      [`${label}: passages timed`]: s.n,
      [`${label}: p50 (ms)`]: s.p50,
      [`${label}: p99 (ms)`]: s.p99,
      [`${label}: p99.9 (ms)`]: s.p999,
      [`${label}: max (ms)`]: s.max,
      [`${label}: scans with no barrier command`]: result.missed,
      [`${label}: inside the gateway, scan read → decision recorded, p50 / p99 (ms)`]: `${inside.p50} / ${inside.p99}`,
      [`${label}: simulator event-loop delay p99 (ms)`]: result.simLoopDelayP99Ms,
    });
  };

  const hop = summarize(await ptyHopMs(Math.max(200, Math.round(2000 * scale))));
  log(`one pty hop (serialport → socat → serialport): p50 ${hop.p50} ms, p99 ${hop.p99} ms`);
  figures['one pty hop, no gateway: p50 / p99 (ms)'] = `${hop.p50} / ${hop.p99}`;

  const rig = await LoadRig.start();
  try {
    await rig.run(STEADY_PER_S / 4, 1); // warm-up, not recorded
    rig.insideMs.splice(0);
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
    record(`steady ${STEADY_PER_S}/s, broker down`, await down.run(STEADY_PER_S, steadyS), down);
  } finally {
    await down.stop();
  }

  // The same steady load with synchronous NORMAL: how much of the latency is the fsync that FULL puts before every release.
  const normal = await LoadRig.start({ synchronous: 'normal' });
  try {
    await normal.run(STEADY_PER_S / 4, 1);
    normal.insideMs.splice(0);
    record(`steady ${STEADY_PER_S}/s, synchronous NORMAL`, await normal.run(STEADY_PER_S, steadyS), normal);
  } finally {
    await normal.stop();
  }

  return {
    name: 'decision-latency',
    title: 'Decision latency, end to end: last scan byte on a pty → barrier command on a pty',
    command: 'npm run bench -- --only decision-latency',
    figures,
    notes: [
      'Target: p99 ≤ 5 ms and p99.9 ≤ 20 ms on top of device wire time. A pty moves bytes without baud timing, so these figures are the gateway alone (plus the pty hop); add the wire time of the scan and command frames for a real line.',
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
