import { readIssuedTokens } from '../../src/issued-tokens.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { validateConfig } from '../../src/config/load-config.js';
import { gatewayLaunch } from '../../support/gateway/gateway-launch.js';
import { PassIssuer } from '../../src/demo/pass-issuer.js';
import { generateEd25519 } from '../../src/secrets.js';
import { GatewayProcess, parseLogLine } from '../../support/gateway/gateway-process.js';
import { SimEstate } from '../../support/sim/estate.js';
import type { LineSim } from '../../support/sim/line-sim.js';
import { waitFor } from '../../support/sim/wait-for.js';

/**
 * A gateway under passage load, for the decision-latency and memory benches.
 * LANES entry lanes, each with a QR scanner, a self-triggering thermometer
 * (ASCII push) and a serial barrier, every one on its own socat pty: the
 * gateway runs as `node dist/cli.js start` in a process of its own with real
 * drivers, the real store (synchronous FULL) and a real broker; the
 * simulators run here. Each person's reading is pushed PRESUPPLY_MS before
 * their scan, so the decision does not wait for a measurement, and the
 * simulated person walks through as soon as the barrier acknowledges.
 */
export const LANES = 16;
/** How long before the scan the thermometer pushes the reading: it arrives on another pty first. */
const PRESUPPLY_MS = 4;
/** After the passage report, before the next person scans on that lane: the gateway settles the passage first. */
const SETTLE_MS = 4;
/** A scan with no barrier command after this long counts as missed and frees the lane. */
const MISSED_AFTER_MS = 2000;

export interface RigOptions {
  /** Entry lanes; LANES unless a smaller estate is wanted (a baseline). */
  lanes?: number;
  /** Point the gateway at a broker that is not there, so the outbox backs up. */
  brokerDown?: boolean;
  /** SQLite synchronous mode; FULL (the default config) unless a run compares. */
  synchronous?: 'full' | 'normal';
  /** Extra node flags for the gateway process, for diagnosis (e.g. --trace-gc). */
  nodeFlags?: string[];
}

export interface LoadResult {
  /** Last scan byte written → barrier command read, per passage (ms). */
  latenciesMs: number[];
  /** The simulators' own event-loop delay, p99 (ms): when it is high, the figures measure the bench, not the gateway. */
  simLoopDelayP99Ms: number;
  sent: number;
  missed: number;
  achievedPerS: number;
}

interface LaneRig {
  scanner: LineSim;
  thermometer: LineSim;
  busy: boolean;
  scannedAt: bigint | undefined;
  missTimer: NodeJS.Timeout | undefined;
}

/** A passage's timing as the gateway logs it (lane-runner.ts). */
interface PassageTiming {
  sinceScanMs: number;
  decideMs?: number;
  commitMs?: number;
}

export interface PassageSteps {
  decideMs: number[];
  commitMs: number[];
}

export class LoadRig {
  private readonly lanes: LaneRig[] = [];
  private latencies: number[] = [];
  private missed = 0;
  private serial = 0;

  private constructor(
    readonly dir: string,
    private readonly estate: SimEstate,
    readonly gateway: GatewayProcess,
    readonly http: { url: string; token: string },
    private readonly issuer: PassIssuer,
    laneCount: number,
    /** The gateway's own scan → recorded decision time, from its log; callers take and clear it per run. */
    readonly insideMs: number[],
    /** The same split in two: scan read → commit asked (Ed25519 and the decision), commit asked → committed. */
    readonly stepsMs: PassageSteps,
  ) {
    for (let index = 0; index < laneCount; index += 1) {
      const lane: LaneRig = { scanner: estate.line(`l${index}-qr`), thermometer: estate.line(`l${index}-thermo`), busy: false, scannedAt: undefined, missTimer: undefined };
      const barrier = estate.line(`l${index}-barrier`);
      const walkThrough = barrier.onCommand;
      barrier.onCommand = (command) => {
        if (command === 'OPEN') this.opened(lane);
        walkThrough?.(command);
        if (command === 'OPEN') setTimeout(() => (lane.busy = false), SETTLE_MS);
      };
      this.lanes.push(lane);
    }
  }

  static async start(options: RigOptions = {}): Promise<LoadRig> {
    const dir = mkdtempSync(join(tmpdir(), 'gw-load-'));
    const key = generateEd25519('bench-issuer');
    const raw = rigConfig(dir, key, options);
    const estate = await SimEstate.start(validateConfig(structuredClone(raw), 'bench'), { walkThroughMs: 0 });
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(raw));
    // As the installed command runs it: the node flags and environment of its shebang, then any of this run's own.
    const launch = gatewayLaunch();
    const gateway = new GatewayProcess(configPath, { nodeFlags: [...launch.nodeFlags, ...(options.nodeFlags ?? [])], env: launch.env, stderr: 'inherit' });
    const inside: number[] = [];
    const steps: PassageSteps = { decideMs: [], commitMs: [] };
    // Capped so a long soak cannot grow it without bound; each run takes and clears it.
    const http = await untilServing(gateway, (entry) => {
      if (inside.length >= 200_000) return;
      inside.push(entry.sinceScanMs);
      if (entry.decideMs !== undefined) steps.decideMs.push(entry.decideMs);
      if (entry.commitMs !== undefined) steps.commitMs.push(entry.commitMs);
    }).catch(async (error: unknown) => {
      // No gateway, no rig: take the simulators and their socat processes down with it.
      await gateway.kill();
      await estate.stop();
      rmSync(dir, { recursive: true, force: true });
      throw error;
    });
    // Every device comes online once its port opens.
    await sleep(1000);
    return new LoadRig(dir, estate, gateway, http, new PassIssuer(key.kid, key.privateKey), options.lanes ?? LANES, inside, steps);
  }

  /** Resident set size of the gateway process, in MB, from /proc. */
  rssMb(): number {
    if (this.gateway.pid === undefined) throw new Error('the gateway is not running');
    const status = readFileSync(`/proc/${this.gateway.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    return Math.round((kb / 1024) * 10) / 10;
  }

  /**
   * Sends people at `perSecond` across all lanes for `seconds`: arrivals are
   * due at a steady rate and go to the lanes in turn; a lane still busy with the
   * previous person takes the next one as soon as it is free.
   */
  async run(perSecond: number, seconds: number): Promise<LoadResult> {
    this.latencies = [];
    this.missed = 0;
    const total = Math.round(perSecond * seconds);
    const passes = Array.from({ length: total }, () => this.pass());
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const started = performance.now();
    let sent = 0;
    let next = 0;
    // Bounded: at most total arrivals, and at most (seconds + drain) worth of 2 ms ticks.
    const deadline = started + seconds * 1000 + 10_000;
    while (sent < total && performance.now() < deadline) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * perSecond) + 1);
      for (let tries = 0; sent < due && tries < this.lanes.length; tries += 1) {
        const lane = this.lanes[next]!;
        next = (next + 1) % this.lanes.length;
        if (lane.busy) continue;
        this.arrive(lane, passes[sent]!);
        sent += 1;
      }
      await sleep(2);
    }
    const elapsedS = (performance.now() - started) / 1000;
    await waitFor(() => this.lanes.every((lane) => !lane.busy), { what: 'lanes idle', timeoutMs: MISSED_AFTER_MS * 2 });
    loopDelay.disable();
    const simLoopDelayP99Ms = Math.round(loopDelay.percentile(99) / 1e4) / 100;
    return { latenciesMs: this.latencies, simLoopDelayP99Ms, sent, missed: this.missed, achievedPerS: Math.round(sent / elapsedS) };
  }

  async stop(): Promise<void> {
    for (const lane of this.lanes) clearTimeout(lane.missTimer);
    await this.gateway.stop(15_000);
    await this.estate.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private arrive(lane: LaneRig, pass: string): void {
    lane.busy = true;
    lane.thermometer.send('36.6');
    setTimeout(() => {
      lane.scanner.send(pass);
      lane.scannedAt = process.hrtime.bigint();
      lane.missTimer = setTimeout(() => {
        this.missed += 1;
        lane.scannedAt = undefined;
        lane.busy = false;
      }, MISSED_AFTER_MS);
    }, PRESUPPLY_MS);
  }

  private opened(lane: LaneRig): void {
    const at = process.hrtime.bigint();
    if (lane.scannedAt === undefined) return;
    this.latencies.push(Number(at - lane.scannedAt) / 1e6);
    lane.scannedAt = undefined;
    clearTimeout(lane.missTimer);
  }

  private pass(): string {
    this.serial += 1;
    const nowS = Math.floor(Date.now() / 1000);
    return this.issuer.issue({ sub: `bench-${this.serial}`, col: 'green', iat: nowS - 60, exp: nowS + 3600 });
  }
}

function rigConfig(dir: string, key: { kid: string; publicKey: string }, options: RigOptions): Record<string, unknown> {
  const devices: unknown[] = [];
  const lanes: unknown[] = [];
  for (let index = 0; index < (options.lanes ?? LANES); index += 1) {
    const id = `l${index}`;
    devices.push(
      { id: `${id}-qr`, role: 'scanner', driver: 'profile', profile: 'scanner-qr-cr', port: join(dir, `${id}-qr`) },
      { id: `${id}-thermo`, role: 'thermometer', driver: 'profile', profile: 'thermo-ascii-push', port: join(dir, `${id}-thermo`) },
      { id: `${id}-barrier`, role: 'barrier', driver: 'profile', profile: 'barrier-serial-ack', port: join(dir, `${id}-barrier`) },
    );
    lanes.push({ id, direction: 'in', devices: { scanner: `${id}-qr`, thermometer: `${id}-thermo`, barrier: `${id}-barrier` } });
  }
  return {
    estate: { id: 'bench-estate', name: 'Bench estate' },
    gates: [{ id: 'main', name: 'Main gate', lanes }],
    devices,
    policy: { version: 'bench-1' },
    trust: { maxAgeHours: null, issuers: [{ kid: key.kid, publicKey: key.publicKey }] },
    // A closed port stands for a broker that is down: the gateway keeps deciding, the outbox grows.
    mqtt: { broker: options.brokerDown ? { type: 'external', url: 'mqtt://127.0.0.1:9' } : { type: 'embedded', host: '127.0.0.1', port: 0 } },
    http: { host: '127.0.0.1', port: 0 },
    storage: { path: join(dir, 'gatewarden.db'), synchronous: options.synchronous ?? 'full' },
    secrets: { path: join(dir, 'secrets.json'), generate: true },
  };
}

/** Starts the gateway, picks up the API's address and a generated token from its log, and hands on every passage's own timing. */
async function untilServing(gateway: GatewayProcess, onPassage: (timing: PassageTiming) => void): Promise<{ url: string; token: string }> {
  let url = '';
  let token = '';
  gateway.onLogLine((line) => {
    // The log keeps flowing while the bench runs: parse only the few lines of interest, and keep nothing.
    if (!/sinceScanMs|tokensFile|"url"/.test(line)) return;
    const entry = parseLogLine(line) as ({ msg?: string; url?: string; tokensFile?: string } & Partial<PassageTiming>) | undefined;
    if (entry?.sinceScanMs !== undefined) onPassage({ ...entry, sinceScanMs: entry.sinceScanMs });
    if (entry?.msg === 'guard-room page and API listening' && entry.url) url = entry.url;
    // The tokens are handed over through a file the log names, never the log itself.
    if (entry?.tokensFile) token = readIssuedTokens(entry.tokensFile)?.auditor ?? '';
  });
  await gateway.start();
  // The tokens are logged right after "gateway running" (fresh secrets, so they always are).
  await waitFor(() => token !== '' && url !== '', { what: 'the API address and token in the gateway log', timeoutMs: 5000 });
  return { url, token };
}
