import type { Logger } from 'pino';
import { GatewardenError } from '../errors.js';
import { ModbusBus } from './modbus/modbus-bus.js';
import { RtuLine } from './modbus/rtu-line.js';
import { TcpLine } from './modbus/tcp-line.js';
import { SerialLink, type SerialOptions } from './serial/serial-link.js';

/** A resource started by its first user and stopped when the last one leaves. */
export class Shared<T extends { start(): void; stop(): Promise<void> }> {
  private users = 0;

  constructor(readonly value: T) {}

  acquire(): T {
    this.users += 1;
    if (this.users === 1) this.value.start();
    return this.value;
  }

  async release(): Promise<void> {
    if (this.users === 0) return;
    this.users -= 1;
    if (this.users === 0) await this.value.stop();
  }

  async close(): Promise<void> {
    this.users = 0;
    await this.value.stop();
  }
}

/**
 * One per gateway: the owners of serial ports and Modbus connections, keyed by
 * port path (or host:port). Devices on one RS-485 bus get the same Modbus bus,
 * so a port is never opened twice; a line device owns its port alone.
 */
export class PortRegistry {
  private readonly buses = new Map<string, { settings: SerialOptions | undefined; shared: Shared<ModbusBus> }>();
  private readonly lines = new Map<string, { owner: string; shared: Shared<SerialLink> }>();

  constructor(private readonly log: Logger) {}

  modbusRtu(serial: SerialOptions, deviceId: string): Shared<ModbusBus> {
    this.refuseLineOwner(serial.path, deviceId);
    const existing = this.buses.get(serial.path);
    if (existing) {
      if (!sameSettings(existing.settings, serial)) {
        throw new GatewardenError('GW_CONFIG_INVALID', `${deviceId}: ${serial.path} is already used with other serial settings`);
      }
      return existing.shared;
    }
    const log = this.log.child({ module: 'modbus', port: serial.path });
    const bus = new ModbusBus(new RtuLine(new SerialLink(serial, log), log), log);
    return this.remember(serial.path, serial, bus);
  }

  modbusTcp(host: string, port: number): Shared<ModbusBus> {
    const key = `tcp://${host}:${port}`;
    const existing = this.buses.get(key);
    if (existing) return existing.shared;
    const log = this.log.child({ module: 'modbus', port: key });
    return this.remember(key, undefined, new ModbusBus(new TcpLine(host, port, log), log));
  }

  serialLine(serial: SerialOptions, deviceId: string): Shared<SerialLink> {
    const owner = this.lines.get(serial.path)?.owner;
    if (owner !== undefined || this.buses.has(serial.path)) {
      throw new GatewardenError('GW_CONFIG_INVALID', `${deviceId}: ${serial.path} is already used by ${owner ?? 'a Modbus bus'}`);
    }
    const shared = new Shared(new SerialLink(serial, this.log.child({ module: 'serial', port: serial.path, device: deviceId })));
    this.lines.set(serial.path, { owner: deviceId, shared });
    return shared;
  }

  /** Closes every port, whoever still uses it (gateway shutdown). */
  async stop(): Promise<void> {
    const all = [...this.buses.values(), ...this.lines.values()].map((entry) => entry.shared.close());
    this.buses.clear();
    this.lines.clear();
    await Promise.all(all);
  }

  private refuseLineOwner(path: string, deviceId: string): void {
    const owner = this.lines.get(path)?.owner;
    if (owner !== undefined) throw new GatewardenError('GW_CONFIG_INVALID', `${deviceId}: ${path} is already used by ${owner}`);
  }

  private remember(key: string, settings: SerialOptions | undefined, bus: ModbusBus): Shared<ModbusBus> {
    const shared = new Shared(bus);
    this.buses.set(key, { settings, shared });
    return shared;
  }
}

export function createPortRegistry(deps: { log: Logger }): PortRegistry {
  return new PortRegistry(deps.log);
}

function sameSettings(a: SerialOptions | undefined, b: SerialOptions): boolean {
  return a !== undefined && a.baudRate === b.baudRate && a.dataBits === b.dataBits && a.parity === b.parity && a.stopBits === b.stopBits;
}
