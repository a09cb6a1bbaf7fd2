import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadSecrets, type Secrets } from '../../src/secrets.js';
import { startMosquitto, type Mosquitto } from '../brokers/mosquitto.js';
import { writeChaosConfigs, type PtyLanePorts } from './chaos-config.js';
import { GatewayProcess } from '../gateway/gateway-process.js';
import { tallyGatewayLog, type GatewayLogTally } from './log-tally.js';
import { compareLedger, outboxDepth, readRecorded, type LossFigures, type RecordedRow } from './ledger.js';
import { Subscriber } from './subscriber.js';

export const CHAOS_PREFIX = 'gatewarden/chaos';
const DRAIN_TIMEOUT_MS = 120_000;

export interface ChaosEstateOptions {
  lanes: number;
  arrivalEveryMs: number;
  /** Directory for the database (default: the run's temp dir). */
  databaseDir?: string;
  /** An extra lane on real serial drivers over these ptys. */
  ptyLane?: PtyLanePorts;
  log: (line: string) => void;
}

/** A fault with the moment it ended, for the recovery figures. */
export interface FaultRecord {
  kind: 'sigkill' | 'broker-outage' | 'disk-full' | 'unplug';
  startedAt: number;
  endedAt: number;
  /** Start-up of the gateway after a SIGKILL, spawn to ready. */
  restartMs?: number;
}

export interface ChaosReport extends LossFigures {
  /** Every passage and alert row in SQLite at the end. */
  rows: RecordedRow[];
  faults: FaultRecord[];
  /** Per SIGKILL: kill → first passage recorded by the new process (ms). */
  killRecoveryMs: number[];
  /** Per broker outage: broker back → every message recorded before that delivered (ms). */
  brokerRecoveryMs: number[];
  barrierForced: number;
  storageErrors: number;
  durationMs: number;
}

/**
 * One chaos estate: a real Mosquitto (persistent, so sessions survive its
 * restart), the gateway as a child process driven by the demo crowd, and a
 * persistent QoS 1 subscriber recording every passage and alert by id.
 */
export class ChaosEstate {
  readonly faults: FaultRecord[] = [];
  private startedAt = 0;
  private brokerDownAt = 0;

  private constructor(
    readonly dir: string,
    readonly databasePath: string,
    readonly mosquitto: Mosquitto,
    readonly gateway: GatewayProcess,
    private readonly tally: GatewayLogTally,
    readonly subscriber: Subscriber,
    private readonly drainingConfig: string,
    private readonly log: (line: string) => void,
    readonly secrets: Secrets,
  ) {}

  static async open(options: ChaosEstateOptions): Promise<ChaosEstate> {
    const dir = mkdtempSync(join(tmpdir(), 'gw-chaos-'));
    const databasePath = join(options.databaseDir ?? dir, 'gatewarden.db');
    const { secrets } = loadSecrets(join(dir, 'secrets.json'), true, true);
    const districtPassword = randomBytes(18).toString('base64url');
    const mosquitto = await startMosquitto({
      prefix: CHAOS_PREFIX,
      persistence: true,
      users: [
        { username: 'gateway', password: secrets.mqttPasswords.gateway as string, role: 'gateway' },
        { username: 'district', password: districtPassword, role: 'district' },
      ],
    });
    const configs = writeChaosConfigs({ dir, databasePath, brokerUrl: mosquitto.url, lanes: options.lanes, arrivalEveryMs: options.arrivalEveryMs, prefix: CHAOS_PREFIX, ...(options.ptyLane ? { ptyLane: options.ptyLane } : {}) });
    const subscriber = await Subscriber.connect(mosquitto.url, 'district', districtPassword, CHAOS_PREFIX);
    const gateway = new GatewayProcess(configs.walking);
    const estate = new ChaosEstate(dir, databasePath, mosquitto, gateway, tallyGatewayLog(gateway), subscriber, configs.draining, options.log, secrets);
    const readyMs = await estate.gateway.start();
    estate.startedAt = Date.now();
    options.log(`gateway ready in ${Math.round(readyMs)} ms: ${options.lanes} lanes, a person every ${options.arrivalEveryMs} ms per lane`);
    return estate;
  }

  /** SIGKILL under load, then start the same gateway again at once. */
  async killAndRestart(): Promise<void> {
    const startedAt = Date.now();
    await this.gateway.kill();
    const restartMs = await this.gateway.start();
    this.faults.push({ kind: 'sigkill', startedAt, endedAt: Date.now(), restartMs });
  }

  /** Stops the broker (SIGTERM; Mosquitto saves the sessions). */
  async brokerDown(): Promise<void> {
    this.brokerDownAt = Date.now();
    await this.mosquitto.stop();
  }

  /** Starts the broker again on the same port, once it has been down for at least `minOutageMs`. */
  async brokerUp(minOutageMs = 0): Promise<void> {
    await sleep(Math.max(0, this.brokerDownAt + minOutageMs - Date.now()));
    await this.mosquitto.start();
    this.faults.push({ kind: 'broker-outage', startedAt: this.brokerDownAt, endedAt: Date.now() });
    this.log(`broker back after ${Date.now() - this.brokerDownAt} ms`);
  }

  recordFault(fault: FaultRecord): void {
    this.faults.push(fault);
  }

  /**
   * Ends the load (orderly stop), restarts the gateway with nobody walking
   * and waits until its outbox is empty and the subscriber has had a moment
   * to take the last messages; then compares SQLite with what arrived.
   */
  async settle(): Promise<ChaosReport> {
    const durationMs = Date.now() - this.startedAt;
    await this.gateway.stop();
    await this.gateway.start(this.drainingConfig);
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (outboxDepth(this.databasePath) > 0 && Date.now() < deadline) await sleep(200);
    await this.waitForQuietSubscriber();
    await this.gateway.stop();
    const rows = readRecorded(this.databasePath);
    return {
      ...compareLedger(rows, this.subscriber),
      rows,
      faults: this.faults,
      killRecoveryMs: this.faults.filter((f) => f.kind === 'sigkill').map((f) => firstRowAfter(rows, f.endedAt) - f.startedAt),
      brokerRecoveryMs: this.faults.filter((f) => f.kind === 'broker-outage').map((f) => this.backlogDeliveredAt(rows, f.endedAt) - f.endedAt),
      barrierForced: this.tally.barrierForced,
      storageErrors: this.tally.storageErrors,
      durationMs,
    };
  }

  async close(): Promise<void> {
    await this.gateway.kill();
    await this.subscriber.close().catch(() => undefined);
    await this.mosquitto.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Waits until no new message arrived for a second (at most 15 s). */
  private async waitForQuietSubscriber(): Promise<void> {
    const deadline = Date.now() + 15_000;
    let last = -1;
    while (Date.now() < deadline) {
      const now = this.subscriber.delivered + this.subscriber.duplicated;
      if (now === last) return;
      last = now;
      await sleep(1000);
    }
  }

  /** When the last message recorded before `at` reached the subscriber (or `at` when none was pending). */
  private backlogDeliveredAt(rows: readonly RecordedRow[], at: number): number {
    let latest = at;
    for (const row of rows) {
      const receipt = row.at < at ? this.subscriber.receipts.get(row.id) : undefined;
      if (receipt && receipt.firstAt > latest) latest = receipt.firstAt;
    }
    return latest;
  }
}

/** The first passage recorded at or after `at`: the lanes are deciding again. */
function firstRowAfter(rows: readonly RecordedRow[], at: number): number {
  let first = Number.POSITIVE_INFINITY;
  for (const row of rows) if (row.table === 'passages' && row.at >= at && row.at < first) first = row.at;
  return first;
}
