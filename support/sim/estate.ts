import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../../src/config/schema.js';
import type { ProfileDeviceSettings } from '../../src/drivers/profile-device-settings.js';
import { loadProfile } from '../../src/drivers/profile/load-profile.js';
import type { DeviceProfile } from '../../src/drivers/profile/profile-schema.js';
import { SHIPPED_PROFILES_DIR } from '../../src/drivers/profile/profiles-dir.js';
import { AnnouncerSim } from './announcer-sim.js';
import { LineSim } from './line-sim.js';
import { setPassageSensor, setTemperature } from './modbus-sim.js';
import { PtyPair } from './pty-pair.js';
import { RtuSlaveBus, type SimUnit } from './rtu-slave-bus.js';
import { TcpSlave } from './tcp-slave.js';
import type { UnitFaults } from './unit-faults.js';

/** The far end of one configured device. */
export type SimDevice =
  | { id: string; profile: DeviceProfile; kind: 'line'; sim: LineSim }
  | { id: string; profile: DeviceProfile; kind: 'announcer'; sim: AnnouncerSim }
  | { id: string; profile: DeviceProfile; kind: 'modbus'; unit: SimUnit | TcpSlave };

export interface EstateOptions {
  profilesDir?: string;
  /** A simulated person walks through every barrier that opens, after this long; off when absent. */
  walkThroughMs?: number;
  /** The temperature every thermometer starts with. */
  celsius?: number;
  /** Keep the ptys through a terminal's Ctrl-C, so the gateway stops before its ports go (PtyPair.detached). */
  detachPtys?: boolean;
}

/** How long a walker interrupts a relay barrier's photo-eye: longer than two sensor polls. */
const OCCUPIED_MS = 400;

/**
 * A simulated estate built from a gateway config: for every profile device,
 * its simulator behind the configured port. Devices sharing a serial port
 * share one socat pty pair and one simulated RS-485 bus; the gateway opens the
 * configured path and the simulator `<path>.sim`. Modbus TCP devices get a
 * server on 127.0.0.1 at their configured port.
 */
export class SimEstate {
  readonly devices = new Map<string, SimDevice>();
  /** Pty pairs by the gateway-side port path. */
  readonly pairs = new Map<string, PtyPair>();
  private readonly buses = new Map<string, RtuSlaveBus>();
  private readonly servers = new Map<string, TcpSlave>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(private readonly options: EstateOptions) {}

  static async start(config: Readonly<Config>, options: EstateOptions = {}): Promise<SimEstate> {
    const estate = new SimEstate(options);
    try {
      for (const device of config.devices) if (device.driver === 'profile') await estate.add(device);
      for (const bus of estate.buses.values()) bus.start();
      for (const device of estate.devices.values()) if (device.kind === 'line' || device.kind === 'announcer') device.sim.start();
    } catch (error) {
      await estate.stop();
      throw error;
    }
    return estate;
  }

  device(id: string): SimDevice {
    const device = this.devices.get(id);
    if (!device) throw new Error(`no simulated device ${id}`);
    return device;
  }

  line(id: string): LineSim {
    const device = this.device(id);
    if (device.kind !== 'line') throw new Error(`${id} is not a serial-line device`);
    return device.sim;
  }

  /** The fault switches of a Modbus unit (silent, late, bad CRC). */
  faults(id: string): UnitFaults {
    const device = this.device(id);
    if (device.kind !== 'modbus') throw new Error(`${id} is not a Modbus device`);
    return device.unit.faults;
  }

  /** Sets a Modbus thermometer's registers, or makes a push thermometer send a reading. */
  setTemperature(id: string, celsius: number): void {
    const device = this.device(id);
    if (device.kind === 'modbus') setTemperature(device.unit.bank, device.profile, celsius);
    else if (device.kind === 'line') device.sim.send(celsius.toFixed(1));
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const lines = [...this.devices.values()].flatMap((device) => (device.kind === 'line' || device.kind === 'announcer' ? [device.sim.stop()] : []));
    await Promise.all([...lines, ...[...this.buses.values()].map((bus) => bus.stop()), ...[...this.servers.values()].map((server) => server.stop())]);
    await Promise.all([...this.pairs.values()].map((pair) => pair.stop()));
  }

  private async add(settings: ProfileDeviceSettings): Promise<void> {
    const profile = await loadProfile(this.options.profilesDir ?? SHIPPED_PROFILES_DIR, settings.profile);
    const { transport } = profile;
    // A local announcer (aplay) has no far end; a voice module's is AnnouncerSim, recording the clips it is told to play.
    if (transport.kind === 'local') return;
    if (transport.kind === 'serial-line' && profile.announcer?.module) {
      const pair = await this.pty(required(settings.port, settings.id));
      const sim = new AnnouncerSim(profile.announcer.module, { ...transport, path: pair.simPath, baudRate: settings.baudRate ?? transport.baudRate });
      this.devices.set(settings.id, { id: settings.id, profile, kind: 'announcer', sim });
      return;
    }
    if (transport.kind === 'serial-line') {
      const pair = await this.pty(required(settings.port, settings.id));
      const sim = new LineSim(profile, { ...transport, path: pair.simPath, baudRate: settings.baudRate ?? transport.baudRate });
      this.devices.set(settings.id, { id: settings.id, profile, kind: 'line', sim });
      if (profile.actions) this.walkThroughSerialBarrier(sim, profile);
      return;
    }
    const unit =
      transport.kind === 'modbus-rtu'
        ? (await this.bus(required(settings.port, settings.id), settings.baudRate ?? transport.baudRate, profile)).unit(settings.unitId ?? transport.unitId)
        : await this.server(settings.host ?? '127.0.0.1', settings.tcpPort ?? transport.tcpPort);
    this.devices.set(settings.id, { id: settings.id, profile, kind: 'modbus', unit });
    if (profile.reading) setTemperature(unit.bank, profile, this.options.celsius ?? 36.6);
    if (profile.relay?.passageInput !== undefined) {
      setPassageSensor(unit.bank, profile, false);
      this.walkThroughRelayBarrier(unit, profile);
    }
  }

  private async pty(port: string): Promise<PtyPair> {
    let pair = this.pairs.get(port);
    if (pair) return pair;
    mkdirSync(dirname(port), { recursive: true });
    // Links left by a run that was killed would stop socat from making new ones.
    rmSync(port, { force: true });
    rmSync(`${port}.sim`, { force: true });
    pair = PtyPair.forPort(port);
    pair.detached = this.options.detachPtys ?? false;
    this.pairs.set(port, pair);
    await pair.start();
    return pair;
  }

  private async bus(port: string, baudRate: number, profile: DeviceProfile): Promise<RtuSlaveBus> {
    let bus = this.buses.get(port);
    if (bus) return bus;
    const pair = await this.pty(port);
    const { dataBits, parity, stopBits } = profile.transport;
    bus = new RtuSlaveBus({ path: pair.simPath, baudRate, dataBits, parity, stopBits });
    this.buses.set(port, bus);
    return bus;
  }

  private async server(host: string, port: number): Promise<TcpSlave> {
    const key = `${host}:${port}`;
    let server = this.servers.get(key);
    if (server) return server;
    server = new TcpSlave();
    this.servers.set(key, server);
    await server.start(port);
    return server;
  }

  private walkThroughSerialBarrier(sim: LineSim, profile: DeviceProfile): void {
    sim.onCommand = (command) => {
      if (command === profile.actions?.release) this.later(() => sim.passage());
    };
  }

  private walkThroughRelayBarrier(unit: SimUnit | TcpSlave, profile: DeviceProfile): void {
    unit.bank.onWrite = (write) => {
      if (write.functionCode !== 5 || write.address !== profile.relay?.releaseCoil || write.value !== 0xff00) return;
      this.later(() => {
        setPassageSensor(unit.bank, profile, true);
        this.later(() => setPassageSensor(unit.bank, profile, false), OCCUPIED_MS);
      });
    };
  }

  private later(action: () => void, afterMs = this.options.walkThroughMs): void {
    if (afterMs === undefined) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, afterMs);
    this.timers.add(timer);
  }
}

function required(port: string | undefined, id: string): string {
  if (port === undefined) throw new Error(`${id}: no port in the config`);
  return port;
}
