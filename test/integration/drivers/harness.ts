import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { createProfileDevice } from '../../../src/drivers/create-profile-device.js';
import type { AnyDevice, DeviceStatus } from '../../../src/drivers/device.js';
import { createPortRegistry, type PortRegistry } from '../../../src/drivers/port-registry.js';
import type { ProfileDeviceSettings } from '../../../src/drivers/profile-device-settings.js';
import { loadProfile } from '../../../src/drivers/profile/load-profile.js';
import type { DeviceProfile } from '../../../src/drivers/profile/profile-schema.js';
import { PtyPair } from '../../../support/sim/pty-pair.js';

export { waitFor } from '../../../support/sim/wait-for.js';

export const devicesDir = fileURLToPath(new URL('../../../devices', import.meta.url));

export function profile(name: string): Promise<DeviceProfile> {
  return loadProfile(devicesDir, name);
}

/**
 * Everything one test needs: a temp dir for pty links, a port registry, the
 * devices it created, and a log whose lines tests may inspect. `close()` stops
 * all of it, simulators included, in reverse order.
 */
export class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'gw-drivers-'));
  readonly logLines: string[] = [];
  readonly log: Logger = pino({ level: 'debug' }, { write: (line: string) => this.logLines.push(line) });
  readonly ports: PortRegistry = createPortRegistry({ log: this.log });
  private readonly cleanups: (() => Promise<unknown> | void)[] = [];

  async pty(name: string): Promise<PtyPair> {
    const pair = PtyPair.inDir(this.dir, name);
    await pair.start();
    this.cleanups.push(() => pair.stop());
    return pair;
  }

  /** Registers something to stop at the end (a simulator). */
  onClose(cleanup: () => Promise<unknown> | void): void {
    this.cleanups.push(cleanup);
  }

  async device<T extends AnyDevice>(settings: Omit<ProfileDeviceSettings, 'driver'>): Promise<Recorded<T>> {
    const device = (await createProfileDevice({ ...settings, driver: 'profile' }, { log: this.log, clock: Date, profilesDir: devicesDir, ports: this.ports })) as T;
    const recorded = new Recorded(device);
    this.cleanups.push(() => device.stop());
    await device.start();
    return recorded;
  }

  /** Log lines with this message. */
  logged(message: string): number {
    return this.logLines.filter((line) => (JSON.parse(line) as { msg?: string }).msg === message).length;
  }

  async close(): Promise<void> {
    for (const cleanup of this.cleanups.reverse()) await cleanup();
    await this.ports.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A device with every status change and event it emitted, timestamped. */
export class Recorded<T extends AnyDevice> {
  readonly statuses: DeviceStatus[] = [];
  readonly events: { value: unknown; at: number }[] = [];

  constructor(readonly device: T) {
    device.onStatus((status) => this.statuses.push(status));
    const record = (value: unknown) => this.events.push({ value, at: performance.now() });
    if (device.role === 'thermometer') device.onReading((reading) => record(reading.celsius));
    if (device.role === 'scanner') device.onCode((scan) => record(scan.code));
    if (device.role === 'plate-reader') device.onPlate((read) => record(read.plate));
    if (device.role === 'barrier') device.onPassage(() => record('passage'));
  }

  get availability(): DeviceStatus['availability'] {
    return this.device.status().availability;
  }

  values(): unknown[] {
    return this.events.map((event) => event.value);
  }

  eventsSince(since: number): unknown[] {
    return this.events.filter((event) => event.at >= since).map((event) => event.value);
  }
}

/** A fresh Harness per test, closed after it; call the returned function inside a test. */
export function useHarness(): () => Harness {
  let harness: Harness | undefined;
  beforeEach(() => {
    harness = new Harness();
  });
  afterEach(() => harness?.close());
  return () => {
    if (!harness) throw new Error('useHarness() is only available inside a test');
    return harness;
  };
}
