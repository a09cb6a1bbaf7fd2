import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadProfile } from '../../src/drivers/profile/load-profile.js';
import { PassIssuer } from '../../src/demo/pass-issuer.js';
import { LineSim } from '../sim/line-sim.js';
import { PtyPair } from '../sim/pty-pair.js';
import type { PtyLanePorts } from './chaos-config.js';

const DEVICES_DIR = fileURLToPath(new URL('../../devices', import.meta.url));
const SERIAL = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 } as const;
/** The person walks through this long after the barrier opened. */
const WALK_MS = 300;

/**
 * The far side of the chaos run's serial lane: a QR scanner, a push
 * thermometer and a command barrier, each a simulator on a socat pty. The
 * barrier simulator is the witness for "a barrier never opens without a
 * decision that granted it": it records every OPEN it receives, apart from
 * the gateway's own log.
 */
export class PtyLane {
  /** When each OPEN reached the barrier (ms since epoch). */
  readonly opens: number[] = [];
  private scans = 0;
  /** Aborts the walks and readings still scheduled when the lane stops. */
  private readonly pending = new AbortController();

  private constructor(
    private readonly dir: string,
    readonly pairs: { scanner: PtyPair; thermometer: PtyPair; barrier: PtyPair },
    private readonly sims: { scanner: LineSim; thermometer: LineSim; barrier: LineSim },
  ) {
    sims.barrier.onCommand = (command) => {
      if (command !== 'OPEN') return;
      this.opens.push(Date.now());
      this.later(WALK_MS, () => sims.barrier.passage());
    };
  }

  static async start(): Promise<PtyLane> {
    const dir = mkdtempSync(join(tmpdir(), 'gw-chaos-pty-'));
    const pairs = { scanner: PtyPair.inDir(dir, 'scanner'), thermometer: PtyPair.inDir(dir, 'thermo'), barrier: PtyPair.inDir(dir, 'barrier') };
    for (const pair of Object.values(pairs)) await pair.start();
    const sim = async (pair: PtyPair, profile: string) => {
      const lineSim = new LineSim(await loadProfile(DEVICES_DIR, profile), { ...SERIAL, path: pair.simPath });
      lineSim.start();
      return lineSim;
    };
    const sims = { scanner: await sim(pairs.scanner, 'scanner-qr-cr'), thermometer: await sim(pairs.thermometer, 'thermo-ascii-push'), barrier: await sim(pairs.barrier, 'barrier-serial-ack') };
    return new PtyLane(dir, pairs, sims);
  }

  get ports(): PtyLanePorts {
    return { scanner: this.pairs.scanner.devicePath, thermometer: this.pairs.thermometer.devicePath, barrier: this.pairs.barrier.devicePath };
  }

  /** One resident with a fresh green pass scans, then holds a hand to the thermometer. */
  arrive(issuer: PassIssuer): void {
    this.scans += 1;
    const nowS = Math.floor(Date.now() / 1000);
    this.sims.scanner.send(issuer.issue({ sub: `pty-resident-${this.scans}`, col: 'green', iat: nowS - 60, exp: nowS + 3600 }));
    this.later(100, () => this.sims.thermometer.send('36.6'));
  }

  /** The scanner's USB adapter pulled out; the simulator reopens its end once it is back. */
  async unplugScanner(): Promise<void> {
    await this.pairs.scanner.unplug();
  }

  async replugScanner(): Promise<void> {
    await this.pairs.scanner.replug();
  }

  async stop(): Promise<void> {
    this.pending.abort();
    for (const sim of Object.values(this.sims)) await sim.stop();
    for (const pair of Object.values(this.pairs)) await pair.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private later(ms: number, action: () => void): void {
    sleep(ms, undefined, { signal: this.pending.signal }).then(action, () => {});
  }
}
